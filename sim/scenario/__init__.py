"""Scenario files: schema, units, loading and input errors.

The boundary of the package: YAML comes in, a frozen :class:`Scenario` goes out.
"""

from sim.scenario.errors import ScenarioError
from sim.scenario.loading import parse_scenario, read_scenario, validate_scenario
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "parse_scenario", "read_scenario", "validate_scenario"]
