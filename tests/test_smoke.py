"""The tiny scenario runs end to end and delivers orders."""

from sim.runner import run


def test_tiny_runs(tiny):
    """A short run creates and delivers orders and measures them."""
    result = run(tiny)
    assert result.metrics["orders"]["created"] > 0
    assert result.metrics["orders"]["delivered"] > 0
