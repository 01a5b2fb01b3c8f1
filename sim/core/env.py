"""The simulation environment: one object that owns all the state of a run.

:class:`SimEnv` is a :class:`simpy.Environment` whose clock is seconds after midnight,
plus the scenario, the named random streams, the recorder and the hooks. There is no
module-level mutable state anywhere in the model, so runs in parallel cannot interfere.
"""

from __future__ import annotations

import simpy

from sim.core.hooks import Hooks
from sim.core.recorder import Recorder, Table
from sim.core.records import STATE_COLUMNS
from sim.core.rng import RandomStreams
from sim.core.sampling import Draws, sampler
from sim.scenario.distributions import Distribution
from sim.scenario.schema import Scenario


class SimEnv(simpy.Environment):
    """A SimPy environment with the scenario, random streams, recorder and hooks."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(initial_time=scenario.run.start)
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.streams = RandomStreams(self.seed)
        self.recorder = Recorder()
        self.hooks = Hooks()
        self._ids: dict[str, int] = {}

    def next_id(self, kind: str) -> int:
        """The next integer id of ``kind`` (trips, tasks, ...), from 0, per run."""
        n = self._ids.get(kind, 0)
        self._ids[kind] = n + 1
        return n

    def draws(self, stream: str, spec: Distribution) -> Draws:
        """Single draws of the distribution ``spec`` from its own stream ``stream``."""
        return Draws(sampler(spec), self.streams(stream))


class LevelMonitor:
    """Records a resource's busy level at every change (for time-weighted utilisation).

    Rows go to the ``states`` table: ``time, resource, node, busy, capacity``.
    """

    __slots__ = ("_env", "_table", "busy", "capacity", "node", "resource")

    def __init__(self, env: SimEnv, resource: str, node: str, capacity: int) -> None:
        self._env = env
        self._table: Table = env.recorder.table("states", STATE_COLUMNS)
        self.resource, self.node, self.capacity = resource, node, capacity
        self.busy = 0
        self._table.append((env.now, resource, node, 0, capacity))

    def change(self, delta: int) -> None:
        """Add ``delta`` to the busy count and record it."""
        self.busy += delta
        self._table.append((self._env.now, self.resource, self.node, self.busy, self.capacity))

    def set_capacity(self, capacity: int) -> None:
        """Record a new capacity (staff on duty under a roster) from now on."""
        self.capacity = capacity
        self._table.append((self._env.now, self.resource, self.node, self.busy, self.capacity))
