"""The app's Dask cluster: started once per server, warmed up, and reporting the simulated date of each run.

Experiments started from the page connect to this cluster (``scheduler=`` its address) instead of starting a
cluster per click. A worker plugin makes every simulation on these workers report its date after each
simulated month to a small file in a folder of the app (the cluster is local), which the page reads to show
"simulating 2011-03".
The plugin is the workers' progress plugin (:data:`nkborder.experiments.tasks.PROGRESS_PLUGIN`): each run
passes the plugin's callback to :func:`nkborder.api.run` as its progress callback, so results are unchanged.
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
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from nkborder.experiments.tasks import PROGRESS_PLUGIN

log = logging.getLogger("nkborder.app")


class DateReporter(WorkerPlugin):
    """Dask worker plugin: each run on the worker writes its simulated date to a small file after every month.

    Args:
        directory: folder of the progress files, one per running task (``<task key>.txt``: date, days done,
            days in total). A file is written synchronously by the task's own thread, so reports arrive at once
            even while the compiled kernels hold the worker's interpreter lock.
    """

    name = PROGRESS_PLUGIN

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def progress(self, key: str) -> Callable[[dt.date, int, int], None]:
        """The progress callback of the run of task ``key``: writes ``<key>.txt`` (date, days done, days)."""
        target = Path(self.directory) / f"{_safe(key)}.txt"

        def report(date: dt.date, done: int, total: int) -> None:
            with contextlib.suppress(OSError):  # reporting must never break a run
                tmp = target.with_suffix(".tmp")
                tmp.write_text(f"{date.isoformat()} {int(done)} {int(total)}")
                os.replace(tmp, target)

        return report


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
