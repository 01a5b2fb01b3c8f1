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
