"""The app's Dask cluster: started once per server, warmed up, and reporting each run while it is simulated.

Experiments started from the page connect to this cluster (``scheduler=`` its address) instead of starting a
cluster per click. A worker plugin (:class:`DateReporter`, the workers' progress plugin
:data:`nkborder.experiments.tasks.PROGRESS_PLUGIN`) receives every simulation's progress after each simulated
month and its partial tables after each simulated year, through the callbacks of :func:`nkborder.api.run`, so
results are unchanged. The cluster is local, so the plugin talks to the page through files in a folder of the
app (``progress_dir``):

- ``<task>.txt``: the run's simulated date, days done and days in total (the page shows "simulating 2011-03");
- ``<task>.parquet``: the run's yearly table so far, with its ``seed`` and ``group`` (the page draws it);
- ``hold-<group>.txt`` (written by the page): a date; runs of the group wait once they have simulated it, and
  runs that start after it was written wait at their first month (pause, and step a year at a time);
- ``stop-<group>.txt`` (written by the page after an experiment was stopped and its runs cancelled): runs of
  the group still simulating end at their next month.

A group is a scenario at a scale (:func:`group_of`): the runs of one side of one job.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distributed.diagnostics.plugin import WorkerPlugin

from nkborder.experiments.tasks import PROGRESS_PLUGIN

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("nkborder.app")


class RunStopped(RuntimeError):
    """Raised in a worker's run whose experiment was stopped from the page (the run was cancelled already)."""


class DateReporter(WorkerPlugin):
    """Dask worker plugin: each run on the worker reports its simulated date every month and its tables every
    year, and waits while the page holds its group (see the module's doc).

    Args:
        directory: folder of the progress files. A file is written synchronously by the task's own thread, so
            reports arrive at once even while the compiled kernels hold the worker's interpreter lock.
    """

    name = PROGRESS_PLUGIN

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._groups: dict[str, str] = {}  # task key -> its group
        self._started: dict[str, float] = {}  # task key -> when its run started (time.time)

    def progress(self, key: str) -> Callable[[dt.date, int, int], None]:
        """The progress callback of the run of task ``key``: writes ``<key>.txt`` (date, days done, days), then
        waits while the run's group is held."""
        target = Path(self.directory) / f"{_safe(key)}.txt"

        def report(date: dt.date, done: int, total: int) -> None:
            with contextlib.suppress(OSError):  # reporting must never break a run
                _write(target, f"{date.isoformat()} {int(done)} {int(total)}")
            group = self._groups.get(key)
            if group is not None and done < total:
                wait_while_held(self.directory, group, date, self._started[key])

        return report

    def partial(self, key: str, payload: dict[str, Any]) -> Callable[[Any], None]:
        """The partial-tables callback of the run of task ``key``: writes ``<key>.parquet`` (the yearly table
        so far, with ``seed`` and ``group``)."""
        from nkborder.experiments.spec import first_reported

        group = group_of(payload["scenario"], payload["scale"])
        self._groups[key], self._started[key] = group, time.time()
        target = Path(self.directory) / f"{_safe(key)}.parquet"
        seed = int(payload["seed"])

        def report(part: Any) -> None:
            with contextlib.suppress(Exception):  # reporting must never break a run
                shown = first_reported(part.yearly, payload["scenario"])  # the run simulates every year
                table = shown.assign(seed=seed, group=group, through=part.date.isoformat())
                tmp = target.with_suffix(".tmp.parquet")
                table.to_parquet(tmp, index=False)
                os.replace(tmp, target)

        return report


def group_of(scenario: Any, scale: float) -> str:
    """The group of the runs of ``scenario`` (a :class:`~nkborder.scenarios.Scenario`) at ``scale``."""
    import hashlib

    text = f"{scenario.content_hash()}|{float(scale)!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def hold(directory: str | Path, groups: list[str], until: dt.date | None) -> None:
    """Let the runs of ``groups`` simulate up to ``until`` and wait there (None: release them)."""
    for group in groups:
        path = Path(directory) / f"hold-{group}.txt"
        if until is None:
            path.unlink(missing_ok=True)
        else:
            _write(path, until.isoformat())


def stop(directory: str | Path, groups: list[str]) -> None:
    """End the runs of ``groups`` still simulating (after their experiment was stopped) and release them."""
    for group in groups:
        _write(Path(directory) / f"stop-{group}.txt", "stop")
    hold(directory, groups, None)


def clear(directory: str | Path, groups: list[str]) -> None:
    """Forget the holds and stops of ``groups`` (before a new job runs them)."""
    for group in groups:
        for prefix in ("hold", "stop"):
            (Path(directory) / f"{prefix}-{group}.txt").unlink(missing_ok=True)


