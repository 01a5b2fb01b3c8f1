"""Wage cost and utilisation under rosters, against sums done by hand on small records."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.calendar.roster import Roster
from sim.core.records import FLEET_COLUMNS, STAFFING_COLUMNS, STATE_COLUMNS, TRIP_COLUMNS
from sim.metrics.economics import staffed_labour
from sim.metrics.utilisation import staffing, utilisation
from sim.metrics.window import MetricContext
from sim.scenario.calendar import ShiftSpec
from sim.scenario.schema import EconomicsSpec, VehicleSpec

H = 3600.0
NAN = math.nan


def frame(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """A record table from rows."""
    return pd.DataFrame(rows, columns=list(columns))


# pickers at store a: 3 from 08:00 to 16:00 and 2 from 12:00 to 20:00 (40 staff-hours);
# busy 2 from 09:00, 4 from 13:00, 1 from 16:00, none from 19:00 (23 busy hours)
PICKER_STATES = [(0.0, 0, 0), (8 * H, 0, 3), (9 * H, 2, 3), (12 * H, 2, 5), (13 * H, 4, 5),
                 (16 * H, 1, 2), (19 * H, 0, 2), (20 * H, 0, 0)]
STATES = frame(STATE_COLUMNS, [(t, "pickers", "a", b, c) for t, b, c in PICKER_STATES])
DAY_CTX = MetricContext(start=0.0, end=24 * H, stop=25 * H, promise=1800.0)


def test_roster_staff_hours_by_hand() -> None:
    """08-16 x 3 and 12-20 x 2 are 3 x 8 + 2 x 8 = 40 staff-hours a day, 5 at 12:00."""
    shifts = [ShiftSpec(start="08:00", end="16:00", count=3),
              ShiftSpec(start="12:00", end="20:00", count=2)]
    roster = Roster.of(shifts)
    assert roster.staffed_seconds(0.0, 24 * H) == 40 * H
    assert roster.steps(0.0, 24 * H) == [(0.0, 0), (8 * H, 3), (12 * H, 5), (16 * H, 2),
                                         (20 * H, 0)]
    # a no-show of one on the first shift of day 1 takes 8 staff-hours off that day only
    absent = roster.with_absent(1, 0, 1)
    assert absent.staffed_seconds(0.0, 24 * H) == 32 * H
    assert absent.staffed_seconds(24 * H, 48 * H) == 40 * H


def test_night_shift_spills_into_the_next_day() -> None:
    """22:00-06:00 x 2: day 1's night shift covers the morning of day 2 even though day
    2's own roster is 0 (a shift belongs to the day it starts on); day 1 opens with the
    night shift of the (normal) day before on duty."""
    night = [ShiftSpec(start="22:00", end="06:00", count=2)]
    roster = Roster.of(night, {2: 0})
    assert roster.steps(0.0, 3 * 24 * H) == [(0.0, 2), (6 * H, 0), (22 * H, 2),
                                             (30 * H, 0), (70 * H, 2)]


def test_utilisation_is_busy_over_staffed_time() -> None:
    """23 busy hours over 40 staffed hours, not over 5 pickers x 24 h; per clock hour
    too (12:00-13:00: 2 busy of 5 on duty)."""
    u = utilisation(STATES, DAY_CTX)
    assert u["pickers"]["overall"] == pytest.approx(23 / 40)
    s = staffing(STATES, True, DAY_CTX)
    assert s is not None
    p = s["pickers"]
    assert p["staffed_hours"] == pytest.approx(40) and p["busy_hours"] == pytest.approx(23)
    assert p["by_hour"]["12"] == {"staffed_hours": 5.0, "busy_hours": 2.0,
                                  "utilisation": 0.4}
    assert p["unstaffed_hours"] == 12.0  # 00:00-08:00 and 20:00-24:00


def test_wages_count_x_hours_x_rate() -> None:
    """Wages and vehicle costs summed by hand: pickers 40 h x 20; e-bikes on a roster
    (4 from 06:00, 1 from 18:00: 54 h) at their own 12 an hour, drones (2 all day: 48 h)
    at the default 30; km at the bike's 0.4 and the default 0.5; the bikes' fixed 50 a
    day each."""
    e = EconomicsSpec(picker_hour=20, courier_hour=30, courier_km=0.5)
    vehicles = {"bike": VehicleSpec(speed="5m/s", hour_cost=12, km_cost=0.4, day_cost=50),
                "drone": VehicleSpec(speed="15m/s", kind="drone")}
    ctx = MetricContext(start=0.0, end=24 * H, stop=25 * H, promise=1800.0, economics=e,
                        vehicles=vehicles)
    records = {
        "states": STATES,
        "staffing": frame(STAFFING_COLUMNS, [(0.0, "a", "couriers", "bike", 0, 0),
                                             (6 * H, "a", "couriers", "bike", 4, 4),
                                             (18 * H, "a", "couriers", "bike", 1, 1)]),
        "fleets": frame(FLEET_COLUMNS, [("a", "bike", "road", 4, 5.0, 1, 0.0, 0.0),
                                        ("a", "drone", "drone", 2, 15.0, 1, 0.0, 0.0)]),
        "trips": frame(TRIP_COLUMNS, [
            (0, "a", "a-c000", "bike", 7 * H, 7.5 * H, 1, "0", 10_000.0, NAN, NAN,
             "finished"),
            (1, "a", "a-c004", "drone", 9 * H, 9.2 * H, 1, "1", 3_000.0, NAN, NAN,
             "finished")]),
    }
    out = staffed_labour(records, ctx)
    assert out == pytest.approx({"pickers": 40 * 20, "courier_time": 54 * 12 + 48 * 30,
                                 "courier_distance": 10 * 0.4 + 3 * 0.5,
                                 "vehicle_fixed": 50 * 4})
