"""What a Dask worker runs: one simulation, returning its tables (workers never touch the results file)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from typing import Any

#: The tables of a run that experiments store: yearly and monthly always, the per-sector and per-district
#: ones when the run has them (they are left out when empty).
TABLES = ("yearly", "monthly", "sectors", "districts")

#: A Dask worker plugin registered under this name gets the progress of every run on its worker: its method
#: ``progress(task_key)`` returns the callback ``(date, days_done, n_days)`` the run calls after each month
#: (the app's plugin, :class:`nkborder.app.cluster.DateReporter`, shows the simulated date of each run). A plugin
#: with a method ``partial(task_key, payload)`` also gets the run's tables after each simulated year (the callback
#: ``on_partial`` of :func:`nkborder.api.run`; results are the same with or without it), every simulated year of
#: them (:func:`nkborder.experiments.spec.first_reported` keeps those the payload's scenario reports).
PROGRESS_PLUGIN = "nkborder-progress"


def simulate(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one planned run (see :meth:`RunSpec.payload`) and return its tables, every simulated year of them
    (:func:`nkborder.experiments.spec.simulated`: the experiment keeps the years it reports when it reads them).

    Returns:
        ``{"yearly": DataFrame, "monthly": DataFrame, ["sectors": DataFrame, "districts": DataFrame,]
        "wall_seconds": float (s), "host": str, "pid": int}``; ``sectors`` and ``districts`` only when not
        empty.
    """
    from nkborder.api import run
    from nkborder.experiments.spec import simulated

    result = run(simulated(payload["scenario"]), seed=payload["seed"], scale=payload["scale"],
                 overrides=payload["overrides"] or None, daily=False, progress=worker_progress(),
                 on_partial=worker_partial(payload))
    out: dict[str, Any] = {freq: result.table(freq) for freq in TABLES}
    for freq in TABLES[2:]:
        if not len(out[freq]):
            del out[freq]
    out.update(wall_seconds=result.wall_seconds, host=socket.gethostname(), pid=os.getpid())
    return out


def worker_progress() -> Callable[[dt.date, int, int], None] | None:
    """The progress callback of the worker's :data:`PROGRESS_PLUGIN` for the current task (None without one)."""
    try:
        from distributed import get_worker

        worker = get_worker()
        plugin = worker.plugins.get(PROGRESS_PLUGIN)
        return None if plugin is None else plugin.progress(str(worker.get_current_task()))
    except Exception:  # not on a Dask worker, or not in a task: no reports (reporting never breaks a run)
        return None


def worker_partial(payload: dict[str, Any]) -> Callable[[Any], None] | None:
    """The partial-tables callback of the worker's :data:`PROGRESS_PLUGIN` for the current task (None without
    one, or if the plugin has no ``partial`` method)."""
    try:
        from distributed import get_worker

        worker = get_worker()
        plugin = worker.plugins.get(PROGRESS_PLUGIN)
        if plugin is None or not hasattr(plugin, "partial"):
            return None
        return plugin.partial(str(worker.get_current_task()), payload)
    except Exception:  # not on a Dask worker, or not in a task
        return None


def warm_up() -> float:
    """Load the compiled kernels in this worker (a tiny run); returns its wall time in seconds."""
    from nkborder.api import run

    return run("history", seed=0, scale=0.002, start="2019-01-01", end="2019-03-31", daily=False).wall_seconds
