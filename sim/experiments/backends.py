"""Execution backends: where the runs of a sweep execute, behind one interface.

- ``serial``: one after the other in this process (debugging, tiny sweeps).
- ``processes`` (default): a pool of worker processes on this machine, one per core.
- ``dask``: a Dask cluster, given by its scheduler address (``tcp://host:8786``), or a
  local cluster of worker processes started for the sweep when no address is given.

Every backend yields the outcomes as the runs finish (in any order); the caller writes
them and orders the tables by the plan, so results are identical whatever the backend.
A worker that dies is reported through ``on_error`` for its task, and the rest go on.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from sim.scenario.errors import ScenarioError

T = TypeVar("T")
R = TypeVar("R")

BACKENDS = ("serial", "processes", "dask")


def available_cores() -> int:
    """Cores this process may use (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Backend(Protocol):
    """Runs a function over tasks and yields the results as they finish."""

    name: str
    workers: int

    def map(self, fn: Callable[[T], R], tasks: Sequence[T],
            on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task in completion order; a task whose worker
        failed yields ``on_error(task, exc)``."""
        ...

    def close(self) -> None:
        """Release workers and connections."""
        ...


class SerialBackend:
    """Run each task in this process, in order."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[[T], R], tasks: Sequence[T],
            on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        """Yield ``fn(task)`` task by task."""
        for task in tasks:
            try:
                result = fn(task)
            except Exception as exc:
                result = on_error(task, exc)
            yield result

    def close(self) -> None:
        """Nothing to release."""


def _context(method: str | None = None) -> Any:
    """The start method ``method``, or by default ``fork`` where it is safe (Linux, this
    process has no other threads: workers start at once, without re-importing) and
    ``spawn`` otherwise."""
    if method is not None:
        return multiprocessing.get_context(method)
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class ProcessBackend:
    """Run tasks in a pool of local worker processes."""

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str | None = None) -> None:
        self.workers = workers or available_cores()
        self.start_method = start_method
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], tasks: Sequence[T],
            on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        """Submit every task and yield results as they finish."""
        if not tasks:
            return
        workers = min(self.workers, len(tasks))
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=_context(self.start_method))
        pending: dict[Future[R], T] = {self._pool.submit(fn, t): t for t in tasks}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = pending.pop(fut)
                    try:
                        result = fut.result()
                    except Exception as exc:  # the worker died (BrokenProcessPool, ...)
                        result = on_error(task, exc)
                    yield result
        finally:
            self.close()

    def close(self) -> None:
        """Stop the pool, cancelling runs that have not started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail at once, in one line, when nothing listens at a ``tcp://host:port`` address
    (Dask itself would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or parts.hostname is None:
        return  # tls://, ucx://, ...: let Dask handle them
    try:
        port = parts.port or 8786
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


class DaskBackend:
    """Run tasks on a Dask cluster: the one at ``address``, or a local one."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None,
                 timeout: float = 30.0) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ScenarioError("the dask backend needs dask[distributed]: "
                                "pip install 'omnisim[dask]'") from None
        import logging

        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=workers or available_cores(), threads_per_worker=1,
                processes=True, dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self._cluster)
        else:
            _check_reachable(address)
            try:
                self.client = Client(address, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise ScenarioError(f"cannot reach the Dask scheduler at {address}: "
                                    f"{exc}") from None
        self.address = address
        self.workers = len(self.client.scheduler_info().get("workers", {})) or 1

    def map(self, fn: Callable[[T], R], tasks: Sequence[T],
            on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        """Submit every task to the cluster and yield results as they finish."""
        from distributed import as_completed

        if not tasks:
            return
        futures = self.client.map(fn, list(tasks), pure=False)
        task_of = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        try:
            for fut in as_completed(futures):
                try:
                    result = fut.result()
                except Exception as exc:  # a worker died or the task could not run
                    result = on_error(task_of[fut.key], exc)
                fut.release()
                yield result
        finally:
            for fut in futures:
                if not fut.done():
                    fut.cancel()

    def close(self) -> None:
        """Close the connection (and the local cluster, if this backend started it)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_backend(name: str = "processes", workers: int | None = None,
                 address: str | None = None) -> Backend:
    """The backend called ``name``; an ``address`` means a Dask cluster."""
    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers must be >= 1 (got {workers})")
    if address is not None and name != "dask":
        raise ScenarioError(f"--address needs --backend dask (got --backend {name})")
    if name == "serial":
        return SerialBackend()
    if name == "processes":
        return ProcessBackend(workers)
    if name == "dask":
        return DaskBackend(address, workers)
    raise ScenarioError(f"unknown backend '{name}'; expected one of: {', '.join(BACKENDS)}")
