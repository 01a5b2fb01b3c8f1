"""The hook a ``no_show`` event uses: a model's roster adjusters take staff off a day's
shift before the run, and the resources follow the adjusted roster."""

from __future__ import annotations

from collections.abc import Callable

from sim.calendar.roster import Roster
from sim.model import Model
from sim.scenario import Scenario


def test_adjuster_takes_couriers_off_a_shift(make_scenario: Callable[..., Scenario]) -> None:
    """Two of west's morning couriers do not turn up on day 1: its staffing starts at 2
    rostered instead of 4, east's is untouched."""
    sc = make_scenario("store_defaults.couriers.count=[{start: '08:00', end: '16:00', "
                       "count: 4}]")

    def no_show(node: str, resource: str, vehicle: str | None, roster: Roster) -> Roster:
        if node == "west" and resource == "couriers":
            return roster.with_absent(1, 0, 2)
        return roster

    model = Model(sc, 3, roster_adjusters=[no_show])
    records = model.run()
    staffing = records["staffing"]
    first = staffing.groupby("node", sort=True)["rostered"].first()
    assert first.to_dict() == {"east": 4, "west": 2}
