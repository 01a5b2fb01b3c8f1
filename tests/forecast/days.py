"""A small city over two weeks with weekends and two sale days: the forecasting history.

Two stores, a lunch and an evening peak, weekends 1.3 x and sale days 2 x the online
orders with a midnight rush, shelves restocked twice a day (so demand, not stock, sets
the orders). Days 1-13 (28 Oct - 9 Nov 2026, a sale on 31 Oct) are the training
history; day 14 (10 Nov, a Tuesday) and day 15 (11 Nov, the second sale) are held out.
"""

from __future__ import annotations

from tests.conftest import TINY

PROFILE = "[0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 8, 10, 8, 5, 4, 4, 6, 10, 11, 9, 6, 4, 1, 0]"
SALE_PROFILE = "[8, 6, 4, 3, 0, 0, 0, 2, 4, 6, 8, 10, 8, 5, 4, 4, 6, 10, 11, 9, 6, 4, 2, 1]"
DAYS = 15
TRAIN_DAYS = 13

OVERRIDES = [
    f"run={{start: '00:00', duration: 24h, days: {DAYS}, date: 2026-10-28, warmup: 1h, "
    "drain: 1h}",
    f"demand.online.profile={PROFILE}",
    "calendar={day_types: {normal: {}, weekend: {online: 1.3}, sale: {online: 2.0, "
    f"profile: {SALE_PROFILE}}}}}, default: normal, weekdays: {{saturday: weekend, "
    "sunday: weekend}, dates: {2026-10-31: sale, 2026-11-11: sale}}",
    "suppliers={dc: {kind: dc, trucks: ['05:00', '13:00'], cutoff: 1h, lead_time: 90min}}",
    "store_defaults.replenishment={policy: RS, supplier: dc, review: 8h, review_at: '03:00', "
    "S: 1.5}",
    "store_defaults.stock={cover_days: 1.5, min_units: 3}",
]
"""``--set`` overrides of :data:`tests.conftest.TINY` giving the history scenario."""

TEXT = TINY
