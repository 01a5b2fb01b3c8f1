"""Staffing plans from a demand forecast: queueing counts per hour, then least-cost shifts
(see docs/staffing.md)."""