def wait_while_held(directory: str | Path, group: str, date: dt.date, started: float, poll: float = 0.2) -> None:
    """Block while ``group`` is held; raise :class:`RunStopped` if it was stopped.

    A run that has simulated to ``date`` is held once ``date`` reaches the hold's date, or at once if it started
    (``started``, ``time.time``) after the hold was set: a step lets the runs in progress go on, and runs that
    start later wait at their first month.
    """
    base = Path(directory)
    while True:
        if (base / f"stop-{group}.txt").exists():
            raise RunStopped(f"runs of group {group} were stopped from the page")
        path = base / f"hold-{group}.txt"
        try:
            set_at = path.stat().st_mtime
            until = dt.date.fromisoformat(path.read_text().strip())
        except (OSError, ValueError):
            return
        if date < until and started <= set_at:
            return
        time.sleep(poll)


def read_partials(directory: str | Path, groups: list[str], since: float) -> dict[str, pd.DataFrame]:
    """The partial yearly tables of the runs of ``groups`` written after ``since`` (``time.time``), by task."""
    import pandas as pd

    out = {}
    for path in Path(directory).glob("*.parquet"):
        if path.name.endswith(".tmp.parquet"):
            continue
        try:
            if path.stat().st_mtime < since:
                continue
            table = pd.read_parquet(path)
        except Exception:
            continue
        if len(table) and table["group"].iloc[0] in groups:
            out[path.stem] = table
    return out


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _safe(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in key)[:120]


class AppCluster:
    """A local cluster of worker processes (one thread each) for the app's lifetime.

    Args:
        workers: worker processes (default: cores).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers
        self.address: str | None = None
        self.error: str | None = None
        self._cluster: Any = None
        self._client: Any = None
        self.progress_dir = tempfile.mkdtemp(prefix="nkborder-app-progress-")
        self._ready = threading.Event()

    def start(self) -> None:
        """Start the cluster in a background thread (``wait`` blocks until it is up)."""
        threading.Thread(target=self._start, name="nkborder-app-cluster", daemon=True).start()

    def _start(self) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster

            from nkborder.engine.warmup import ensure_compiled
            from nkborder.experiments.cluster import TUNING, check_workers, plain_malloc
            from nkborder.experiments.tasks import warm_up

            # the experiment layer's worker tuning (no profiler, glibc's own malloc: see experiments.cluster)
            with warnings.catch_warnings(), dask.config.set(TUNING), plain_malloc():
                warnings.simplefilter("ignore", UserWarning)  # "port 8787 in use": HTTP routes move elsewhere
                self._cluster = LocalCluster(n_workers=check_workers(self.workers), threads_per_worker=1,
                                             processes=True, host="127.0.0.1", dashboard_address=None,
                                             silence_logs=logging.ERROR)
            self._client = Client(self._cluster, set_as_default=False)
            try:
                self._client.register_plugin(DateReporter(self.progress_dir))
            except Exception as exc:  # no dates then, runs still work
                log.warning("simulated-date reports unavailable: %s", exc)
            self.address = self._cluster.scheduler_address
            self._ready.set()
            ensure_compiled()  # a cold cache is filled once here (two processes), not by every worker
            self._client.run(warm_up)  # loads the compiled kernels in every worker
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.warning("the app's Dask cluster did not start: %s", self.error)
            self.close()
        finally:
            self._ready.set()

    def wait(self, timeout: float = 120.0) -> str | None:
        """The scheduler address once the cluster is up (None if it failed or did not start in time)."""
        self._ready.wait(timeout)
        return self.address if self.error is None else None

    def dates(self, since: float = 0.0, max_age: float = 30.0) -> list[tuple[str, float]]:
        """(simulated date, share done) of the runs in progress that reported after ``since`` (``time.time``)."""
        return read_dates(self.progress_dir, since, max_age)

    def close(self) -> None:
        """Stop the client and the cluster (idempotent)."""
        for obj in (self._client, self._cluster):
            if obj is not None:
                with contextlib.suppress(Exception):
                    obj.close()
        self._client = self._cluster = None
        self.address = None
        shutil.rmtree(self.progress_dir, ignore_errors=True)


def read_dates(directory: str | Path, since: float = 0.0, max_age: float = 30.0) -> list[tuple[str, float]]:
    """The progress files of ``directory``: (date, share done) of unfinished runs written after ``since``."""
    now, out = time.time(), []
    for path in Path(directory).glob("*.txt"):
        try:
            mtime = path.stat().st_mtime
            date, done, total = path.read_text().split()
        except (OSError, ValueError):
            continue
        if mtime >= since and now - mtime <= max_age and int(done) < int(total):
            out.append((date, int(done) / max(int(total), 1)))
    return sorted(out)


_CLUSTER: AppCluster | None = None
_CLUSTER_LOCK = threading.Lock()


def get_cluster(start: bool = True) -> AppCluster | None:
    """The process-wide app cluster (started on first use when ``start``)."""
    global _CLUSTER
    with _CLUSTER_LOCK:
        if _CLUSTER is None and start:
            _CLUSTER = AppCluster()
            _CLUSTER.start()
        return _CLUSTER


def shutdown() -> None:
    """Close the app cluster if it was started."""
    global _CLUSTER
    with _CLUSTER_LOCK:
        if _CLUSTER is not None:
            _CLUSTER.close()
            _CLUSTER = None
