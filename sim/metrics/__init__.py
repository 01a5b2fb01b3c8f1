"""Metrics: pure functions of the record tables and the measured window."""

from sim.metrics.compute import compute_metrics
from sim.metrics.window import MetricContext

__all__ = ["MetricContext", "compute_metrics"]
