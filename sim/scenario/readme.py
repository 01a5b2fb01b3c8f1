"""Keep the README's scenario reference in step with the schema.

``python -m sim.scenario.readme`` rewrites the block between the reference markers in
README.md; a test fails when the committed README differs from what this would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.scenario.reference import markdown_reference
from sim.scenario.schema import Scenario

START = "<!-- scenario-reference:start -->"
END = "<!-- scenario-reference:end -->"


def with_reference(readme: str) -> str:
    """``readme`` with the generated reference between the markers."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{markdown_reference(Scenario)}{END}{tail}"


def main() -> int:
    """Rewrite README.md in the current folder."""
    path = Path("README.md")
    path.write_text(with_reference(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
