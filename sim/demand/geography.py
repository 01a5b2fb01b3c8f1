"""Where customers live and work: a population density over the city, independent of the
stores.

With ``placement: density`` each online customer's position is drawn from a density that
the scenario describes without reference to the stores: a raster of weights, zones
(circles or polygons), a list of addresses, or population centres scattered by the seed.
Positions come from their own stream (``demand/customers``; the centres' layout from
``demand/geography``), so the same seed gives the same customers, at the same times,
with the same baskets, whatever the store network: opening or closing a store is compared
on common random numbers.

Every draw is bounded: rejection (a zone partly outside the city, a polygon) runs a fixed
number of rounds whose size is set from the acceptance rate measured when the density is
built; a zone that the city does not overlap is refused then, with the field named.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass

import numpy as np
from numpy.random import Generator

from sim.core.sampling import MAX_REDRAWS
from sim.demand.arrivals import clustered_points
from sim.scenario.demand import (
    CentresDensitySpec,
    DensitySpec,
    PointsDensitySpec,
    RasterDensitySpec,
    ZonesDensitySpec,
    ZoneSpec,
)
from sim.scenario.errors import Loc, ScenarioError
from sim.scenario.files import read_text_file

DENSITY_FIELD: Loc = ("demand", "online", "customers", "density")
MAX_CELLS = 4_000_000
"""Largest raster (cells) or address list (rows) read: a 2,000 x 2,000 grid."""
PROBE = 4096
"""Candidate points drawn (from a fixed generator) to measure a zone's acceptance rate."""
MIN_ACCEPTANCE = 1e-4
"""A zone whose part inside the city is a smaller share of its bounding box is refused."""
SHARE_SAMPLE = 20_000
"""Points drawn (from a fixed generator) to estimate each store's share of customers."""


def _read_csv(path: str, where: Loc) -> list[list[str]]:
    rows = list(csv.reader(read_text_file(path, where).splitlines()))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ScenarioError(f"{path}: no rows", where)
    if len(rows) * max(len(r) for r in rows) > MAX_CELLS:
        raise ScenarioError(f"{path}: more than {MAX_CELLS:,} cells", where)
    return rows


def _numbers(path: str, rows: list[list[str]], first_line: int, where: Loc) -> np.ndarray:
    """The rows as a float matrix: every cell a finite number >= 0 where weights must be."""
    width = len(rows[0])
    out = np.empty((len(rows), width))
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ScenarioError(f"{path}: line {first_line + i} has {len(row)} values, the "
                                f"first has {width}", where)
        for j, cell in enumerate(row):
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise ScenarioError(f"{path}: line {first_line + i}, value {j + 1}: "
                                    f"{cell.strip()[:20]!r} is not a finite number", where)
            out[i, j] = value
    return out


def read_raster(spec: RasterDensitySpec, where: Loc = DENSITY_FIELD) -> np.ndarray:
    """The raster's weights, first row north: checked finite, non-negative, not all 0."""
    weights = _numbers(spec.file, _read_csv(spec.file, where), 1, where)
    if (weights < 0).any() or weights.sum() <= 0:
        raise ScenarioError(f"{spec.file}: weights must be >= 0 and not all 0", where)
    return weights


def read_points(spec: PointsDensitySpec, width: float, height: float,
                where: Loc = DENSITY_FIELD) -> np.ndarray:
    """The addresses as rows ``x, y, weight``, checked inside the city."""
    rows = _read_csv(spec.file, where)
    head = [c.strip().lower() for c in rows[0]]
    if head != ["x", "y", "weight"]:
        raise ScenarioError(f"{spec.file}: the first line must be the header x,y,weight",
                            where)
    if len(rows) < 2:
        raise ScenarioError(f"{spec.file}: no addresses after the header", where)
    pts = _numbers(spec.file, rows[1:], 2, where)
    outside = (pts[:, 0] < 0) | (pts[:, 0] > width) | (pts[:, 1] < 0) | (pts[:, 1] > height)
    if outside.any():
        line = int(np.argmax(outside)) + 2
        raise ScenarioError(f"{spec.file}: line {line}: the address lies outside the city "
                            f"(x 0..{width:g}, y 0..{height:g} m)", where)
    if (pts[:, 2] < 0).any() or pts[:, 2].sum() <= 0:
        raise ScenarioError(f"{spec.file}: weights must be >= 0 and not all 0", where)
    return pts


