"""Record tables made readable for people, after the metrics are computed.

Two changes, both at the DataFrame level so every writer (CSV, Parquet) and the
Python API see the same tables:

- Clock-time columns: beside each timestamp of the tables a person reads row by row
  (:data:`CLOCK_COLUMNS`), a ``<name>_clock`` column with ``HH:MM:SS`` (hours go past
  24 on later days; scenarios have no calendar date). The seconds stay, for
  arithmetic. Event logs (``states``, ``stock_levels``, ``walkins``, ...) keep seconds
  only: they are read by programs and are the largest tables.
- Unreached stages are empty: the trip of an order that never rode (``trip`` -1 in the
  model) is a missing value (an empty CSV cell), like its unreached timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

CLOCK_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("created", "accepted", "due", "pick_start", "pick_end", "ready",
               "dispatched", "delivered"),
    "order_parts": ("accepted", "pick_start", "pick_end", "ready", "dispatched",
                    "delivered"),
    "trips": ("start", "end", "first_delivery", "last_delivery"),
    "replenishments": ("ordered_at", "arrived_at"),
}
"""Per table, the clock-second columns that get a ``_clock`` twin."""

NO_TRIP = -1
"""The model's trip id of an order that never left on a trip."""

TRIP_TABLES = ("orders", "order_parts")


def clock_texts(seconds: np.ndarray) -> list[str | None]:
    """``HH:MM:SS`` of clock seconds (truncated to the second), None where missing (an
    empty CSV cell, a null in Parquet)."""
    x = np.asarray(seconds, dtype=float)
    ok = np.isfinite(x) & (x >= 0)
    whole = np.floor(np.where(ok, x, 0.0)).astype(np.int64).tolist()
    return [f"{w // 3600:02d}:{w // 60 % 60:02d}:{w % 60:02d}" if good else None
            for w, good in zip(whole, ok.tolist(), strict=True)]


def readable(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (record table ``name``) with clock columns and empty unreached trips;
    other tables are returned as they are."""
    clocks = [c for c in CLOCK_COLUMNS.get(name, ()) if c in frame.columns]
    fix_trip = name in TRIP_TABLES and "trip" in frame.columns
    if not clocks and not fix_trip:
        return frame
    out = frame.copy()
    if fix_trip:
        trip = pd.to_numeric(out["trip"], errors="coerce")
        out["trip"] = trip.where(trip != NO_TRIP).astype("Int64")
    for col in reversed(clocks):  # insert right after each time column
        out.insert(list(out.columns).index(col) + 1, f"{col}_clock",
                   pd.Series(clock_texts(out[col].to_numpy(dtype=float)), index=out.index,
                             dtype=object))
    return out


def readable_tables(records: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every table through :func:`readable`."""
    return {name: readable(name, frame) for name, frame in records.items()}
