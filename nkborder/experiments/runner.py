"""Run the missing runs of an experiment on Dask and store each one as soon as it finishes.

Only this (client) process writes the results file: workers return tables, and every finished run is written
in one transaction (``ResultsStore.record_run``) the moment its future completes, so killing the client loses
no stored run. Runs whose run key already has a finished run in the file are skipped. A worker that dies
mid-run has its run rescheduled by the Dask scheduler on another worker.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nkborder.experiments.cluster import check_workers, dask_client
from nkborder.experiments.estimate import describe_estimate
from nkborder.experiments.progress import ProgressHook, Reporter
from nkborder.experiments.spec import RunSpec
from nkborder.experiments.tasks import TABLES, simulate

if TYPE_CHECKING:
    from nkborder.store import ResultsStore


@dataclass
class Outcome:
    """What one execution did: runs computed now, found already stored, and failed (run key -> message)."""

    computed: int = 0
    reused: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: bool = False  # ``stop`` was set: the runs in flight were cancelled and are not stored


def missing(store: ResultsStore, specs: list[RunSpec]) -> tuple[list[RunSpec], int]:
    """The distinct specs without a finished stored run, in plan order, and how many distinct ones have one."""
    unique: dict[str, RunSpec] = {}
    for spec in specs:
        unique.setdefault(spec.key, spec)
    stored = store.finished_runs_for_keys(list(unique))  # one query, not one per spec
    todo = [spec for key, spec in unique.items() if key not in stored]
    return todo, len(unique) - len(todo)


def execute(
    store: ResultsStore, experiment: str, specs: list[RunSpec], *, scheduler: str | None = None,
    workers: int | None = None, progress: bool | ProgressHook = False, stop: threading.Event | None = None,
) -> Outcome:
    """Compute and store every spec that has no finished run in ``store`` yet.

    Args:
        store: the writable results store (only this process writes it).
        experiment: name recorded with each stored run.
        specs: the planned runs (duplicates by run key are computed once).
        scheduler: address of a running Dask scheduler; None starts a local cluster.
        workers: local worker processes (default: cores; never more than the runs to compute).
        progress: True shows progress, a callable gets ``(done, failed, total)``.
        stop: when set (from another thread), the runs not finished yet are cancelled and not stored; the
            runs stored before stay. ``Outcome.stopped`` says so.
    """
    import time

    from distributed import as_completed

    todo, reused = missing(store, specs)
    outcome = Outcome(reused=reused)
    if not todo:
        return outcome
    t0 = time.perf_counter()
    n_local = min(check_workers(workers), len(todo))
    with Reporter(progress, len(todo), experiment, reused) as report, dask_client(scheduler, n_local) as client:
        report.note(describe_estimate(todo, len(client.nthreads()) or n_local))
        futures = {
            client.submit(simulate, spec.payload(), key=f"nkborder-run-{spec.key}", pure=False): spec
            for spec in todo
        }
        ended = threading.Event()
        if stop is not None:
            threading.Thread(target=_cancel_when, args=(stop, ended, client, futures), daemon=True,
                             name=f"nkborder-stop-{experiment}").start()
        try:
            for future in as_completed(list(futures), loop=client.loop):
                spec = futures.pop(future)
                if future.cancelled():  # stopped: not stored
                    continue
                try:
                    out = future.result()
                except Exception as exc:  # the model raised, or the run killed its workers repeatedly
                    message = f"{type(exc).__name__}: {exc}"
                    _record(store, experiment, spec, None, message)
                    outcome.failed[spec.key] = message
                    report.advance(False, message)
                else:
                    _record(store, experiment, spec, out, "")
                    outcome.computed += 1
                    report.advance(True)
                future.release()
                if stop is not None and stop.is_set():  # set meanwhile (e.g. by the progress hook)
                    with contextlib.suppress(Exception):
                        client.cancel(list(futures))
                    break
        except BaseException:  # interrupted: stop the runs in flight; the stored ones stay
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            raise
        finally:
            ended.set()
    outcome.seconds = time.perf_counter() - t0
    outcome.stopped = stop is not None and stop.is_set()
    return outcome


def _cancel_when(stop: threading.Event, ended: threading.Event, client: Any, futures: dict[Any, RunSpec]) -> None:
    """Cancel the futures not finished yet once ``stop`` is set (unless the loop ``ended`` first)."""
    while not ended.is_set():
        if stop.wait(0.2):
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            return


def _record(store: ResultsStore, experiment: str, spec: RunSpec, out: dict[str, Any] | None, message: str) -> str:
    """Store one run (finished with its tables, or failed with ``message``) in one transaction."""
    from nkborder.version import __version__

    sc = spec.scenario
    tables = {} if out is None else {freq: out[freq] for freq in TABLES if freq in out}
    return store.record_run(
        tables=tables, status="finished" if out is not None else "failed", message=message,
        wall_seconds=None if out is None else out["wall_seconds"], scenario_name=sc.name,
        scenario_text=sc.text, params=spec.params.model_dump(), seed=spec.seed, scale=spec.scale,
        start=sc.start, end=sc.end, code_version=__version__, experiment=experiment, run_key=spec.key,
    )


__all__ = ["Outcome", "execute", "missing"]
