"""Figures on a plain Agg canvas, shared by every plot module.

No pyplot (no global figure state, no GUI backend): each plot function takes ``ax=None``,
draws on a fresh Axes from :func:`new_axes` when given none, and :func:`save` writes the
PNG without a software tag, so the bytes depend only on the data and matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    """A fresh figure on an Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def new_axes(width: float = 7.0, height: float = 4.0) -> Axes:
    """A fresh figure with one Axes on an Agg canvas."""
    return new_figure(width, height).add_subplot()


def save(ax: Axes, path: Path) -> None:
    """Write the Axes' figure as a PNG."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
