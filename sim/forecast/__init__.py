"""Demand forecasts per store and clock hour from earlier runs (see docs/staffing.md)."""
