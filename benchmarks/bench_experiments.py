"""Benchmark of the experiment layer: Dask speed-up and per-run overhead (scheduling + storing).

(a) An ensemble of 2 x cores runs on a local cluster of 1 worker, then of 2 workers (each cluster started and
    its workers' kernels loaded before the clock starts): speed-up = time on 1 / time on 2 (target >= 1.8),
    repeated (3 times in the full benchmark) and reported as the median ratio with every ratio listed.
    ``compute_speedup`` leaves out connecting and reading back; ``busy_share`` (sum of the runs' wall times /
    (workers x compute time)) tells how well the workers were kept busy, whatever else the machine runs.
(b) The same reduced-scale runs made directly in this process (``nkborder.run``, nothing stored) and as
    experiments of a few and of more runs on one warmed worker (scheduled on Dask, returned, stored in DuckDB,
    read back, summarised): overhead per run as a share of a run's time (target < 5 %). The wall-clock share
    is the slope difference between the two experiment sizes (per-experiment costs cancel), summed over
    rounds that each make the direct runs and then the two experiments (so that a change in the machine's
    load falls on both sides alike). ``client_cpu_share`` is the CPU the client process (Dask client and
    scheduler, storing, reading back) spends per run over the CPU of one run, and ``cpu_overhead_share`` adds
    the worker's CPU per run beyond the same run made directly: neither depends on what else the machine does.

Wall-clock times on a shared machine include whatever else runs on it; ``load_average`` is reported with them.
Call :func:`run` from a ``if __name__ == "__main__":`` block: Dask starts worker processes by spawning.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SPEEDUP_TARGET = 1.8
OVERHEAD_TARGET = 0.05


def _warm_cluster(n_workers: int) -> tuple[Any, Any]:
    import dask
    from distributed import Client, LocalCluster

    from nkborder.experiments.cluster import LOCAL_OPTIONS, TUNING, plain_malloc
    from nkborder.experiments.tasks import warm_up

    with dask.config.set(TUNING), plain_malloc():  # as the experiments' own local clusters
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, **LOCAL_OPTIONS)
    client = Client(cluster, set_as_default=False)
    client.run(warm_up)
    return cluster, client


def _timed_ensemble(n_workers: int, reps: int, seed: int, scale: float, db: Path) -> dict[str, float]:
    """Wall seconds of one ensemble call on a warmed local cluster of ``n_workers``."""
    cluster, client = _warm_cluster(n_workers)
    try:
        return _ensemble_on(cluster, client, reps, seed, scale, db)
    finally:
        client.close()
        cluster.close()


def _ensemble_on(cluster: Any, client: Any, reps: int, seed: int, scale: float, db: Path) -> dict[str, float]:
    """One ensemble call on a running cluster: wall seconds, CPU seconds of this (client) process and of the
    workers, and how busy the workers were kept."""
    import psutil

    from nkborder.experiments import ensemble, list_runs

    workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
    w0 = sum(_cpu(w) for w in workers)
    t0, c0 = time.perf_counter(), time.process_time()
    res = ensemble("history", reps=reps, seed=seed, scale=scale, db=db, scheduler=cluster.scheduler_address)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    worker_cpu = sum(_cpu(w) for w in workers) - w0
    assert res.computed == reps and res.failed == 0
    run_walls = list_runs(db, res.name)["wall_seconds"].sum()
    return {"wall_s": wall, "compute_s": res.compute_seconds, "client_cpu_s": cpu, "worker_cpu_s": worker_cpu,
            "run_walls_s": run_walls, "busy_share": run_walls / (len(workers) * res.compute_seconds)}


def _cpu(proc: Any) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def speedup(reps: int, scale: float, tmp: Path, repeats: int = 1) -> dict[str, Any]:
    """(a) One ensemble of ``reps`` runs on 1, then 2 local workers, ``repeats`` times in turn; the speed-up
    reported is the median of the repeats' ratios (each repeat measures both sides back to back, so a change in
    what else the machine runs falls on one ratio, not on the median)."""
    ratios, pairs = [], []
    for r in range(repeats):
        one = _timed_ensemble(1, reps, 1, scale, tmp / f"one-{r}.duckdb")
        two = _timed_ensemble(2, reps, 1, scale, tmp / f"two-{r}.duckdb")
        ratios.append(one["wall_s"] / two["wall_s"])
        pairs.append((one, two))
    mid = int(np.argsort(ratios)[len(ratios) // 2])
    one, two = pairs[mid]
    ratio = float(np.median(ratios))
    return {
        "runs": reps, "scale": scale, "repeats": repeats, "speedups": [round(x, 3) for x in ratios],
        "wall_1_worker_s": round(one["wall_s"], 2), "wall_2_workers_s": round(two["wall_s"], 2),
        "speedup": round(ratio, 3), "compute_speedup": round(one["compute_s"] / two["compute_s"], 3),
        "busy_share_1_worker": round(one["busy_share"], 3), "busy_share_2_workers": round(two["busy_share"], 3),
        "target": SPEEDUP_TARGET,
        "ok": ratio >= SPEEDUP_TARGET,
    }


def overhead(small: int, large: int, scale: float, tmp: Path, rounds: int = 2) -> dict[str, Any]:
    """(b) Direct in-process runs vs the same runs as experiments of ``small`` and ``large`` runs on one
    warmed worker; the per-run overhead is the slope difference, so per-experiment costs (connecting,
    reading the runs back, computing bands) cancel and are reported apart as ``fixed_s``.

    The measurement is made in ``rounds`` rounds, each one the ``large`` runs made directly, then the two
    experiments (of the same seeds, hence the same work), so that a change in what else the machine runs
    falls on both sides alike instead of on whichever was measured last. CPU times do not depend on that
    load: ``client_cpu_per_run_s`` (Dask client and scheduler, storing, reading back) and
    ``worker_extra_cpu_per_run_s`` (the worker's CPU per run beyond the same run made directly) add up to
    ``cpu_overhead_share`` of a run's CPU time. ``gap_per_run_s`` is the experiment's wall time per run beyond
    the runs' own wall times (measured in the worker around ``nkborder.run``): time the worker was not running
    a simulation, measured in the same experiments, hence hardly affected by a change of load.
    """
    from nkborder.api import run
    from nkborder.experiments.spec import derive_seed
    from nkborder.experiments.tasks import warm_up

    warm_up()
    load_start = os.getloadavg()
    walls, cpus, exps = [], [], []
    for r in range(rounds):
        for i in range(large):  # no cluster running meanwhile: its event loops would share this process
            t0, c0 = time.perf_counter(), time.process_time()
            run("history", seed=derive_seed(2, i), scale=scale, daily=False)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        cluster, client = _warm_cluster(1)
        try:
            exps.append(tuple(
                _ensemble_on(cluster, client, n, 2, scale, tmp / f"overhead-{r}-{n}.duckdb") for n in (small, large)
            ))
        finally:
            client.close()
            cluster.close()

    def total(values: list[float], first: int) -> float:  # sum over rounds of the first ``first`` runs
        return sum(sum(values[r * large:r * large + first]) for r in range(rounds))

    def slope(key: str) -> float:  # per extra run, experiments of ``large`` minus experiments of ``small``
        return sum(e_large[key] - e_small[key] for e_small, e_large in exps) / (rounds * (large - small))

    d_small, d_large = total(walls, small), total(walls, large)
    per_run, run_cpu = d_large / (rounds * large), total(cpus, large) / (rounds * large)
    extra = slope("wall_s") - (d_large - d_small) / (rounds * (large - small))
    client_cpu = slope("client_cpu_s")
    worker_extra = slope("worker_cpu_s") - (total(cpus, large) - total(cpus, small)) / (rounds * (large - small))
    e_small = sum(e[0]["wall_s"] for e in exps) / rounds
    write_wall, write_cpu = _store_seconds(tmp / f"overhead-0-{large}.duckdb")
    return {
        "runs": [small, large], "rounds": rounds, "scale": scale, "run_s": round(per_run, 3),
        "direct_s": [round(d_small / rounds, 2), round(d_large / rounds, 2)],
        "experiment_s": [round(e_small, 2), round(sum(e[1]["wall_s"] for e in exps) / rounds, 2)],
        "overhead_per_run_s": round(extra, 3), "overhead_share": round(extra / per_run, 4),
        "fixed_s": round(e_small - d_small / rounds - small * extra, 2),
        "run_cpu_s": round(run_cpu, 3), "client_cpu_per_run_s": round(client_cpu, 3),
        "client_cpu_share": round(client_cpu / run_cpu, 4),
        "worker_extra_cpu_per_run_s": round(worker_extra, 3),
        "gap_per_run_s": round(slope("wall_s") - slope("run_walls_s"), 3),
        "cpu_overhead_share": round((client_cpu + worker_extra) / run_cpu, 4),
        "store_write_per_run_s": round(write_wall, 3), "store_write_cpu_per_run_s": round(write_cpu, 3),
        "load_average_start": [round(x, 2) for x in load_start],
        "target": OVERHEAD_TARGET, "ok": extra / per_run < OVERHEAD_TARGET,
    }


def _store_seconds(db: Path) -> tuple[float, float]:
    """Mean wall and CPU seconds to write one run's tables (one transaction) into the store, as experiments
    store them (yearly, monthly and, when the run has them, sectors and districts)."""
    from nkborder.experiments.tasks import TABLES
    from nkborder.store import ResultsStore

    with ResultsStore(db) as store:
        run_id = store.runs()["run_id"].iloc[0]
        tables = {f: store.table(run_id, f) for f in TABLES}
        tables = {f: df for f, df in tables.items() if len(df)}
        rec = store.run(run_id)
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(5):
            store.record_run(tables=tables, scenario_name=rec.scenario_name, scenario_text=rec.scenario_text,
                             params=rec.params, seed=rec.seed + i + 1, scale=rec.scale, start=rec.start_date,
                             end=rec.end_date, code_version=rec.code_version, experiment="bench-store")
        return (time.perf_counter() - t0) / 5, (time.process_time() - c0) / 5


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
            "speedup": speedup(2 * cores, scale, Path(tmp), repeats=1 if quick else 3),
            "overhead": overhead(2, 8 if quick else 10, scale, Path(tmp), rounds=2),
        }
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True), indent=2))
