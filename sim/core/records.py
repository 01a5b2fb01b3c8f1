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

FINISHED, UNDER_WAY = "finished", "under_way"
TRIP_COLUMNS = ("trip_id", "node", "courier", "vehicle", "start", "end", "orders", "stops",
                "distance_m", "first_delivery", "last_delivery", "status")
"""``trips``: one row per courier trip started; ``stops`` lists order ids in visit order.
``status`` is ``finished`` (back at the node) or ``under_way`` when the run stopped: then
``end`` is NaN, ``first_delivery``/``last_delivery`` NaN until made, and ``distance_m``
is the planned distance of the whole trip (a trip's route is fixed when it starts)."""

TRIP_PAYLOAD_COLUMNS = ("trip_id", "node", "courier", "vehicle", "orders", "weight_kg",
                        "volume_litres", "max_orders", "max_weight_kg", "max_volume_litres")
"""``trip_payloads`` (written only when the catalogue gives SKU weights or volumes): one
row per trip started, what it carries (orders, kg, litres) and its vehicle's limits
(empty: unlimited)."""

STATE_COLUMNS = ("time", "resource", "node", "busy", "capacity")
"""``states``: a resource's busy count at every change (pickers, couriers, ...)."""

STAFFING_COLUMNS = ("time", "node", "resource", "vehicle", "rostered", "on_duty")
"""``staffing`` (written only when a roster changes a resource's size): the staff of a
resource on duty from ``time`` on. ``resource`` is ``pickers`` or ``couriers`` (then
``vehicle`` names the fleet, else it is empty); ``rostered`` is what the roster asks
for, ``on_duty`` who is there: staff going off shift stay on duty until they have
finished the order or trip in hand, so ``on_duty`` may lag behind a drop."""

STOCKOUT_COLUMNS = ("time", "node", "sku", "channel")
"""``stockouts``: a SKU's shelf became empty; ``channel`` is who took the last unit."""

WALKIN_COLUMNS = ("time", "node", "lines", "units_wanted", "units_sold")
"""``walkins``: one row per walk-in visit."""

# ----------------------------------------------------------------- inventory and policies

STOCK_LEVEL_COLUMNS = ("time", "node", "on_hand", "reserved", "on_order", "sold", "removed")
"""``stock_levels``: a node's total units at every change (for time-weighted levels).
``on_hand`` is on the shelf including ``reserved`` (held for accepted online orders not yet
picked); ``on_order`` is ordered from suppliers and not yet arrived; ``sold`` and
``removed`` count units sold (both channels) and written off since the start."""

LEDGER_COLUMNS = (
    "node", "sku", "sku_class", "initial", "ordered", "received", "shorted", "on_order",
    "on_hand", "reserved", "sold_walkin", "sold_online", "removed", "lost_walkin",
)
"""``stock_ledger``: one row per node and SKU at the end of the run. Identities:
``initial + received = on_hand + sold_walkin + sold_online + removed`` and
``ordered = received + shorted + on_order``."""

REPLENISHMENT_COLUMNS = ("repl_id", "node", "supplier", "policy", "ordered_at", "lines",
                         "units_ordered", "arrived_at", "units_received")
"""``replenishments``: one row per replenishment order (``arrived_at`` NaN if still out)."""

FULFIL_EVENT_COLUMNS = ("time", "order_id", "part", "node", "event", "sku", "units", "detail")
"""``fulfil_events``: stock-out handling and splitting of accepted orders: ``short`` (a
line not on the shelf at pick), ``substituted`` (``sku`` is the substitute), ``dropped``
(left out of the delivery), ``rerouted`` (``detail`` names the new node), ``cancelled``,
``split`` (one row per part at acceptance). ``part`` is -1 for a whole order."""

PART_COLUMNS = ("order_id", "part", "node", "lines", "units", "status", "accepted",
                "pick_start", "pick_end", "ready", "dispatched", "delivered", "courier", "trip")
"""``order_parts``: one row per shipment of a split order (the order itself stays one row
of ``orders``, stamped with the times of the part delivered last)."""

PREDICTION_COLUMNS = ("order_id", "part", "time", "node", "predicted_s", "travel_s",
                      "backlog", "pressure", "samples", "radius_m")
"""``predictions``: the promise model's click-to-door prediction for each accepted order
(or part) at its node, made at acceptance; ``samples`` is how many dispatches the node's
model had learned from (0 while fewer than ``predictor.min_samples``: a cold start),
``radius_m`` the node's service radius then."""

# Robot warehouses (sim/warehouse). Times are clock seconds, distances metres.
WH_ORDER_COLUMNS = (
    "warehouse", "order_id", "channel", "ref", "created", "due", "assigned", "station",
    "pick_start", "pick_end", "ready", "lines", "units", "units_picked", "status",
)
"""``wh_orders``: one row per order that reached a warehouse (online, parcel,
replenishment); ``created`` is its arrival, ``ready`` the end of packing."""

WH_VISIT_COLUMNS = (
    "warehouse", "visit_id", "robot", "pod", "station", "dispatched", "at_pod", "at_station",
    "pick_start", "pick_end", "returned", "lines", "units", "empty_m", "loaded_m", "free_s",
    "wait_s", "legs", "energy_wh",
)
"""``wh_visits``: one row per pod visit to a station; ``wait_s`` is the congestion delay
over its ``legs`` trips, ``free_s`` their free-flow driving time."""

WH_TIME_COLUMNS = ("warehouse", "kind", "unit", "state", "bin_start", "seconds")
"""``wh_time``: seconds in each state per 15-minute bin: ``kind`` robots (all pooled),
stations (one unit each) or orders (order-seconds in the warehouse)."""

WH_CELL_COLUMNS = ("warehouse", "x", "y", "kind", "occupied_s")
"""``wh_cells``: seconds each cell was occupied by a robot (grid: body overlap; abstract:
standing still)."""

WH_MOVE_COLUMNS = ("warehouse", "robot", "x", "y", "t_in", "t_out")
"""``wh_moves`` (grid, on request): each interval a robot occupied a cell."""

WH_PICK_COLUMNS = ("warehouse", "visit_id", "order_id", "line", "sku", "units", "time", "pod")
"""``wh_picks`` (on request): units of an order line picked in a visit."""

WH_ROBOT_COLUMNS = ("warehouse", "robot", "driven_m", "driven_s", "energy_wh",
                    "energy_min_wh", "failures", "charges")
"""``wh_robots``: one row per robot at the end of the run."""

WH_CHARGE_COLUMNS = ("warehouse", "robot", "charger", "requested", "start", "end",
                     "energy_before_wh", "energy_after_wh")
"""``wh_charges``: one row per charging session."""

WH_EVENT_COLUMNS = ("warehouse", "time", "robot", "event", "detail")
"""``wh_events``: robot failures and deadlock resolutions."""

FLEET_COLUMNS = ("node", "vehicle", "kind", "couriers", "speed_mps", "capacity", "x", "y")
TRAVEL_COLUMNS = ("trip_id", "node", "courier", "start", "free_flow_s", "expected_s",
                  "realised_s")
"""One row per trip when riding times vary (``city.travel``): the trip's duration from
start to back home at free flow (what the routing planners assume), expected (with the
hour's congestion and the weather: what the courier's free time is planned on) and as
ridden (with each leg's noise)."""
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

EVENT_COLUMNS = ("event_id", "kind", "target", "start", "end", "parameters", "drawn", "label")
"""``events``: one row per calendar event of the scenario (written only when it has
events): its window ``[start, end)`` clipped to the run, its kind-specific fields as
``name=value`` pairs, and for a no-show the number of staff drawn absent (else NaN)."""
