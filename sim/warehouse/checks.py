"""Independent checks of a grid-mode run from its ``wh_moves`` record table.

The planner promises that no two robots are ever in the same cell at the same time
(vertex conflict) and that no two robots swap cells (swap conflict). These checks read
only the recorded occupancy intervals, so they test what the robots did, not what the
planner believed. A row ``(robot, x, y, t_in, t_out)`` says the robot's body overlapped
cell ``(x, y)`` from ``t_in`` to ``t_out`` (closed interval, seconds).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

EPS = 1e-6


def path_problems(moves: pd.DataFrame, limit: int = 20) -> list[str]:
    """Every vertex conflict, swap conflict and broken robot track (up to ``limit``)."""
    out: list[str] = []
    for wh, g in moves.groupby("warehouse", sort=True):
        out.extend(_track_problems(str(wh), g))
        out.extend(_vertex_conflicts(str(wh), g))
        out.extend(_swap_conflicts(str(wh), g))
        if len(out) >= limit:
            break
    return out[:limit]


def _track_problems(wh: str, g: pd.DataFrame) -> list[str]:
    """A robot moves only between neighbouring cells and is always somewhere."""
    out = []
    for robot, r in g.groupby("robot", sort=True):
        r = r.sort_values(["t_in", "t_out"], kind="stable")
        x, y = r["x"].to_numpy(), r["y"].to_numpy()
        t_in, t_out = r["t_in"].to_numpy(), r["t_out"].to_numpy()
        if np.any(t_out < t_in - EPS):
            out.append(f"{wh} {robot}: an interval ends before it starts")
        step = np.abs(np.diff(x)) + np.abs(np.diff(y))
        bad = np.nonzero(step > 1)[0]
        for i in bad[:3].tolist():
            out.append(f"{wh} {robot}: jumps from ({x[i]}, {y[i]}) to ({x[i + 1]}, "
                       f"{y[i + 1]}) at {t_in[i + 1]:.1f} s")
        gap = np.nonzero(t_in[1:] > t_out[:-1] + EPS)[0]
        for i in gap[:3].tolist():
            out.append(f"{wh} {robot}: nowhere between {t_out[i]:.1f} s and "
                       f"{t_in[i + 1]:.1f} s")
    return out


def _vertex_conflicts(wh: str, g: pd.DataFrame) -> list[str]:
    """Two robots' intervals in one cell overlap."""
    out = []
    s = g.sort_values(["x", "y", "t_in", "t_out"], kind="stable")
    x, y = s["x"].to_numpy(), s["y"].to_numpy()
    robot = s["robot"].to_numpy()
    t_in, t_out = s["t_in"].to_numpy(), s["t_out"].to_numpy()
    end, owner = -np.inf, None
    for i in range(len(s)):
        if i == 0 or x[i] != x[i - 1] or y[i] != y[i - 1]:
            end, owner = -np.inf, None
        if t_in[i] <= end + EPS and robot[i] != owner:
            out.append(f"{wh}: {owner} and {robot[i]} both in ({x[i]}, {y[i]}) at "
                       f"{t_in[i]:.1f} s")
        if t_out[i] > end:
            end, owner = t_out[i], robot[i]
    return out


def _swap_conflicts(wh: str, g: pd.DataFrame) -> list[str]:
    """Two robots exchange neighbouring cells in overlapping time windows."""
    hand: dict[tuple[int, int, int, int], list[tuple[float, float, str]]] = defaultdict(list)
    for robot, r in g.groupby("robot", sort=True):
        r = r.sort_values(["t_in", "t_out"], kind="stable")
        x, y = r["x"].to_numpy(), r["y"].to_numpy()
        t_in, t_out = r["t_in"].to_numpy(), r["t_out"].to_numpy()
        for i in range(len(r) - 1):
            if x[i] != x[i + 1] or y[i] != y[i + 1]:
                key = (int(x[i]), int(y[i]), int(x[i + 1]), int(y[i + 1]))
                # the handover: from entering the next cell to leaving this one
                hand[key].append((float(t_in[i + 1]), float(t_out[i]), str(robot)))
    out = []
    for (x1, y1, x2, y2), mine in sorted(hand.items()):
        if (x1, y1) > (x2, y2):
            continue
        theirs = hand.get((x2, y2, x1, y1), [])
        for a0, a1, ra in mine:
            for b0, b1, rb in theirs:
                if ra != rb and a0 <= b1 + EPS and b0 <= a1 + EPS:
                    out.append(f"{wh}: {ra} and {rb} swap ({x1}, {y1}) and ({x2}, {y2}) "
                               f"around {max(a0, b0):.1f} s")
    return out
