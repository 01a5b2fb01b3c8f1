"""The space-time reservation table of the grid mode.

For every cell, a sorted list of disjoint closed tick intervals ``[start, end]`` during
which one robot holds it. A robot standing still at the end of its trip holds its cell
until further notice (``end = HOLD``) and shortens that interval when it leaves. Because
intervals in a cell never overlap, "is ``[a, b]`` free?" is one bisection: only the last
interval starting at or before ``b`` can reach back to ``a``.
"""

from __future__ import annotations

from bisect import bisect_right

HOLD = 1 << 62
"""End tick of an open-ended hold (a robot standing in a cell until it leaves)."""


class Reservations:
    """Per-cell interval lists; intervals ending before ``horizon`` are dropped lazily."""

    __slots__ = ("ends", "owners", "starts")

    def __init__(self, cells: int) -> None:
        self.starts: list[list[int]] = [[] for _ in range(cells)]
        self.ends: list[list[int]] = [[] for _ in range(cells)]
        self.owners: list[list[int]] = [[] for _ in range(cells)]

    def conflict(self, cell: int, a: int, b: int) -> int:
        """-1 if ``[a, b]`` is free in ``cell``, else the end tick of the latest interval
        overlapping it (the earliest a retry can start after is that end + 1)."""
        st = self.starts[cell]
        if not st:
            return -1
        i = bisect_right(st, b) - 1
        if i >= 0:
            end = self.ends[cell][i]
            if end >= a:
                return end
        return -1

    def next_start(self, cell: int, after: int) -> int:
        """Start of the first interval in ``cell`` starting after tick ``after``
        (:data:`HOLD` if none)."""
        st = self.starts[cell]
        i = bisect_right(st, after)
        return st[i] if i < len(st) else HOLD

    def end_of_interval_starting(self, cell: int, start: int) -> int:
        """End of the interval that starts exactly at ``start``."""
        st = self.starts[cell]
        i = bisect_right(st, start) - 1
        return self.ends[cell][i]

    def prune(self, cell: int, horizon: int) -> None:
        """Forget the intervals of ``cell`` that ended before ``horizon``."""
        en = self.ends[cell]
        if en and en[0] < horizon:  # ends are sorted like starts (intervals are disjoint)
            k = bisect_right(en, horizon - 1)
            del self.starts[cell][:k], en[:k], self.owners[cell][:k]

    def add(self, cell: int, a: int, b: int, owner: int, horizon: int) -> None:
        """Reserve ``[a, b]`` for ``owner``; the caller has checked it is free."""
        st, en, ow = self.starts[cell], self.ends[cell], self.owners[cell]
        if len(st) > 8:
            self.prune(cell, horizon)
        if not st or st[-1] < a:  # the usual case: after everything reserved so far
            if st and en[-1] >= a:
                raise RuntimeError(f"reservation clash in cell {cell}: [{a}, {b}] for "
                                   f"robot {owner}")
            st.append(a)
            en.append(b)
            ow.append(owner)
            return
        i = bisect_right(st, a)
        if (i > 0 and en[i - 1] >= a) or (i < len(st) and st[i] <= b):
            raise RuntimeError(f"reservation clash in cell {cell}: [{a}, {b}] for robot "
                               f"{owner}")
        st.insert(i, a)
        en.insert(i, b)
        ow.insert(i, owner)

    def release(self, cell: int, owner: int, end: int) -> int:
        """End ``owner``'s open hold of ``cell`` at tick ``end``; return its start."""
        en, ow = self.ends[cell], self.owners[cell]
        if not en or en[-1] != HOLD or ow[-1] != owner:
            raise RuntimeError(f"robot {owner} does not hold cell {cell}")
        en[-1] = end
        return self.starts[cell][-1]

    def hold_owner(self, cell: int) -> int:
        """The robot holding ``cell`` open-endedly, or -1."""
        en = self.ends[cell]
        return self.owners[cell][-1] if en and en[-1] == HOLD else -1
