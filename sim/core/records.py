"""The columns of every record table: the contract between the model and the metrics.

Components write rows in these column orders; metrics, plots and reports read them by
name. Times are clock seconds (seconds after midnight of the first day), distances
metres. Keeping the layouts here lets the metrics read records without importing the
model.
"""

from __future__ import annotations

# Terminal states of an order: every created order ends in exactly one of the first three,
# or is still in progress when the run stops.
DELIVERED, REJECTED, CANCELLED, IN_PROGRESS = "delivered", "rejected", "cancelled", "in_progress"

ORDER_COLUMNS = (
    "order_id", "created", "x", "y", "lines", "units", "status", "reason", "node",
    "accepted", "due", "pick_start", "pick_end", "ready", "dispatched", "delivered",
    "courier", "trip",
)
"""``orders``: one row per online order, a timestamp per stage (NaN when not reached)."""

TRIP_COLUMNS = ("trip_id", "node", "courier", "vehicle", "start", "end", "orders", "stops",
                "distance_m", "first_delivery", "last_delivery")
"""``trips``: one row per finished courier trip; ``stops`` lists order ids in visit order."""

STATE_COLUMNS = ("time", "resource", "node", "busy", "capacity")
"""``states``: a resource's busy count at every change (pickers, couriers, ...)."""

STOCKOUT_COLUMNS = ("time", "node", "sku", "channel")
"""``stockouts``: a SKU's shelf became empty; ``channel`` is who took the last unit."""

WALKIN_COLUMNS = ("time", "node", "lines", "units_wanted", "units_sold")
"""``walkins``: one row per walk-in visit."""

FLEET_COLUMNS = ("node", "vehicle", "kind", "couriers", "speed_mps", "capacity", "x", "y")
"""``fleets``: one row per fleet of a node (vehicle type, how it moves, size, home)."""

DISPATCH_COLUMNS = ("dispatch_id", "time", "node", "policy", "solver", "orders_ready",
                    "orders_upcoming", "couriers_idle", "couriers_soon", "trips_started",
                    "orders_dispatched", "orders_held", "objective", "status", "work",
                    "capped")
"""``dispatches``: one row per dispatch decision that solved a routing problem: the orders
and couriers it planned (ready now / soon), the trips and orders it started, the ready
orders it held back, the plan's objective (courier-minutes), the solver status, the
deterministic work done (OR-Tools solutions, PyVRP iterations, insertions) and whether
the wall-clock cap stopped the search (then the run is not reproducible)."""

SOLVE_TIME_COLUMNS = ("dispatch_id", "time", "node", "build_ms", "solve_ms")
"""``solve_times``: wall-clock milliseconds of each dispatch decision: building the routing
problem (travel matrices included) and solving it (the sim clock does not move meanwhile).
The one record that differs between runs with the same seed, so it is not written as a
CSV: see :data:`WALLCLOCK_TABLES`."""

WALLCLOCK_TABLES = frozenset({"solve_times"})
"""Tables of wall-clock measurements: kept out of the CSVs and ``metrics.json`` (which are
byte-identical for the same scenario and seed) and summarised in ``wallclock.json``."""
