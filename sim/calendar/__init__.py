"""Days, day types, rosters and shifts: the calendar a run is played out on.

:mod:`sim.calendar.clock` maps calendar days and clock times to simulation seconds;
:mod:`sim.calendar.roster` expands a resource's roster into its on-duty count over the
run. Both are pure (no SimPy) so metrics, schemas and tests can use them directly.
"""
