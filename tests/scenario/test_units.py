"""Human units are converted once, to seconds, metres and metres per second."""

import pytest

from sim.scenario.units import parse_distance, parse_duration, parse_speed, parse_time_of_day


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("30min", 1800), ("2h", 7200), ("1h30min", 5400), ("1h 30min", 5400),
    ("1.5h", 5400), ("250ms", 0.25), ("2 days", 172800), (0, 0), ("0", 0),
])
def test_durations(text, seconds):
    """Durations accept compound human units, and a bare 0."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "metres"), [("3km", 3000), ("500m", 500), ("0.2km", 200),
                                              (0, 0)])
def test_distances(text, metres):
    """Distances accept m and km."""
    assert parse_distance(text) == pytest.approx(metres)


@pytest.mark.parametrize(("text", "mps"), [("18km/h", 5.0), ("1.5m/s", 1.5), ("4 m/s", 4.0)])
def test_speeds(text, mps):
    """Speeds accept km/h and m/s."""
    assert parse_speed(text) == pytest.approx(mps)


@pytest.mark.parametrize(("text", "seconds"), [("07:30", 27000), ("00:00", 0),
                                               ("23:59:30", 86370), ("6h", 21600)])
def test_time_of_day(text, seconds):
    """Clock times are seconds after midnight."""
    assert parse_time_of_day(text) == seconds


@pytest.mark.parametrize("bad", ["3 parsecs", "km", "1h30", "", "fast", True, None, [1]])
def test_bad_durations(bad):
    """Anything that is not a duration is refused with a message that says so."""
    with pytest.raises(ValueError, match=r"duration|boolean"):
        parse_duration(bad)


def test_units_not_mixed():
    """A distance is not a duration: '3km' is refused where time is expected."""
    with pytest.raises(ValueError):
        parse_duration("3km")
    with pytest.raises(ValueError):
        parse_distance("30min")
    with pytest.raises(ValueError):
        parse_time_of_day("25:00")
