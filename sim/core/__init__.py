"""Simulation core: environment, random streams, sampling, records and hooks."""
