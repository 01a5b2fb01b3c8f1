"""The pieces of the self-contained HTML pages (the run report, the sweep report):
the style sheet, escaping, tables of escaped text and figures embedded as PNG data URIs.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1150px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.better { background: #d9f2d9; } td.worse { background: #f8d7d7; }
td.base { background: #eef2fb; } td.same { background: #fafafa; }
.diff { font-size: 0.85em; color: #444; } .pooled { font-size: 0.8em; color: #666; }
.meta { color: #555; } .legend span { padding: 0.1em 0.5em; margin-right: 0.6em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto;
         border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
code { background: #f5f5f5; padding: 0 0.2em; }
.wide { overflow-x: auto; }
"""


def esc(value: Any) -> str:
    """``value`` as text, escaped for HTML (quotes too)."""
    return html.escape(str(value), quote=True)


def png_data_uri(ax: Axes) -> str:
    """The Axes' figure as a base64 PNG data URI."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def html_figure(ax: Axes, caption: str) -> str:
    return (f'<figure><img src="{png_data_uri(ax)}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def html_table(head: Sequence[str] | None, rows: Iterable[Sequence[str]]) -> str:
    """An HTML table of escaped text; without ``head`` the first column is a header."""
    out = ["<table>"]
    if head is not None:
        out += ["<thead><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr></thead>"]
    out.append("<tbody>")
    for row in rows:
        cells = [f"<td>{esc(c)}</td>" for c in row]
        if head is None and cells:
            cells[0] = f"<th>{esc(row[0])}</th>"
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
