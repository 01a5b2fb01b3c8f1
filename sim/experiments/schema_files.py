"""The JSON Schemas of scenario and experiment files, as ``run_sim.py schema`` writes them.

The committed copies under ``schemas/`` (named in the shipped files' YAML language server
modeline, so editors complete and check them) are this module's output; a test keeps
them equal.
"""

from __future__ import annotations

from sim.experiments.spec import ExperimentSpec
from sim.scenario.json_schema import JsonDict, SchemaGenerator, finish, store_defaults_required
from sim.scenario.schema import Scenario

SCHEMA_FILES = {"scenario": "schemas/scenario.schema.json",
                "experiment": "schemas/experiment.schema.json"}
"""Where the committed schemas live, relative to the repository root."""


def scenario_schema() -> JsonDict:
    """The JSON Schema (Draft 2020-12) of scenario files."""
    schema = Scenario.model_json_schema(schema_generator=SchemaGenerator)
    store_defaults_required(schema)
    return finish(schema, "omnisim scenario",
                  "A scenario file of omnisim (python run_sim.py run FILE); durations, "
                  "distances and speeds are written with their unit, e.g. 30min, 3km, "
                  "18km/h.")


def experiment_schema() -> JsonDict:
    """The JSON Schema (Draft 2020-12) of experiment files (``run_sim.py sweep``)."""
    schema = ExperimentSpec.model_json_schema(schema_generator=SchemaGenerator)
    return finish(schema, "omnisim experiment",
                  "An experiment file of omnisim (python run_sim.py sweep FILE): variants "
                  "and factors of a base scenario, replications and KPIs.")
