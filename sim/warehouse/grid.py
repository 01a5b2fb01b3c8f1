"""Grid traffic: robots reserve cells in space and time along planned paths.

Planning is prioritised: a robot plans when it is ready to go, against everything other
robots have already reserved, and its plan is never revised. Each trip is a static
shortest path (:mod:`sim.warehouse.paths`) cut into straight runs; a robot stops at
every turn, and may wait only where it stands still: at its start cell and at turns.
The schedule is a safe-interval search along that path: for each run, the earliest
departure at which every cell of the run is free for the time the robot's body covers
it (see :class:`~sim.warehouse.kinematics.RunProfile`), backing up to an earlier stop
when waiting at a turn would collide with a robot crossing it later. Cells are reserved
on integer ticks, so the schedule is exact and deterministic.

Why this cannot lock up, and what happens if it does anyway:

- a robot at the end of a trip holds its cell open-endedly, but trips only end on
  storage spots, chargers and station lanes, never in an aisle; aisle reservations are
  all finite, so every trip can be scheduled by waiting long enough at its start;
- a trip whose goal or path is held open-endedly (a full lane, a broken robot) waits at
  its start until that cell is released, and retries;
- if robots wait for each other's cells in a cycle (a deadlock), the robot of highest id
  in the cycle is sent aside to a free storage spot and the others go on;
- a robot that cannot move for ``stuck_limit`` fails the run with a diagnosis instead of
  stalling it silently.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

from sim.core.env import SimEnv
from sim.core.recorder import Table
from sim.warehouse.kinematics import Kinematics, RunProfile, TickKinematics
from sim.warehouse.layout import Layout, turns
from sim.warehouse.paths import Paths
from sim.warehouse.reservations import HOLD, Reservations
from sim.warehouse.robots import MOVING_LOADED, QUEUEING, Robot, RobotClock
from sim.warehouse.stations import Station
from sim.warehouse.traffic import Leg, Trip

SEARCH_LIMIT = 400  # schedule iterations before falling back to "wait until all clear"
MAX_SPLITS = 8  # extra stops a trip may make to wait short of a robot in the way
RETRY = 30.0  # seconds between retries of a blocked trip (besides release events)

PathFn = Callable[[], list[list[int]]]
Run = tuple[list[int], int]


class Plan(NamedTuple):
    """A scheduled trip: its runs (cut where it stops to wait), the departure tick and
    profile of each, the turn ticks before each, and its free-flow ticks."""

    runs: list[Run]
    deps: list[int]
    profs: list[RunProfile]
    turn: list[int]
    free: int


class Blocked:
    """A trip that cannot be scheduled: ``cell`` is held open-endedly."""

    __slots__ = ("cell",)

    def __init__(self, cell: int) -> None:
        self.cell = cell


class GridTraffic:
    """Reservation-based traffic on the cell grid."""

    def __init__(self, env: SimEnv, name: str, layout: Layout, paths: Paths,
                 kin: Kinematics, tick: float, clock: RobotClock, stations: list[Station],
                 robots: list[Robot], moves: Table | None, events: Table,
                 stuck_limit: float, aside: Callable[[Robot], int],
                 left: Callable[[Robot, int], None],
                 stage: Callable[[Robot, Station], int], stage_beyond: float) -> None:
        self.env, self.name, self.layout, self.paths = env, name, layout, paths
        self.tk = TickKinematics(kin, tick)
        self.dt = tick
        # a stop and restart cost about v/a more than driving through: wait longer than
        # that at the start, and the robot rather drives up and waits short of the conflict
        self.stop_cost = self.tk.ticks_ceil(kin.speed / kin.accel)
        self.clock = clock
        self.stations = stations
        self.robots = robots
        self.res = Reservations(layout.size)
        self.lanes: list[list[Robot]] = [[] for _ in stations]  # robots holding/heading to a cell
        self._lane_waiting: list[list[Robot]] = [[] for _ in stations]
        self._released: dict[int, Any] = {}
        self._occupied = array("d", [0.0]) * layout.size
        self._moves = moves
        self._events = events
        self.stuck_limit = stuck_limit
        self._aside = aside
        self._left = left
        self._stage = stage
        self.stage_beyond = stage_beyond
        self.staged = 0
        self._aside_goal: dict[int, int] = {}
        self.schedules = 0
        self.fallbacks = 0
        self.deadlocks = 0

    # ------------------------------------------------------------ ticks

    def now_tick(self) -> int:
        """The first tick at or after the current time."""
        return self.tk.ticks_ceil(self.env.now)

    def _record(self, robot: Robot, cell: int, a: int, b: int) -> None:
        self._occupied[cell] += b - a
        if self._moves is not None:
            self._record_row(robot, cell, a, b)

    def _record_row(self, robot: Robot, cell: int, a: int, b: int) -> None:
        assert self._moves is not None
        x, y = self.layout.xy(cell)
        self._moves.append((self.name, robot.name, x, y, a * self.dt, b * self.dt))

    def place(self, robot: Robot) -> None:
        t = self.now_tick()
        self.res.add(robot.cell, t, HOLD, robot.id, t)
        robot.hold_since, robot.hold_cell = t, robot.cell

    # ------------------------------------------------------------ planning

    def _runs(self, path: list[int]) -> list[Run]:
        """Cut a path into straight runs ``(cells, heading)``."""
        w = self.layout.width
        runs: list[Run] = []
        i, last = 0, len(path) - 1
        while i < last:
            diff = path[i + 1] - path[i]
            d = 0 if diff == 1 else 2 if diff == -1 else 1 if diff == w else 3
            j = i + 1
            while j < last and path[j + 1] - path[j] == diff:
                j += 1
            runs.append((path[i:j + 1], d))
            i = j
        return runs

    def _schedule(self, robot: Robot, path_runs: list[Run], t0: int,
                  fallback: bool = True) -> Plan | Blocked:
        """The earliest schedule of a trip along its runs, departing at ``t0`` or later.

        For each run, the earliest departure at which every cell is free while the body
        covers it; waiting happens where the robot stands still (its start and its turns).
        When waiting to depart would cost more than a stop does, the run is cut just short
        of the first cell in the way, so the robot drives up, stops and waits there. If a
        stop cannot be held long enough (a robot crosses it later), the previous run departs
        later instead.
        """
        res, tk = self.res, self.tk
        tt = tk.turn_ticks
        runs = list(path_runs)
        m = len(runs)
        profs = [tk.run(len(c) - 1) for c, _ in runs]
        turn = [turns(robot.heading, runs[0][1]) * tt]
        turn += [turns(runs[j - 1][1], runs[j][1]) * tt for j in range(1, m)]
        free = sum(p.arrive for p in profs) + sum(turn)
        deps = [0] * m
        stop_in = [0] * (m + 1)
        j, lo = 0, t0 + turn[0]
        iterations = splits = 0
        conflict = res.conflict
        starts, ends = res.starts, res.ends
        while j < m:
            iterations += 1
            if iterations > SEARCH_LIMIT and fallback:
                return self._fallback(robot, path_runs, t0)
            cells = runs[j][0]
            p = profs[j]
            n, ent, lea = p.n, p.enter, p.leave
            last = j == m - 1
            nxt = HOLD
            s_max = HOLD
            if j > 0:
                nxt = res.next_start(cells[0], stop_in[j])
                s_max = nxt - 1 - lea[0] if nxt < HOLD else HOLD
            s = lo
            found = False
            first_bad = -1  # first cell in the way at the earliest departure
            while s <= s_max:
                bad = -1
                for k in range(1, n):
                    c = cells[k]
                    st = starts[c]
                    if st:  # inline conflict(): the latest interval starting by the end
                        i = bisect_right(st, s + lea[k]) - 1
                        if i >= 0:
                            e = ends[c][i]
                            if e >= s + ent[k]:
                                if e >= HOLD:
                                    return Blocked(c)
                                bad = e + 1 - ent[k]
                                if first_bad < 0:
                                    first_bad = k
                                break
                if bad < 0:
                    a = s + ent[n]
                    b = HOLD if last else s + p.arrive + turn[j + 1] + profs[j + 1].leave[0]
                    e = conflict(cells[n], a, b)
                    if e >= 0:
                        if e >= HOLD:
                            return Blocked(cells[n])
                        bad = e + 1 - ent[n]
                        if first_bad < 0:
                            first_bad = n
                if bad < 0:
                    found = True
                    break
                s = bad if bad > s else s + 1
            if found and s - lo > self.stop_cost and first_bad > 1 and splits < MAX_SPLITS:
                # drive up to the cell before the one in the way and wait there instead
                cut = first_bad - 1
                d = runs[j][1]
                runs[j:j + 1] = [(cells[:cut + 1], d), (cells[cut:], d)]
                profs[j:j + 1] = [tk.run(cut), tk.run(n - cut)]
                turn.insert(j + 1, 0)
                deps.insert(j + 1, 0)
                stop_in.insert(j + 1, 0)
                m += 1
                splits += 1
                continue
            if found:
                deps[j] = s
                stop_in[j + 1] = s + ent[n]
                if not last:
                    lo = s + p.arrive + turn[j + 1]
                j += 1
                continue
            # cannot wait at this stop long enough: arrive after the robot that crosses it
            r_end = res.end_of_interval_starting(cells[0], nxt)
            if r_end >= HOLD:
                return Blocked(cells[0])
            j -= 1
            pb = profs[j]
            lo = max(deps[j] + 1, r_end + 1 - pb.enter[pb.n])
        return Plan(runs, deps, profs, turn, free)

    def _fallback(self, robot: Robot, runs: list[Run], t0: int) -> Plan | Blocked:
        """Depart after every reservation on the path has ended (always schedulable)."""
        self.fallbacks += 1
        res = self.res
        latest = t0
        for cells, _ in runs:
            for c in cells[1:]:
                en = res.ends[c]
                if en:
                    if en[-1] >= HOLD:
                        return Blocked(c)
                    latest = max(latest, en[-1] + 1)
        return self._schedule(robot, runs, latest, fallback=False)

    def _commit(self, robot: Robot, plan: Plan) -> int:
        """Reserve the scheduled trip; return its arrival tick."""
        runs, deps, profs = plan.runs, plan.deps, plan.profs
        res, rid = self.res, robot.id
        horizon = self.now_tick()
        start = runs[0][0][0]
        end0 = deps[0] + profs[0].leave[0]
        res.release(start, rid, end0)
        self._record(robot, start, robot.hold_since, end0)
        if start != robot.hold_cell:
            raise RuntimeError(f"robot {robot.name} plans from {start}, holds {robot.hold_cell}")
        ev = self._released.pop(start, None)
        if ev is not None:
            ev.succeed()
        m = len(runs)
        occupied, moves, add = self._occupied, self._moves, res.add
        starts, ends, owners = res.starts, res.ends, res.owners
        for j in range(m):
            cells = runs[j][0]
            p = profs[j]
            s, n, ent, lea = deps[j], p.n, p.enter, p.leave
            for k in range(1, n):
                a, b = s + ent[k], s + lea[k]
                c = cells[k]
                st = starts[c]
                if not st or (st[-1] < a and ends[c][-1] < a):
                    if len(st) > 16:  # forget the past now and then
                        res.prune(c, horizon)
                    st.append(a)  # the usual case, inline: after everything reserved
                    ends[c].append(b)
                    owners[c].append(rid)
                else:
                    add(c, a, b, rid, horizon)
                occupied[c] += b - a
                if moves is not None:
                    self._record_row(robot, c, a, b)
            a = s + ent[n]
            if j == m - 1:
                res.add(cells[n], a, HOLD, rid, horizon)
                robot.hold_since, robot.hold_cell = a, cells[n]
            else:
                b = deps[j + 1] + profs[j + 1].leave[0]
                res.add(cells[n], a, b, rid, horizon)
                self._record(robot, cells[n], a, b)
        robot.heading = runs[-1][1]
        return deps[-1] + profs[-1].arrive

    # ------------------------------------------------------------ driving

    def _drive(self, robot: Robot, plan: PathFn, on_commit: Callable[[list[int]], None],
               lane_of: int = -1) -> Trip:
        """Plan (retrying while blocked), reserve, drive.

        ``plan`` gives candidate paths in order of preference (the first that can be
        scheduled is driven), or an empty list when the goal is not open yet. For a trip
        into station lane ``lane_of``, a trip with no candidate or only blocked ones waits
        for the lane to change; otherwise it waits for the blocking cell to be released.
        """
        env = self.env
        began = env.now
        queued = 0.0
        while True:
            aside = self._aside_goal.pop(robot.id, -1)
            if aside >= 0:
                yield from self._go_aside(robot, aside)
            blocked = -1
            dead: list[int] = []  # cells found blocked for this plan's candidates
            for path in plan():
                if dead and any(c in path for c in dead):
                    continue  # same way in as a blocked candidate: blocked too
                runs = self._runs(path)
                t0 = max(self.now_tick(), robot.hold_since + 1)
                self.schedules += 1
                result = self._schedule(robot, runs, t0)
                if not isinstance(result, Blocked):
                    break
                dead.append(result.cell)
                if blocked < 0:
                    blocked = result.cell
            else:
                if lane_of >= 0:
                    t = env.now
                    yield from self._wait_lane(robot, lane_of, began)
                    queued += env.now - t
                else:
                    yield from self._wait_blocked(robot, blocked, began)
                continue
            break
        start = robot.cell
        arrive = self._commit(robot, result)
        free = result.free
        robot.waiting_for = -1
        self._left(robot, start)
        on_commit(path)
        yield env.timeout(max(0.0, arrive * self.dt - env.now))
        robot.cell = path[-1]
        free_s = free * self.dt
        return Leg(float(len(path) - 1), free_s, env.now - began - free_s - queued, queued)

    def _wait_blocked(self, robot: Robot, cell: int, began: float) -> Generator[Any, Any, None]:
        """Wait until ``cell`` is released (or a retry is due), resolving deadlocks."""
        env = self.env
        if env.now - began > self.stuck_limit:
            holder = self.res.hold_owner(cell)
            x, y = self.layout.xy(cell)
            raise RuntimeError(
                f"warehouse {self.name}: robot {robot.name} has been unable to move for "
                f"{env.now - began:.0f} s: cell ({x}, {y}) is held by robot "
                f"{self.robots[holder].name if holder >= 0 else '?'}")
        holder = self.res.hold_owner(cell)
        robot.waiting_for = holder
        if holder >= 0 and self._check_cycle(robot):
            return  # this robot goes aside first
        ev = self._released.get(cell)
        if ev is None:
            ev = self._released[cell] = env.event()
        robot.wake = env.event()
        yield env.any_of([ev, robot.wake, env.timeout(RETRY)])
        robot.wake = None

    def _wait_lane(self, robot: Robot, station: int, began: float) -> Generator[Any, Any, None]:
        """Wait until a robot of the station's lane moves (or a retry is due)."""
        env = self.env
        if env.now - began > self.stuck_limit:
            raise RuntimeError(f"warehouse {self.name}: robot {robot.name} has waited "
                               f"{env.now - began:.0f} s for room in station {station}'s lane")
        robot.wake = env.event()
        self._lane_waiting[station].append(robot)
        yield env.any_of([robot.wake, env.timeout(RETRY)])
        robot.wake = None

    def _check_cycle(self, robot: Robot) -> bool:
        """If the robots waiting for each other's cells form a cycle, send one aside (the
        highest id not in a station lane); True if that is ``robot`` itself."""
        cycle = [robot.id]
        r = robot.waiting_for
        while r >= 0 and r not in cycle:
            cycle.append(r)
            r = self.robots[r].waiting_for
        if r != robot.id:
            return False
        movable = [i for i in cycle if self.robots[i].lane_index < 0]
        if not movable:
            return False
        victim = self.robots[max(movable)]
        spot = self._aside(victim)
        if spot < 0:
            return False
        self.deadlocks += 1
        x, y = self.layout.xy(spot)
        self._events.append((self.name, self.env.now, victim.name, "deadlock",
                             f"cycle {' '.join(self.robots[i].name for i in cycle)}; "
                             f"{victim.name} goes aside to ({x}, {y})"))
        self._aside_goal[victim.id] = spot
        victim.waiting_for = -1
        if victim.wake is not None and not victim.wake.triggered:
            victim.wake.succeed()
        return victim is robot

    def _go_aside(self, robot: Robot, spot_cell: int) -> Generator[Any, Any, None]:
        """Drive to ``spot_cell`` to let a deadlocked robot pass."""
        path = self.paths.astar(robot.cell, spot_cell, robot.heading)
        leg = yield from self._drive(robot, lambda: [path], lambda p: None)
        del leg

    # ------------------------------------------------------------ trips

    def move(self, robot: Robot, goal: int) -> Trip:
        def plan() -> list[list[int]]:
            return [self.paths.astar(robot.cell, goal, robot.heading)]

        return (yield from self._drive(robot, plan, lambda p: None))

    def _free_slots(self, s: int, below: int) -> list[int]:
        """Lane indices under ``below`` that no robot holds or heads to and that can be
        reached (no robot stands in the lane between them and ``below``), front first."""
        now = self.now_tick()
        taken: set[int] = set()
        stand = -1  # the rearmost index under `below` where a robot already stands
        for r in self.lanes[s]:
            i = r.lane_index
            taken.add(i)
            if stand < i < below and r.hold_since <= now and r.hold_cell == r.lane_cell:
                stand = i
        return [g for g in range(stand + 1, below) if g not in taken]

    def to_station(self, robot: Robot, station: Station) -> Trip:
        """Into the lane, to the most forward cell no robot holds or heads to that can be
        reached; robots physically in the lane may overtake robots still on their way.

        A robot farther than ``stage_beyond`` from the lane, or that finds the lane full,
        drives first to the free storage spot nearest the station (staging) and waits
        there, so it claims a lane cell for a short hop instead of from far away (where a
        claimed cell would stay empty while it travels).
        """
        s = station.index
        lane, cells = self.lanes[s], station.cells.lane
        last = len(cells) - 1

        def plan() -> list[list[int]]:
            slots = self._free_slots(s, len(cells))
            if not slots:
                return []
            head = self.paths.to_station(robot.cell, s, robot.heading)
            return [head + [cells[k] for k in range(last - 1, g - 1, -1)] for g in slots]

        def commit(path: list[int]) -> None:
            lane.append(robot)
            robot.lane_index = cells.index(path[-1])
            robot.lane_cell = path[-1]
            self._lane_moved(s)

        staged = Leg(0.0, 0.0, 0.0, 0.0)
        far = self.paths.spot_to_station(s, robot.cell) > self.stage_beyond
        if far or not self._free_slots(s, len(cells)):
            spot = self._stage(robot, station)
            if spot >= 0:
                path = self.paths.astar(robot.cell, spot, robot.heading)
                staged = yield from self._drive(robot, lambda: [path], lambda p: None)
                self.staged += 1
        leg = yield from self._drive(robot, plan, commit, lane_of=s)
        return Leg(staged.metres + leg.metres, staged.free_s + leg.free_s,
                   staged.wait_s + leg.wait_s, staged.queue_s + leg.queue_s)

    def to_pick(self, robot: Robot, station: Station) -> Trip:
        """Move up the lane whenever a cell ahead is free, until at the pick cell."""
        env, s = self.env, station.index
        cells = station.cells.lane
        metres = free = wait = 0.0
        while robot.lane_index > 0:
            i = robot.lane_index

            def plan(i: int = i) -> list[list[int]]:
                return [[cells[k] for k in range(i, g - 1, -1)]
                        for g in self._free_slots(s, i)]

            def commit(p: list[int]) -> None:
                robot.lane_index = cells.index(p[-1])
                robot.lane_cell = p[-1]
                self._lane_moved(s)

            options = plan()
            if not options:
                robot.wake = env.event()
                self._lane_waiting[s].append(robot)
                yield robot.wake
                robot.wake = None
                continue
            self.clock.set(robot, MOVING_LOADED, env.now)
            leg = yield from self._drive(robot, plan, commit, lane_of=s)
            self.clock.end_trip(robot, leg.wait_s, env.now, QUEUEING, leg.queue_s)
            metres += leg.metres
            free += leg.free_s
            wait += leg.wait_s
        return Leg(metres, free, wait)

    def leave_station(self, robot: Robot, station: Station, goal: int,
                      on_depart: Callable[[], None]) -> Trip:
        s = station.index
        lane = self.lanes[s]

        def plan() -> list[list[int]]:
            return [self.paths.from_station(s, goal)]

        def commit(path: list[int]) -> None:
            lane.remove(robot)
            robot.lane_index, robot.lane_cell = -1, -1
            self._lane_moved(s)
            on_depart()

        return (yield from self._drive(robot, plan, commit))

    def _lane_moved(self, s: int) -> None:
        """A robot took, changed or left a lane cell: wake the robots waiting on the lane,
        those nearest the pick cell first (robots waiting to enter come last)."""
        waiting = self._lane_waiting[s]
        if not waiting:
            return
        self._lane_waiting[s] = []
        waiting.sort(key=lambda r: (r.lane_index if r.lane_index >= 0 else 1 << 30, r.id))
        for r in waiting:
            if r.wake is not None and not r.wake.triggered:
                r.wake.succeed()

    # ------------------------------------------------------------ end of run

    def occupancy(self, now: float, robots: list[Robot]) -> list[float]:
        """Seconds each cell was occupied, closing the holds still open at ``now``."""
        t = self.tk.ticks_floor(now)
        for robot in robots:
            if robot.hold_since < t:
                self._record(robot, robot.hold_cell, robot.hold_since, t)
                robot.hold_since = t
        return [v * self.dt for v in self._occupied]
