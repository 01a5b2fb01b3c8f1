"""Demand: the SKU catalogue, online orders and walk-in shoppers."""
