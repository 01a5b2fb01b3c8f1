"""The README documents every scenario field and its two set-up commands."""

from sim.scenario.readme import with_reference
from tests.conftest import ROOT


def test_reference_matches_schema():
    """The README's field reference is what the schema generates (python -m sim.scenario.readme)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text == with_reference(text)


def test_two_commands_present():
    """The README gives the run and test commands that CI relies on."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && python run_sim.py run scenarios/hema_city.yaml" in text
    assert "pip install '.[test]' && pytest" in text
