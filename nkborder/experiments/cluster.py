"""The Dask cluster experiments run on: a local one started and stopped here, or an existing scheduler.

Without ``scheduler`` (and without the ``NKBORDER_SCHEDULER`` environment variable) a
:class:`distributed.LocalCluster` of worker *processes* with one thread each is started on this machine and
closed afterwards; if numba's cache holds no compiled kernels yet, they are compiled first in this process
(:func:`nkborder.engine.warmup.ensure_compiled`), so that the workers load them instead of each compiling them. With
``scheduler="tcp://HOST:PORT"`` the client connects to a running scheduler whose workers can import ``nkborder``;
that cluster is left running.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nkborder.errors import InputError

if TYPE_CHECKING:
    from distributed import Client

ENV_SCHEDULER = "NKBORDER_SCHEDULER"
CONNECT_TIMEOUT = "20s"
#: No dashboard, and the scheduler's HTTP routes on a free port (not 8787, which another cluster may hold).
LOCAL_OPTIONS = {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": ":0"},
                 "silence_logs": logging.ERROR}
#: Quieter event loops: the 20 ms tick and 0.5 s system monitor of the defaults cost the client process about
#: 5 % of a core while runs take seconds; runs are alike, so work stealing has nothing to balance. The
#: workers' statistical profiler (a stack sample every 10 ms, for the dashboard, which is off) costs an idle
#: worker 1.5 % of a core (measured), and must take the GIL from a run every 10 ms.
#: Workers keep glibc's own malloc tuning: Dask's default ``MALLOC_TRIM_THRESHOLD_=65536`` fixes the mmap
#: threshold at 128 KiB, so every agent array of a run is mapped and unmapped afresh (about 12 times the page
#: faults and +10 % CPU per run, all of it system time, against the same run in a plain process).
TRIM_ENV = "MALLOC_TRIM_THRESHOLD_"
TUNING = {"distributed.admin.tick.interval": "500ms", "distributed.admin.system-monitor.interval": "2s",
          "distributed.scheduler.work-stealing": False, "distributed.worker.profile.enabled": False,
          f"distributed.nanny.pre-spawn-environ.{TRIM_ENV}": None}
#: The malloc setting this process was started with (Dask's nannies copy theirs into ``os.environ``).
_INHERITED_TRIM = os.environ.get(TRIM_ENV)


def default_workers() -> int:
    """Number of cores this process may use (the default number of local workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def worker_start_hint(exc: BaseException) -> str:
    """Dask's "Nanny failed to start" with the usual cause named when it applies.

    Local workers are started by *spawning* Python processes, which import the ``__main__`` module again: a
    script that starts an experiment at module level (not under ``if __name__ == "__main__":``) then starts
    another cluster inside every worker, and the workers die before they are up.
    """
    import sys

    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if script is None or "failed to start" not in str(exc):
        return str(exc)
    return (f"{exc}: the local Dask workers could not start. Workers are spawned and import {script} again; "
            "put the code that runs experiments under `if __name__ == \"__main__\":` in that script.")


def scheduler_address(scheduler: str | None) -> str | None:
    """The scheduler to use: ``scheduler``, else ``$NKBORDER_SCHEDULER``, else None (a local cluster)."""
    from nkborder.inputs.checks import check_scheduler

    if scheduler:
        return check_scheduler(scheduler, "--scheduler")
    address = os.environ.get(ENV_SCHEDULER) or None
    return None if address is None else check_scheduler(address, f"${ENV_SCHEDULER}")


def check_workers(workers: int | None) -> int:
    """``workers`` validated (>= 1), or the number of cores."""
    if workers is None:
        return default_workers()
    from nkborder.inputs.checks import check_count

    return check_count(workers, "--workers")


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A Dask client: on ``scheduler`` if given, else on a local cluster of ``workers`` processes."""
    import dask

    with dask.config.set(TUNING), _client(scheduler, workers) as client:
        yield client


@contextlib.contextmanager
def plain_malloc() -> Iterator[None]:
    """Start local worker processes (inside this block) without the malloc setting that an earlier Dask
    cluster of this process left in ``os.environ``; a setting this process was started with is kept."""
    left = os.environ.get(TRIM_ENV)
    if left is None or _INHERITED_TRIM is not None:
        yield
        return
    del os.environ[TRIM_ENV]
    try:
        yield
    finally:
        os.environ.setdefault(TRIM_ENV, left)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    address = scheduler_address(scheduler)
    if address is not None:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError("--scheduler", address, f"cannot connect: {exc}",
                             "the tcp://HOST:PORT of a running dask scheduler") from None
        try:
            yield client
        finally:
            client.close()
        return
    n_workers = check_workers(workers)
    from nkborder.engine.warmup import ensure_compiled

    ensure_compiled()  # on a cold cache: compile once here (in two processes); the workers then load the cache
    try:
        with plain_malloc():
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, **LOCAL_OPTIONS)
    except RuntimeError as exc:
        raise RuntimeError(worker_start_hint(exc)) from exc
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()
