"""Figures and reports, drawn from records and metrics only."""
