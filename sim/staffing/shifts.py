"""Least-cost shifts covering staff counts per clock hour: an integer programme (CP-SAT).

Given the staff needed in each of the 24 clock hours of a day (repeating every day, so
a shift may cross midnight), choose how many staff start a shift of each allowed length
at each hour so that every hour has at least its count on duty (and at least
``minimum`` in every hour that needs anyone), at the least cost::

    minimise   sum_{s, L} paid(L) x[s, L]      (times the hourly rate: the wage cost)
    subject to sum_{(s, L) covers h} x[s, L] >= max(need[h], minimum [need[h] > 0])
               x[s, L] integer >= 0

A shift of ``L`` hours from hour ``s`` covers hours ``s .. s+L-1`` (mod 24). With a
break (``break_after``: shifts of at least that many hours take one unpaid hour off in
their middle), the break hour is not covered and not paid. The solve is deterministic
(one worker, a fixed seed) and proven optimal for the 24-hour problem; among rosters
of the same cost it takes the one with the fewest staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HOURS = 24
TIE = 1000
"""Weight of a paid hour against one more staff member in the objective (a tie-break:
no roster of fewer staff is worth a paid hour more)."""


@dataclass(frozen=True)
class PlannedShift:
    """``count`` staff from clock hour ``start`` for ``length`` hours (may cross
    midnight); ``break_hour`` is the hour off (hours after the start), if any."""

    start: int
    length: int
    count: int
    break_hour: int | None = None

    def covers(self, hour: int) -> bool:
        """Whether the shift has its staff on duty in clock hour ``hour``."""
        k = (hour - self.start) % HOURS
        return k < self.length and k != self.break_hour

    @property
    def paid_hours(self) -> int:
        """Hours paid per staff member (the shift less its break)."""
        return self.length - (1 if self.break_hour is not None else 0)


def break_of(length: int, break_after: int | None) -> int | None:
    """The break hour of a shift of ``length`` hours (its middle), if it has one."""
    if break_after is None or length < break_after:
        return None
    return length // 2


def cover(need: Sequence[int], lengths: Sequence[int], minimum: int = 0,
          break_after: int | None = None, wrap: bool = True,
          time_limit: float = 20.0) -> list[PlannedShift]:
    """The cheapest shifts (fewest paid hours) covering ``need`` (24 counts); raises
    ValueError on a bad length or when the solver proves nothing.

    With ``wrap`` the day repeats (a shift starting at 22:00 also covers the early hours
    of the same roster's next day); without it every shift ends by midnight, for a day
    whose neighbours have other rosters (a calendar day type): its early hours are
    covered by its own shifts."""
    from ortools.sat.python import cp_model

    if len(need) != HOURS:
        raise ValueError("need has 24 hourly counts")
    if not lengths or any(not 1 <= n <= HOURS for n in lengths):
        raise ValueError("shift lengths are whole hours from 1 to 24")
    want = [max(n, minimum) if n > 0 else 0 for n in need]
    if not any(want):
        return []
    top = max(want)
    m = cp_model.CpModel()
    cands = [PlannedShift(s, n, 0, break_of(n, break_after))
             for n in sorted(set(lengths)) for s in range(HOURS) if wrap or s + n <= HOURS]
    x = [m.new_int_var(0, top, f"x_{c.start}_{c.length}") for c in cands]
    for h in range(HOURS):
        if want[h]:
            m.add(sum(v for v, c in zip(x, cands, strict=True) if c.covers(h)) >= want[h])
    # paid hours first; among rosters as cheap, the one with fewest staff (longer shifts)
    m.minimize(sum((TIE * c.paid_hours + 1) * v for v, c in zip(x, cands, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValueError("the shift covering problem has no solution")
    return [PlannedShift(c.start, c.length, int(solver.value(v)), c.break_hour)
            for v, c in zip(x, cands, strict=True) if solver.value(v) > 0]


def on_duty(shifts: Sequence[PlannedShift]) -> list[int]:
    """Staff on duty in each clock hour under ``shifts``."""
    return [sum(s.count for s in shifts if s.covers(h)) for h in range(HOURS)]


def roster_entries(shifts: Sequence[PlannedShift]) -> list[dict[str, str | int]]:
    """``shifts`` in the scenario's roster form: ``{start, end, count}`` clock times, a
    shift with a break written as its two parts; ``[]`` when there are none."""

    def clock(hour: int) -> str:
        return f"{hour % HOURS:02d}:00"

    out: list[dict[str, str | int]] = []
    for s in shifts:
        parts = ([(s.start, s.length)] if s.break_hour is None else
                 [(s.start, s.break_hour), (s.start + s.break_hour + 1,
                                             s.length - s.break_hour - 1)])
        for a, n in parts:
            if n > 0:
                end = a + n
                out.append({"start": clock(a), "end": "24:00" if end == HOURS else clock(end),
                            "count": s.count})
    return out
