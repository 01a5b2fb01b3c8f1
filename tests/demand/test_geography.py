"""Customers drawn from a population density that does not depend on the stores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare

from sim.cli import main
from sim.demand.geography import Geography, inside_polygon
from sim.scenario.demand import (
    CentresDensitySpec,
    PointsDensitySpec,
    RasterDensitySpec,
    ZonesDensitySpec,
)
from sim.scenario.errors import ScenarioError
from tests.conftest import SCENARIOS

W, H = 8000.0, 8000.0


def rng(seed: int = 1) -> np.random.Generator:
    """A fresh generator for one test."""
    return np.random.default_rng(seed)


def m(value: float) -> str:
    """A distance in metres as the scenario writes it."""
    return f"{value:g}m"


def zone(**fields: object) -> dict[str, object]:
    """A zone mapping with its distances in metres."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        if key == "centre":
            out[key] = [m(v) for v in value]  # type: ignore[attr-defined]
        elif key == "polygon":
            out[key] = [[m(a), m(b)] for a, b in value]  # type: ignore[attr-defined]
        elif key == "radius":
            out[key] = m(value)  # type: ignore[arg-type]
        else:
            out[key] = value
    return out


def zones(*items: dict[str, object], background: float = 0.0) -> ZonesDensitySpec:
    """A zones density from zone mappings."""
    return ZonesDensitySpec.model_validate({"kind": "zones", "zones": list(items),
                                            "background": background})


def disc(radius: float, centre: tuple[float, float] = (4000.0, 4000.0)) -> ZonesDensitySpec:
    """One circular zone and no background."""
    return zones(zone(centre=centre, radius=radius))


def test_uniform_disc_mean_distance_is_two_thirds_of_the_radius() -> None:
    """Uniform over a disc of radius R: the mean distance to its centre is 2R/3 (1%)."""
    geo = Geography(disc(2500.0), W, H, rng())
    pts = geo.draw(rng(2), 200_000)
    mean = np.hypot(pts[:, 0] - 4000, pts[:, 1] - 4000).mean()
    assert mean == pytest.approx(2 * 2500 / 3, rel=0.01)
    assert np.hypot(pts[:, 0] - 4000, pts[:, 1] - 4000).max() <= 2500


def test_raster_cell_counts_match_the_weights(tmp_path: Path) -> None:
    """Cell counts of a raster's draws fit its weights (chi-square at 1%); the first row
    is the north edge."""
    weights = np.array([[1, 0, 3, 2], [5, 1, 0, 4], [2, 2, 1, 6]], dtype=float)
    f = tmp_path / "raster.csv"
    f.write_text("\n".join(",".join(f"{w:g}" for w in row) for row in weights))
    spec = RasterDensitySpec.model_validate({"kind": "raster", "file": str(f)})
    pts = Geography(spec, W, H, rng()).draw(rng(3), 60_000)
    col = np.minimum((pts[:, 0] / (W / 4)).astype(int), 3)
    row = np.minimum(((H - pts[:, 1]) / (H / 3)).astype(int), 2)
    counts = np.bincount(row * 4 + col, minlength=12)
    flat = weights.ravel()
    assert (counts[flat == 0] == 0).all()
    expected = flat[flat > 0] / flat.sum() * len(pts)
    assert chisquare(counts[flat > 0], expected).pvalue > 0.01
    assert counts[0 * 4 + 2] > counts[2 * 4 + 2]  # north-east-ish cell (3) > south (1)


def test_polygon_zone_keeps_its_points_inside() -> None:
    """A polygon zone (an L shape) gets points inside it only, spread over its area."""
    corners = [(1000, 1000), (5000, 1000), (5000, 2000), (2000, 2000), (2000, 6000),
               (1000, 6000)]
    spec = zones(zone(polygon=corners))
    pts = Geography(spec, W, H, rng()).draw(rng(4), 20_000)
    assert inside_polygon(pts[:, 0], pts[:, 1], np.array(corners, dtype=float)).all()
    # the L's two arms hold area 4e6 (bottom bar) and 4e6 (upright above y=2000)
    assert (pts[:, 1] > 2000).mean() == pytest.approx(0.5, abs=0.02)


def test_zone_partly_outside_the_city_is_cut_to_it() -> None:
    """A disc over the city's corner gives points inside the city only."""
    pts = Geography(disc(1500.0, (0.0, 0.0)), W, H, rng()).draw(rng(5), 5_000)
    assert (pts >= 0).all() and (np.hypot(pts[:, 0], pts[:, 1]) <= 1500).all()


def test_zone_outside_the_city_is_refused() -> None:
    """A zone the city does not overlap is an input error naming the zone."""
    with pytest.raises(ScenarioError, match="outside the city") as err:
        Geography(disc(100.0, (9000.0, 9000.0)), W, H, rng())
    assert err.value.path[-2:] == ("zones", 0)


def test_background_share() -> None:
    """``background`` puts that share of customers anywhere in the city."""
    spec = zones(zone(centre=(1000, 1000), radius=500), background=0.3)
    pts = Geography(spec, W, H, rng()).draw(rng(6), 50_000)
    far = np.hypot(pts[:, 0] - 1000, pts[:, 1] - 1000) > 500
    # the background falls outside the disc with probability 1 - area share
    outside_share = 1 - np.pi * 500**2 / (W * H)
    assert far.mean() == pytest.approx(0.3 * outside_share, abs=0.01)


