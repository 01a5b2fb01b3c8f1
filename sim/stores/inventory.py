"""Shelf stock of a node, shared by walk-in shoppers and online orders, with its ledger.

Per SKU the stock keeps integer units in a few buckets and never lets one go negative:

- ``levels`` (free): on the shelf and not promised to anyone; walk-ins take from here,
  online orders reserve from here above the SKU's *protection level* (the last k units
  are kept for walk-ins);
- ``held``: on the shelf but set aside for accepted online orders not yet picked
  (reservation at order time), or in the picker's basket (reservation at pick time);
- ``on_order``: ordered from a supplier and not yet arrived.

On hand is free + held. The inventory position a replenishment policy looks at is free +
on order (held units are as good as sold). Every change is counted in the SKU's ledger
(ordered, received, shorted by the supplier, sold per channel, removed as write-offs,
walk-in units lost), so at any time::

    initial + received = on_hand + sold_walkin + sold_online + removed
    ordered            = received + shorted + on_order

:meth:`ShelfStock.check` verifies both for every SKU (the model does at the end of every
run) and :meth:`ShelfStock.ledger_rows` writes them to the ``stock_ledger`` table. Node
totals go to ``stock_levels`` at every change (time-weighted inventory and on-order), and
every time a SKU's free units reach zero a row goes to ``stockouts``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from sim.core.env import SimEnv
from sim.core.records import LEDGER_COLUMNS, STOCK_LEVEL_COLUMNS, STOCKOUT_COLUMNS
from sim.demand.catalog import Basket

Lines = Sequence[tuple[int, int]]
"""``(sku, units)`` pairs."""


def sku_classes(n: int, shares: Mapping[str, float]) -> tuple[list[str], npt.NDArray[np.int_]]:
    """Class names and the class index of each of ``n`` SKUs ranked by popularity.

    Classes take consecutive popularity ranks in the order given, each its share of the
    SKUs (shares are normalised; the last class takes what rounding leaves).
    """
    names = list(shares)
    w = np.asarray([shares[k] for k in names], dtype=float)
    bounds = np.rint(np.cumsum(w / w.sum()) * n).astype(int)
    bounds[-1] = n
    index = np.searchsorted(bounds, np.arange(n), side="right")
    return names, index.clip(0, len(names) - 1)


class ShelfStock:
    """Units per SKU of one node; ``levels=None`` means unlimited stock (no ledger).

    ``protection`` is the number of units per SKU online orders may not take;
    ``daily`` the expected daily demand per SKU (for days of cover and policies).
    """

    def __init__(self, env: SimEnv, node: str, levels: list[int] | None, *,
                 protection: Sequence[int] | None = None, daily: Sequence[float] | None = None,
                 sku_class: Sequence[int] | None = None,
                 class_names: Sequence[str] = ()) -> None:
        self._env = env
        self.node = node
        self.levels = levels
        self._stockouts = env.recorder.table("stockouts", STOCKOUT_COLUMNS)
        self._level_rows = env.recorder.table("stock_levels", STOCK_LEVEL_COLUMNS)
        n = 0 if levels is None else len(levels)
        self.size = n
        self.protect: list[int] | None = (
            None if protection is None or not any(protection) else [int(p) for p in protection])
        self.daily = list(daily) if daily is not None else [0.0] * n
        self.sku_class = list(sku_class) if sku_class is not None else [0] * n
        self.class_names = list(class_names) or ["all"]
        self.initial = list(levels) if levels is not None else []
        self.held = [0] * n
        self.on_order = [0] * n
        self.ordered = [0] * n
        self.received = [0] * n
        self.shorted = [0] * n
        self.sold_walkin = [0] * n
        self.sold_online = [0] * n
        self.removed = [0] * n
        self.lost_walkin = [0] * n
        self.reorder_at: list[int] | None = None
        """Continuous review: :attr:`on_low` is called when a SKU's position falls to this."""
        self.on_low: Callable[[int], None] = lambda sku: None
        self.on_hand_total = sum(levels) if levels is not None else 0
        self.held_total = 0
        self.on_order_total = 0
        self.sold_total = 0
        self.removed_total = 0
        if levels is not None:
            self._row()
            env.recorder.on_finish(self._finish)

    # ------------------------------------------------------------------ queries

    @property
    def unlimited(self) -> bool:
        """True when the shelves never run out."""
        return self.levels is None

    def has(self, basket: Basket, channel: str = "online") -> bool:
        """True when every line of ``basket`` can be promised to ``channel`` in full
        (online orders only above the protection level)."""
        lv = self.levels
        if lv is None:
            return True
        pr = self.protect
        if pr is None or channel != "online":
            return all(lv[sku] >= qty for sku, qty in basket)
        return all(lv[sku] - pr[sku] >= qty for sku, qty in basket)

    def available(self, sku: int) -> float:
        """Units of ``sku`` an online order may still take (inf when unlimited)."""
        lv = self.levels
        if lv is None:
            return math.inf
        return lv[sku] - (self.protect[sku] if self.protect is not None else 0)

    def position(self, sku: int) -> int:
        """Inventory position of ``sku``: free on the shelf plus on order."""
        assert self.levels is not None
        return self.levels[sku] + self.on_order[sku]

    def total_units(self) -> int:
        """Units on hand in all (0 when unlimited)."""
        return self.on_hand_total

    # ------------------------------------------------------------------ changes

    def _row(self) -> None:
        self._level_rows.append((self._env.now, self.node, self.on_hand_total,
                                 self.held_total, self.on_order_total, self.sold_total,
                                 self.removed_total))

    def _emptied(self, sku: int, channel: str) -> None:
        self._stockouts.append((self._env.now, self.node, sku, channel))

    def _check_low(self, sku: int) -> None:
        """Continuous review: tell the policy when ``sku``'s position is at its point."""
        ro = self.reorder_at
        if ro is not None and self.levels is not None \
                and self.levels[sku] + self.on_order[sku] <= ro[sku]:
            self.on_low(sku)

    def reserve(self, basket: Basket) -> None:
        """Set a whole basket aside for an online order (the caller checked :meth:`has`)."""
        lv = self.levels
        if lv is None:
            return
        held, units, ro = self.held, 0, self.reorder_at
        for sku, qty in basket:
            left = lv[sku] - qty
            if left < 0:
                raise RuntimeError(f"{self.node}: reserving {qty} of SKU {sku} with "
                                   f"{lv[sku]} free")
            lv[sku] = left
            held[sku] += qty
            units += qty
            if left == 0:
                self._emptied(sku, "online")
            if ro is not None and left + self.on_order[sku] <= ro[sku]:
                self.on_low(sku)
        self.held_total += units
        self._row()

    def hold_available(self, lines: Lines) -> tuple[list[tuple[int, int]],
                                                     list[tuple[int, int]]]:
        """The picker takes what is on the shelf of each line: ``(held, short)`` lines."""
        lv = self.levels
        if lv is None:
            return list(lines), []
        got: list[tuple[int, int]] = []
        short: list[tuple[int, int]] = []
        units = 0
        for sku, qty in lines:
            have = lv[sku]
            take = qty if qty <= have else have
            if take < qty:
                short.append((sku, qty - take))
            if take > 0:
                lv[sku] = have - take
                self.held[sku] += take
                units += take
                got.append((sku, take))
                if have == take:
                    self._emptied(sku, "online")
                self._check_low(sku)
        if units:
            self.held_total += units
            self._row()
        return got, short

    def write_off(self, lines: Lines) -> None:
        """Held units that turned out not to be there (misplaced, damaged): removed."""
        if self.levels is None or not lines:
            return
        self.removed_total += self._take_held(lines, self.removed, "writing off")
        self._row()

    def commit(self, lines: Lines) -> None:
        """Held units leave with a picked online order: sold."""
        if self.levels is None or not lines:
            return
        self.sold_total += self._take_held(lines, self.sold_online, "selling")
        self._row()

    def unsell(self, lines: Lines) -> None:
        """Units of a packed online order whose customer cancelled go back on the shelf
        (the reverse of :meth:`commit`)."""
        if self.levels is None or not lines:
            return
        units = self._to_shelf(lines, self.sold_online, "putting back", "sold online")
        self.sold_total -= units
        self.on_hand_total += units
        self._row()

    def _take_held(self, lines: Lines, into: list[int], verb: str) -> int:
        """Move held units of ``lines`` off the shelf into the counter ``into``.

        Shared by ``write_off`` and ``commit``: both take units that a reservation
        holds and differ only in where the units are counted. Returns the units moved.
        """
        held = self.held
        units = 0
        for sku, qty in lines:
            if qty > held[sku]:
                raise RuntimeError(f"{self.node}: {verb} {qty} of SKU {sku} with "
                                   f"{held[sku]} held")
            held[sku] -= qty
            into[sku] += qty
            units += qty
        self.held_total -= units
        self.on_hand_total -= units
        return units

    def release(self, lines: Lines) -> None:
        """Held units go back on the shelf (the order went elsewhere or was cancelled)."""
        if self.levels is None or not lines:
            return
        self.held_total -= self._to_shelf(lines, self.held, "releasing", "held")
        self._row()

    def _to_shelf(self, lines: Lines, source: list[int], verb: str, what: str) -> int:
        """Move units of ``lines`` from the counter ``source`` back to the free shelf.

        Shared by ``release`` (held units) and ``unsell`` (units sold to an order whose
        customer cancelled). Returns the units moved."""
        lv = self.levels
        assert lv is not None
        units = 0
        for sku, qty in lines:
            if qty > source[sku]:
                raise RuntimeError(f"{self.node}: {verb} {qty} of SKU {sku} with "
                                   f"{source[sku]} {what}")
            source[sku] -= qty
            lv[sku] += qty
            units += qty
        return units

    def take_available(self, basket: Basket, channel: str) -> int:
        """Sell what is there of each line (walk-ins); the rest is a lost sale. Returns
        the units actually taken."""
        lv = self.levels
        if lv is None:
            return sum(q for _, q in basket)
        sold = self.sold_online if channel == "online" else self.sold_walkin
        taken, ro = 0, self.reorder_at
        for sku, qty in basket:
            have = lv[sku]
            got = qty if qty < have else have
            if got < qty:
                self.lost_walkin[sku] += qty - got
            if got <= 0:
                continue
            lv[sku] = have - got
            sold[sku] += got
            taken += got
            if have == got:
                self._emptied(sku, channel)
            if ro is not None and have - got + self.on_order[sku] <= ro[sku]:
                self.on_low(sku)
        if taken:
            self.on_hand_total -= taken
            self.sold_total += taken
            self._row()
        return taken

    def order(self, lines: Lines) -> None:
        """Units ordered from a supplier: on order until :meth:`receive`."""
        if self.levels is None or not lines:
            return
        units = 0
        for sku, qty in lines:
            self.on_order[sku] += qty
            self.ordered[sku] += qty
            units += qty
        self.on_order_total += units
        self._row()

    def receive(self, ordered: Lines, delivered: Iterable[tuple[int, int]]) -> int:
        """Goods of one replenishment order arrive: ``delivered`` go on the shelf, the rest
        of ``ordered`` was shorted by the supplier. Returns the units received."""
        lv = self.levels
        if lv is None:
            return 0
        got: dict[int, int] = {}
        for sku, qty in delivered:
            got[sku] = got.get(sku, 0) + int(qty)
        units_in = units_out = 0
        for sku, qty in ordered:
            came = min(got.pop(sku, 0), qty)
            self.on_order[sku] -= qty
            self.received[sku] += came
            self.shorted[sku] += qty - came
            lv[sku] += came
            units_in += came
            units_out += qty
        if got:
            raise RuntimeError(f"{self.node}: delivery of SKUs never ordered: {sorted(got)}")
        self.on_order_total -= units_out
        self.on_hand_total += units_in
        self._row()
        return units_in

    # ------------------------------------------------------------------ ledger

    def imbalances(self) -> list[str]:
        """Every SKU whose ledger does not balance or whose stock is negative."""
        if self.levels is None:
            return []
        bad = []
        for sku in range(self.size):
            free, held = self.levels[sku], self.held[sku]
            on_hand = free + held
            if min(free, held, self.on_order[sku]) < 0:
                bad.append(f"{self.node} SKU {sku}: negative stock (free {free}, held {held}, "
                           f"on order {self.on_order[sku]})")
            if self.initial[sku] + self.received[sku] != (
                    on_hand + self.sold_walkin[sku] + self.sold_online[sku] + self.removed[sku]):
                bad.append(f"{self.node} SKU {sku}: initial + received != on hand + sold + "
                           "removed")
            if self.ordered[sku] != self.received[sku] + self.shorted[sku] + self.on_order[sku]:
                bad.append(f"{self.node} SKU {sku}: ordered != received + shorted + on order")
        if sum(self.levels) + sum(self.held) != self.on_hand_total \
                or sum(self.held) != self.held_total or sum(self.on_order) != self.on_order_total \
                or sum(self.sold_walkin) + sum(self.sold_online) != self.sold_total \
                or sum(self.removed) != self.removed_total:
            bad.append(f"{self.node}: node totals disagree with the SKU levels")
        return bad

    def check(self) -> None:
        """Raise if any SKU's ledger does not balance (a bug, never bad input)."""
        bad = self.imbalances()
        if bad:
            more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
            raise RuntimeError("inventory identity broken: " + "; ".join(bad[:3]) + more)

    def ledger_rows(self) -> list[tuple[object, ...]]:
        """One ``stock_ledger`` row per SKU (see :data:`LEDGER_COLUMNS`)."""
        if self.levels is None:
            return []
        names = self.class_names
        return [
            (self.node, sku, names[self.sku_class[sku]], self.initial[sku], self.ordered[sku],
             self.received[sku], self.shorted[sku], self.on_order[sku],
             self.levels[sku] + self.held[sku], self.held[sku], self.sold_walkin[sku],
             self.sold_online[sku], self.removed[sku], self.lost_walkin[sku])
            for sku in range(self.size)
        ]

    def _finish(self) -> None:
        self.check()
        self._env.recorder.table("stock_ledger", LEDGER_COLUMNS).rows.extend(self.ledger_rows())


def initial_levels(daily_units: float, popularity: npt.NDArray[np.float64], cover_days: float,
                   min_units: int) -> list[int]:
    """Units per SKU for ``cover_days`` of the expected demand, at least ``min_units``."""
    want = np.ceil(cover_days * daily_units * popularity - 1e-9)
    return [int(max(min_units, u)) if math.isfinite(u) else min_units for u in want]
