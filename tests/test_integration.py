"""Stores, a robot warehouse and their policies working together in one city."""

import numpy as np

from sim.model import Model
from sim.scenario import parse_scenario

CITY = """
name: city_with_warehouse
seed: 3
run: {start: "08:00", duration: 4h, warmup: 30min, drain: 3h}
city: {width: 4km, height: 4km, network: {kind: grid, block: 250m}}
catalog: {skus: 120, zipf_exponent: 1.0}
demand:
  online:
    orders_per_day: 4000
    profile: flat
    customers: {placement: clustered, spread: 700m}
    basket: {lines: {dist: poisson, mean: 2}}
  walkin: {profile: flat, basket: {lines: 3}}
promise: {policy: fixed, window: 30min, radius: 3km}
assignment: {policy: nearest}
vehicles:
  ebike: {speed: 18km/h, capacity: 3}
stores:
  - name: shop
    location: [1km, 1km]
    pickers: 3
    pick_time_per_order: 30s
    pick_time_per_item: 10s
    couriers: {count: 10, vehicle: ebike}
    stock: {cover_days: 0.2, min_units: 1}
    walkins_per_day: 3000
    replenishment: {policy: RS, supplier: wh, review: 1h, S: 0.5}
warehouses:
  - name: wh
    location: [3km, 3km]
    traffic: abstract
    layout: {kind: generated, blocks: [4, 3], block: [4, 2], stations: 2, lane: 3,
             chargers: 2}
    robots: {count: 12}
    pods: {skus_per_pod: 5, units_per_slot: 40}
    couriers: {count: 6, vehicle: ebike}
    replenishment: {lead_time: 45min}
"""


def test_warehouse_replenishes_a_store_and_serves_orders():
    """The store's RS policy orders from the warehouse; robots pick it; it arrives; the
    warehouse also serves online orders; both ledgers balance."""
    model = Model(parse_scenario(CITY))
    records = model.run()
    repl = records["replenishments"]
    assert len(repl) > 0 and (repl["supplier"] == "wh").all()
    arrived = repl[repl["arrived_at"].notna()]
    assert len(arrived) > 0 and arrived["units_received"].sum() > 0
    # each arrival comes after the order and after the warehouse's 45-minute lead time
    assert (arrived["arrived_at"] - arrived["ordered_at"] >= 45 * 60 - 1e-6).all()
    wh_orders = records["wh_orders"]
    repl_picks = wh_orders[wh_orders["channel"] == "replenishment"]
    assert len(repl_picks) == len(repl) and repl_picks["units_picked"].sum() >= \
        arrived["units_received"].sum()
    ledger = records["stock_ledger"]
    shop = ledger[ledger["node"] == "shop"]
    assert shop["received"].sum() == arrived["units_received"].sum()
    balance = shop["initial"] + shop["received"] - shop["on_hand"] - shop["sold_walkin"] \
        - shop["sold_online"] - shop["removed"]
    assert np.all(balance == 0)
    orders = records["orders"]
    served = orders[orders["status"] == "delivered"]
    assert set(served["node"]) == {"shop", "wh"}