def test_points_are_drawn_by_weight(tmp_path: Path) -> None:
    """An address list: customers only at the addresses, in proportion to the weights."""
    f = tmp_path / "points.csv"
    f.write_text("x,y,weight\n100,100,1\n2000,3000,3\n7000,500,0\n")
    spec = PointsDensitySpec.model_validate({"kind": "points", "file": str(f)})
    pts = Geography(spec, W, H, rng()).draw(rng(7), 40_000)
    at_second = (pts[:, 0] == 2000) & (pts[:, 1] == 3000)
    assert ((pts[:, 0] == 100) | at_second).all()
    assert at_second.mean() == pytest.approx(0.75, abs=0.01)


def test_centres_are_the_seeds_not_the_stores() -> None:
    """Population centres come from the layout stream: same stream, same centres."""
    spec = CentresDensitySpec.model_validate({"kind": "centres", "count": 12,
                                              "spread": "600m"})
    a, b = Geography(spec, W, H, rng(9)), Geography(spec, W, H, rng(9))
    assert np.array_equal(a.centres, b.centres) and a.centres.shape == (12, 2)
    assert not np.array_equal(a.centres, Geography(spec, W, H, rng(10)).centres)


def test_store_shares_split_the_city() -> None:
    """Each store's share is the customers nearer to it: halves for a symmetric pair."""
    geo = Geography(disc(3000.0), W, H, rng())
    shares = geo.shares(np.array([[2000.0, 4000.0], [6000.0, 4000.0]]))
    assert shares.sum() == pytest.approx(1.0) and shares[0] == pytest.approx(0.5, abs=0.02)


def _run(tmp_path: Path, name: str, *sets: str) -> pd.DataFrame:
    short = ("run.start=10:00", "run.duration=30min", "run.warmup=5min", "run.drain=30min")
    argv = ["run", str(SCENARIOS / "hema_city.yaml"), "--quiet", "--no-plots", "--out",
            str(tmp_path / name), "--set", "demand.online.customers.placement=density",
            "--set", "demand.online.customers.density={kind: centres, count: 20, "
            "spread: 700m}"]
    for item in (*short, *sets):
        argv += ["--set", item]
    assert main(argv) == 0
    return pd.read_csv(tmp_path / name / "orders.csv")


def test_same_customers_whatever_the_stores(tmp_path: Path) -> None:
    """Common random numbers across store networks: closing a store changes neither the
    customers' times and places nor their baskets."""
    five = _run(tmp_path, "five")
    four = _run(tmp_path, "four", "stores=[{name: north-west, location: [2km, 6km]}, "
                "{name: north-east, location: [6km, 6km]}, {name: south-west, location: "
                "[2km, 2km]}, {name: south-east, location: [6km, 2km]}]")
    cols = ["order_id", "created", "x", "y", "lines", "units"]
    assert len(five) > 500
    assert five[cols].equals(four[cols])
    assert set(four["node"].dropna()) <= {"north-west", "north-east", "south-west",
                                          "south-east"}


def test_bad_raster_is_a_one_line_error(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A raster cell that is not a number: exit 2 naming the file and line."""
    f = tmp_path / "raster.csv"
    f.write_text("1,2\n3,x\n")
    assert main(["validate", str(SCENARIOS / "hema_city.yaml"), "--set",
                 f"demand.online.customers.density={{kind: raster, file: {f}}}"]) == 2
    err = capsys.readouterr().err
    assert "raster.csv: line 2, value 2" in err and "Traceback" not in err


def test_validate_refuses_a_zone_outside_the_city(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """``validate`` checks zones against the city as a run would (exit 2, field named)."""
    assert main(["validate", str(SCENARIOS / "hema_city.yaml"), "--set",
                 "demand.online.customers.density={kind: zones, "
                 "zones: [{centre: [20km, 20km], radius: 1km}]}"]) == 2
    err = capsys.readouterr().err
    assert "density.zones[0]" in err and "outside the city" in err


def test_layout_seed_keeps_the_city_across_replication_seeds() -> None:
    """With ``layout_seed`` the population centres (the city) stay put while the run's
    seed varies the customers; without it each seed lays out a different city."""
    from sim.model import Model
    from sim.scenario import parse_scenario

    text = (SCENARIOS / "hema_city.yaml").read_text()
    raw = {"kind": "centres", "count": 20, "spread": "700m"}

    def city(seed: int, **extra: object) -> tuple[np.ndarray, np.ndarray]:
        scenario = parse_scenario(text, overrides=[
            "demand.online.customers.placement=density",
            "demand.online.customers.density="
            + str({**raw, **extra}).replace("'", "")])
        online = Model(scenario, seed).online
        assert online.geography is not None and online.geography.centres is not None
        return online.geography.centres, np.array([(p.x, p.y) for p in online.places[:50]])

    fixed1, who1 = city(1, layout_seed=5)
    fixed2, who2 = city(2, layout_seed=5)
    assert np.array_equal(fixed1, fixed2) and not np.array_equal(who1, who2)
    free1, _ = city(1)
    free2, _ = city(2)
    assert not np.array_equal(free1, free2)