def inside_polygon(x: np.ndarray, y: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Which points lie inside the polygon (even-odd rule, vectorised over points)."""
    inside = np.zeros(x.shape, dtype=bool)
    xs, ys = corners[:, 0], corners[:, 1]
    for i in range(len(corners)):
        x1, y1, x2, y2 = xs[i - 1], ys[i - 1], xs[i], ys[i]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < at)
    return inside


@dataclass(frozen=True)
class _Zone:
    """A zone ready to draw from: its bounding box clipped to the city and the share of
    candidates in that box that are accepted."""

    spec: ZoneSpec
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    acceptance: float

    def accepts(self, pts: np.ndarray) -> np.ndarray:
        x, y = pts[:, 0], pts[:, 1]
        if self.spec.polygon is not None:
            return inside_polygon(x, y, np.asarray(self.spec.polygon, dtype=float))
        assert self.spec.centre is not None and self.spec.radius is not None
        cx, cy = self.spec.centre
        return np.hypot(x - cx, y - cy) <= self.spec.radius

    def candidates(self, rng: Generator, k: int) -> np.ndarray:
        x0, y0, x1, y1 = self.box
        if self.spec.polygon is None:  # a circle: uniform in the disc, exactly
            assert self.spec.centre is not None and self.spec.radius is not None
            r = self.spec.radius * np.sqrt(rng.random(k))
            a = rng.uniform(0.0, 2 * math.pi, k)
            cx, cy = self.spec.centre
            return np.column_stack([cx + r * np.cos(a), cy + r * np.sin(a)])
        return np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])

    def draw(self, rng: Generator, k: int, width: float, height: float) -> np.ndarray:
        """``k`` points uniform over the zone's part inside the city (bounded rounds)."""
        out = np.empty((k, 2))
        got = 0
        batch = max(16, math.ceil(1.25 * k / self.acceptance))
        for _ in range(MAX_REDRAWS + math.ceil(1 / self.acceptance)):
            if got == k:
                break
            pts = self.candidates(rng, min(batch, 1_000_000))
            keep = pts[self._fits(pts, width, height)]
            take = min(k - got, len(keep))
            out[got:got + take] = keep[:take]
            got += take
        if got < k:  # vanishingly unlikely after the rounds above; never loop forever
            if got == 0:
                raise ScenarioError("cannot draw customers in a zone: its area inside the "
                                    "city is too small", DENSITY_FIELD)
            out[got:] = out[rng.integers(0, got, k - got)]
        return out

    def _fits(self, pts: np.ndarray, width: float, height: float) -> np.ndarray:
        inside_city = ((pts[:, 0] >= 0) & (pts[:, 0] <= width) & (pts[:, 1] >= 0)
                       & (pts[:, 1] <= height))
        if self.spec.polygon is None:
            return inside_city
        return inside_city & self.accepts(pts)


def _zone(spec: ZoneSpec, index: int, width: float, height: float) -> _Zone:
    where = (*DENSITY_FIELD, "zones", index)
    if spec.polygon is not None:
        corners = np.asarray(spec.polygon, dtype=float)
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    else:
        assert spec.centre is not None and spec.radius is not None
        (cx, cy), r = spec.centre, spec.radius
        x0, y0, x1, y1 = cx - r, cy - r, cx + r, cy + r
    box = (max(0.0, x0), max(0.0, y0), min(width, x1), min(height, y1))
    if box[0] >= box[2] or box[1] >= box[3]:
        raise ScenarioError("the zone lies outside the city", where)
    zone = _Zone(spec, box, 1.0)
    probe = zone.candidates(np.random.Generator(np.random.PCG64(index)), PROBE)
    acceptance = float(zone._fits(probe, width, height).mean())
    if acceptance < MIN_ACCEPTANCE:
        raise ScenarioError("the zone has (almost) no area inside the city", where)
    return _Zone(spec, box, acceptance)


class Geography:
    """A population density over the city: draws customers' positions from it."""

    def __init__(self, spec: DensitySpec, width: float, height: float,
                 layout: Generator, data: np.ndarray | None = None) -> None:
        """``layout`` draws what the density itself is random in (the population centres);
        ``data`` is the raster or the address list when read already (else read here)."""
        self.spec, self.width, self.height = spec, width, height
        self._zones: list[_Zone] = []
        self._weights = np.ones(1)
        self._data = np.zeros((0, 0))
        if isinstance(spec, RasterDensitySpec):
            self._data = data if data is not None else read_raster(spec)
            self._weights = self._data.ravel() / self._data.sum()
        elif isinstance(spec, PointsDensitySpec):
            self._data = data if data is not None else read_points(spec, width, height)
            self._weights = self._data[:, 2] / self._data[:, 2].sum()
        elif isinstance(spec, ZonesDensitySpec):
            self._zones = [_zone(z, i, width, height) for i, z in enumerate(spec.zones)]
            w = np.array([z.weight for z in spec.zones], dtype=float)
            if w.sum() <= 0:
                raise ScenarioError("zone weights must not all be 0", (*DENSITY_FIELD,
                                                                       "zones"))
            self._weights = w / w.sum()
        elif isinstance(spec, CentresDensitySpec):
            self._data = np.column_stack([layout.uniform(0, width, spec.count),
                                          layout.uniform(0, height, spec.count)])
            if spec.size_cv > 0:
                s2 = math.log1p(spec.size_cv ** 2)
                sizes = layout.lognormal(-s2 / 2, math.sqrt(s2), spec.count)
            else:
                sizes = np.ones(spec.count)
            self._weights = sizes / sizes.sum()

    @property
    def centres(self) -> np.ndarray:
        """The population centres (``kind: centres``), shape ``(count, 2)``."""
        return self._data if isinstance(self.spec, CentresDensitySpec) else np.zeros((0, 2))

    def draw(self, rng: Generator, n: int) -> np.ndarray:
        """``n`` customer positions, shape ``(n, 2)``."""
        spec, w, h = self.spec, self.width, self.height
        if isinstance(spec, RasterDensitySpec):
            rows, cols = self._data.shape
            cell = rng.choice(self._weights.size, size=n, p=self._weights)
            r, c = np.divmod(cell, cols)
            x = (c + rng.random(n)) * (w / cols)
            y = h - (r + rng.random(n)) * (h / rows)
            return np.column_stack([x, y])
        if isinstance(spec, PointsDensitySpec):
            which = rng.choice(len(self._weights), size=n, p=self._weights)
            return self._data[which, :2].copy()
        background = rng.random(n) < spec.background
        out = np.empty((n, 2))
        k = int(background.sum())
        out[background] = np.column_stack([rng.uniform(0, w, k), rng.uniform(0, h, k)])
        rest = ~background
        m = n - k
        if isinstance(spec, CentresDensitySpec):
            out[rest] = clustered_points(rng, m, self._data, self._weights, spec.spread, w, h)
            return out
        which = rng.choice(len(self._zones), size=m, p=self._weights)
        pts = np.empty((m, 2))
        for i, zone in enumerate(self._zones):
            mine = which == i
            if mine.any():
                pts[mine] = zone.draw(rng, int(mine.sum()), w, h)
        out[rest] = pts
        return out

    def shares(self, nodes: np.ndarray) -> np.ndarray:
        """Each node's expected share of customers: those nearer to it than to any other
        node (straight line), estimated from a fixed sample (no stream is used)."""
        if len(nodes) == 0:
            return np.zeros(0)
        from scipy.spatial import cKDTree

        pts = self.draw(np.random.Generator(np.random.PCG64(20_000)), SHARE_SAMPLE)
        _, nearest = cKDTree(nodes).query(pts)
        return np.bincount(nearest, minlength=len(nodes)) / SHARE_SAMPLE


def read_density(spec: DensitySpec, width: float, height: float) -> np.ndarray | None:
    """The file a density reads (raster weights or address list), checked; None for the
    densities that read no file (their zones are checked against the city here too, so
    ``validate`` refuses what a run would)."""
    if isinstance(spec, ZonesDensitySpec):
        for i, z in enumerate(spec.zones):
            _zone(z, i, width, height)
    if isinstance(spec, RasterDensitySpec):
        return read_raster(spec)
    if isinstance(spec, PointsDensitySpec):
        return read_points(spec, width, height)
    return None
