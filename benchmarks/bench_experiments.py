"""Benchmark of the experiment layer: Dask speed-up and per-run overhead (scheduling + storing).

(a) An ensemble of 2 x cores runs on a local cluster of 1 worker, then of 2 workers (each cluster started and
    its workers' kernels loaded before the clock starts): speed-up = time on 1 / time on 2 (target >= 1.8).
    ``compute_speedup`` leaves out connecting and reading back; ``busy_share`` (sum of the runs' wall times /
    (workers x compute time)) tells how well the workers were kept busy, whatever else the machine runs.
(b) The same reduced-scale runs made directly in this process (``nkborder.run``, nothing stored) and as
    experiments of a few and of more runs on one warmed worker (scheduled on Dask, returned, stored in DuckDB,
    read back, summarised): overhead per run as a share of a run's time (target < 5 %). The wall-clock share
    is the slope difference between the two experiment sizes (per-experiment costs cancel);
    ``client_cpu_share`` is the CPU the client process (Dask client and scheduler, storing, reading back)
    spends per run over the CPU of one run, which does not depend on what else the machine is doing.

Wall-clock times on a shared machine include whatever else runs on it; ``load_average`` is reported with them.
Call :func:`run` from a ``if __name__ == "__main__":`` block: Dask starts worker processes by spawning.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

SPEEDUP_TARGET = 1.8
OVERHEAD_TARGET = 0.05


def _warm_cluster(n_workers: int) -> tuple[Any, Any]:
    import dask
    from distributed import Client, LocalCluster

    from nkborder.experiments.cluster import LOCAL_OPTIONS, TUNING
    from nkborder.experiments.tasks import warm_up

    with dask.config.set(TUNING):  # as the experiments' own local clusters
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, **LOCAL_OPTIONS)
    client = Client(cluster, set_as_default=False)
    client.run(warm_up)
    return cluster, client


def _timed_ensemble(n_workers: int, reps: int, seed: int, scale: float, db: Path) -> dict[str, float]:
    """Wall seconds of one ensemble call on a warmed local cluster of ``n_workers``."""
    from nkborder.experiments import ensemble, list_runs

    cluster, client = _warm_cluster(n_workers)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        res = ensemble("history", reps=reps, seed=seed, scale=scale, db=db, scheduler=cluster.scheduler_address)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        client.close()
        cluster.close()
    assert res.computed == reps and res.failed == 0
    run_walls = list_runs(db, res.name)["wall_seconds"].sum()
    return {"wall_s": wall, "compute_s": res.compute_seconds, "client_cpu_s": cpu,
            "busy_share": run_walls / (n_workers * res.compute_seconds)}


def speedup(reps: int, scale: float, tmp: Path) -> dict[str, Any]:
    """(a) One ensemble of ``reps`` runs on 1, then 2 local workers."""
    one = _timed_ensemble(1, reps, 1, scale, tmp / "one.duckdb")
    two = _timed_ensemble(2, reps, 1, scale, tmp / "two.duckdb")
    ratio = one["wall_s"] / two["wall_s"]
    return {
        "runs": reps, "scale": scale, "wall_1_worker_s": round(one["wall_s"], 2),
        "wall_2_workers_s": round(two["wall_s"], 2), "speedup": round(ratio, 3),
        "compute_speedup": round(one["compute_s"] / two["compute_s"], 3),
        "busy_share_1_worker": round(one["busy_share"], 3), "busy_share_2_workers": round(two["busy_share"], 3),
        "target": SPEEDUP_TARGET,
        "ok": ratio >= SPEEDUP_TARGET,
    }


def overhead(small: int, large: int, scale: float, tmp: Path) -> dict[str, Any]:
    """(b) Direct in-process runs vs the same runs as experiments of ``small`` and ``large`` runs on one
    warmed worker; the per-run overhead is the slope difference, so per-experiment costs (connecting,
    reading the runs back, computing bands) cancel and are reported apart as ``fixed_s``."""
    from nkborder.api import run
    from nkborder.experiments.spec import derive_seed
    from nkborder.experiments.tasks import warm_up

    warm_up()
    walls, cpus = [], []
    for i in range(large):
        t0, c0 = time.perf_counter(), time.process_time()
        run("history", seed=derive_seed(2, i), scale=scale, daily=False)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    d_small, d_large = sum(walls[:small]), sum(walls)
    e_small = _timed_ensemble(1, small, 2, scale, tmp / "overhead-small.duckdb")
    e_large = _timed_ensemble(1, large, 2, scale, tmp / "overhead-large.duckdb")
    per_run = d_large / large
    extra = ((e_large["wall_s"] - e_small["wall_s"]) - (d_large - d_small)) / (large - small)
    client_cpu = (e_large["client_cpu_s"] - e_small["client_cpu_s"]) / (large - small)
    return {
        "runs": [small, large], "scale": scale, "run_s": round(per_run, 3),
        "direct_s": [round(d_small, 2), round(d_large, 2)],
        "experiment_s": [round(e_small["wall_s"], 2), round(e_large["wall_s"], 2)],
        "overhead_per_run_s": round(extra, 3), "overhead_share": round(extra / per_run, 4),
        "fixed_s": round(e_small["wall_s"] - d_small - small * extra, 2),
        "run_cpu_s": round(sum(cpus) / large, 3), "client_cpu_per_run_s": round(client_cpu, 3),
        "client_cpu_share": round(client_cpu / (sum(cpus) / large), 4),
        "store_write_per_run_s": round(_store_seconds(tmp / "overhead-large.duckdb"), 3),
        "target": OVERHEAD_TARGET, "ok": extra / per_run < OVERHEAD_TARGET,
    }


def _store_seconds(db: Path) -> float:
    """Mean seconds to write one run's yearly and monthly tables (one transaction) into the store."""
    from nkborder.store import ResultsStore

    with ResultsStore(db) as store:
        run_id = store.runs()["run_id"].iloc[0]
        tables = {f: store.table(run_id, f) for f in ("yearly", "monthly")}
        rec = store.run(run_id)
        t0 = time.perf_counter()
        for i in range(3):
            store.record_run(tables=tables, scenario_name=rec.scenario_name, scenario_text=rec.scenario_text,
                             params=rec.params, seed=rec.seed + i + 1, scale=rec.scale, start=rec.start_date,
                             end=rec.end_date, code_version=rec.code_version, experiment="bench-store")
        return (time.perf_counter() - t0) / 3


def run(quick: bool = True) -> dict[str, Any]:
    """Measure (a) the speed-up from 1 to 2 local workers and (b) the per-run overhead of experiments.

    Args:
        quick: smaller runs (scale 0.2 instead of 0.5, full 1995-2025 history) for CI.

    Returns:
        ``{"speedup": {...}, "overhead": {...}, "cores": int, "load_average": [1, 5, 15 min]}``; times in
        seconds, shares as fractions.
    """
    from nkborder.experiments.cluster import default_workers

    cores = default_workers()
    scale = 0.2 if quick else 0.5
    with tempfile.TemporaryDirectory(prefix="nkbench-") as tmp:
        out = {
            "cores": cores,
            "speedup": speedup(2 * cores, scale, Path(tmp)),
            "overhead": overhead(2, 6 if quick else 12, scale, Path(tmp)),
        }
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True), indent=2))
