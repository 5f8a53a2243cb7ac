"""Calibration benchmarks: CPU seconds per simulation, the one-hour calibration, identifiability on a synthetic truth.

``python -m benchmarks --update calibration`` measures the CPU time per simulation (section 11 of BENCHMARKS.md,
:func:`throughput`). The two long jobs are not part of it (run them on an idle machine):

* ``python -m benchmarks.calibration hour [--out FILE.json]``: the shipped calibration's parameters, fixed values and
  settling rule at scale 0.25, generation after generation until it settles or an hour has passed (:func:`hour`):
  simulations done and wall time.
* ``python -m benchmarks --update proposals`` (or ``python -m benchmarks.calibration proposals [--db FILE --name
  ID]``): CPU seconds per proposal of pyabc's one-at-a-time redraws and of the batched kernel, fitted to the
  shipped posterior's particles or a stored calibration's last generation (:func:`proposals`).
* ``python -m benchmarks.calibration identifiability [--out FILE.json]``: a synthetic truth simulated at the
  shipped medians with the observed series' rows, calibrated with the shipped calibration's choices and settings
  (:func:`identifiability`): which parameters the data identify.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import ROOT

OBSERVED = ROOT.parent / "shared" / "data" if (ROOT.parent / "shared" / "data").is_dir() else None
#: The settings of the calibration the hour job runs (docs/calibration.md).
SETTINGS = {"scenario": "history", "until": 2015, "scale": 0.25, "population": 200, "seed": 1}


def _setup(scale: float, until: int):
    """The calibration's setup at :data:`SETTINGS` (but ``scale`` and ``until``)."""
    from nkborder.calibration.smc import prepare

    return prepare(SETTINGS["scenario"], OBSERVED, until, scale, SETTINGS["seed"], SETTINGS["population"])


def _prior_draws(setup, n: int, seed: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    return [{p["name"]: float(rng.uniform(p["lo"], p["hi"])) for p in setup.definition["priors"]} for _ in range(n)]


def throughput(scale: float = 0.25, draws: int = 10, repeats: int = 3, seed: int = 1) -> dict[str, Any]:
    """CPU seconds per simulation of prior draws, with and without early rejection, repeated ``repeats`` times.

    * ``old``: a run to the last year of ``--until 2015`` through ``nkborder.run`` and its full yearly table, the
      values read from it: how a simulation was evaluated without :class:`YearlyReader` and early rejection;
    * ``full``: a run to the last year fitted (2023: the repatriations), values read during the run;
    * ``early q``: the same draws with early rejection at a tolerance equal to the ``q`` quantile of their full
      distances (0.5: a generation that accepts half of the draws; 0.2: a fifth).
    """
    import datetime as dt

    from nkborder.api import run
    from nkborder.calibration.simulate import EarlyRejectModel, model_values, sim_seed, split_values

    setup = _setup(scale, SETTINGS["until"])
    model, distance = setup.model(), setup.distance()
    early = EarlyRejectModel(model, distance)
    pars = _prior_draws(setup, draws, seed)
    model.run(pars[0])  # compile (cached kernels) and warm up
    old_scenario = setup.scenario.with_dates(None, dt.date(SETTINGS["until"], 12, 31))
    old_targets = setup.targets.between(1999, SETTINGS["until"])

    def old(p: dict[str, float]) -> None:
        values = {**model.fixed, **p}
        overrides, obs = split_values(values)
        res = run(old_scenario, seed=sim_seed(model.seed, values), scale=scale, overrides=overrides, daily=False)
        model_values(res.yearly, old_targets, model.weights, obs.get("crossing_point_factor", 2.0), scale)

    out: dict[str, Any] = {"scale": scale, "draws": draws, "repeats": repeats, "seed": seed,
                           "last_year": setup.scenario.end.year, "runs": []}  # fmt: skip
    for r in range(repeats):
        row: dict[str, Any] = {}
        t0 = time.process_time()
        for p in pars:
            old(p)
        row["old"] = (time.process_time() - t0) / draws
        t0 = time.process_time()
        dists = [distance(model.run(p), {}) for p in pars]
        row["full"] = (time.process_time() - t0) / draws
        for q in (0.5, 0.2):
            eps = float(np.quantile(dists, q))
            t0 = time.process_time()
            accepted = [early.integrated_simulate(p, eps).accepted for p in pars]
            row[f"early_{q}"] = (time.process_time() - t0) / draws
            row[f"accepted_{q}"] = int(sum(accepted))
        out["runs"].append(row)
        print(f"repeat {r}: " + ", ".join(f"{k} {v:.3g}" for k, v in row.items()), flush=True)
    out["stopped_after_year"] = {str(k): v for k, v in sorted(early.stopped.items())}
    for key in ("old", "full", "early_0.5", "early_0.2"):
        values = [row[key] for row in out["runs"]]
        out[key] = {"mean": float(np.mean(values)), "min": float(np.min(values)), "max": float(np.max(values))}
    out["load_average"] = list(os.getloadavg())
    return out


#: What :func:`breakdown` times, in the order of a simulation on a worker: (label, owner, attribute), the owner
#: given as a module path or "module:Class"; a phase of :class:`benchmarks.child.PhaseTimers` is timed as well.
BREAKDOWN = (
    ("parameters", "nkborder.scenarios:Scenario", "parameters"),
    ("environment", "nkborder.engine.sim", "build_environment"),
    ("population", "nkborder.engine.sim", "build_population"),
    ("vital rates", "nkborder.engine.sim", "vital_rates"),
    ("monthly income Gini", "nkborder.engine.month", "gini"),
    ("hand_over_smuggling", "nkborder.engine.month", "hand_over_smuggling"),
    ("yearly reader", "nkborder.calibration.simulate:YearlyReader", "__init__"),
    ("yearly reader", "nkborder.calibration.simulate:YearlyReader", "values"),
    ("distance", "nkborder.calibration.distance:SeriesDistance", "__call__"),
    ("distance", "nkborder.calibration.distance:SeriesDistance", "partial"),
)


def _owner(path: str) -> Any:
    import importlib

    module, _, cls = path.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, cls) if cls else mod


def breakdown(scale: float = 0.25, draws: int = 5, seed: int = 1) -> dict[str, Any]:
    """Where one calibration simulation's CPU time goes in a Dask worker: CPU seconds per simulation of each part.

    ``draws`` prior draws are run as pyabc runs them in generation 0 (the simulate function of a generation
    unpickled for each job, the early-rejection check after every year at the first generation's tolerance, the
    result pickled to be sent back); each named part is timed by wrapping the function that does it
    (:data:`BREAKDOWN` and the simulation's phases, :class:`benchmarks.child.PhaseTimers`); "other" is the rest of
    the job's time (Python in the monthly loop, pyabc's sampling of the parameters, the progress callback).
    """
    import cloudpickle
    import pyabc

    import nkborder.engine.sim as sim_mod
    from benchmarks.child import PhaseTimers
    from nkborder.calibration.smc import FIRST_TOLERANCE

    setup = _setup(scale, SETTINGS["until"])
    abc = setup.abc(pyabc.SingleCoreSampler())
    abc.new(f"sqlite:///{tempfile.mkdtemp(prefix='nkcal-breakdown-')}/history.sqlite", setup.observed())
    t = abc.initialize_components_before_run(None, 1, 0.0, np.inf, None, 0.0)
    assert t == 0 and abc.eps(t) == FIRST_TOLERANCE  # generation 0: every run is checked after each year
    job = cloudpickle.dumps(abc._create_simulate_function(t))  # what pyabc sends with every Dask job
    cloudpickle.loads(job)()  # compile (cached kernels) and warm up
    timers = PhaseTimers(sim_mod)
    for label, owner, name in BREAKDOWN:
        timers.add(_owner(owner), name, label)
    parts = {"unpickle the job": 0.0, "pickle the result": 0.0}
    np.random.seed(seed)  # pyabc draws the parameters from NumPy's global generator
    total = 0.0
    try:
        for _ in range(draws):
            t0 = time.process_time()
            simulate_one = cloudpickle.loads(job)
            t1 = time.process_time()
            particle = simulate_one()
            t2 = time.process_time()
            cloudpickle.dumps([(particle, particle.accepted, 0)])
            t3 = time.process_time()
            parts["unpickle the job"] += t1 - t0
            parts["pickle the result"] += t3 - t2
            total += t3 - t0
    finally:
        timers.undo()
    for name, cpu in timers.cpu_seconds.items():
        if timers.calls[name]:
            parts[name] = parts.get(name, 0.0) + cpu
    per_sim = {k: v / draws for k, v in parts.items()}
    per_sim["other"] = total / draws - sum(per_sim.values())
    calls = {k: v / draws for k, v in timers.calls.items() if v}
    return {"scale": scale, "draws": draws, "seed": seed, "last_year": setup.scenario.end.year,
            "cpu_s": total / draws, "parts": per_sim, "calls": calls, "job_bytes": len(job),
            "load_average": list(os.getloadavg()), "status": "ok"}  # fmt: skip


def client_load(scale: float = 0.05, population: int = 20, generations: int = 3, workers: int = 2,
                seed: int = 1) -> dict[str, Any]:
    """CPU seconds of a calibration's processes per simulation and per wall second: a small calibration at
    :data:`SETTINGS` (but ``scale``, ``population``, ``generations``) on a local cluster of ``workers``, from the end
    of generation 0 (the workers started and warm) to the end of the last generation.

    ``client``: this process (pyabc's sampler loop, the Dask scheduler and client, the stores); ``workers``: the
    worker processes (the simulations and Dask's work around them). Child processes are read with ``psutil``
    (installed with ``distributed``).
    """
    import psutil

    from nkborder.calibration import calibrate

    me = psutil.Process()

    def cpu() -> tuple[float, float, float]:
        kids = sum(sum(k.cpu_times()[:2]) for k in me.children(recursive=True))
        return time.perf_counter(), time.process_time(), kids

    marks: dict[int, tuple[tuple[float, float, float], int]] = {}
    db = Path(tempfile.mkdtemp(prefix="nkcal-client-")) / "client.duckdb"
    calibrate(SETTINGS["scenario"], OBSERVED, until=SETTINGS["until"], population=population, generations=generations,
              scale=scale, seed=seed, workers=workers, db=db, name="client-load",
              progress=lambda info: marks.setdefault(info["generation"], (cpu(), info["n_simulations"])))
    (w0, c0, k0), _ = marks[0]
    (w1, c1, k1), _ = marks[generations - 1]
    sims = sum(marks[g][1] for g in range(1, generations))
    wall = w1 - w0
    return {"scale": scale, "population": population, "generations": generations, "workers": workers,
            "simulations": sims, "wall_s": wall, "client_cpu_s": c1 - c0, "workers_cpu_s": k1 - k0,
            "client_cpu_per_wall_s": (c1 - c0) / wall, "client_cpu_per_sim": (c1 - c0) / sims,
            "workers_cpu_per_sim": (k1 - k0) / sims, "load_average": list(os.getloadavg())}  # fmt: skip


def measure(cfg: Any = None) -> dict[str, Any]:
    """The ``calibration`` part of ``python -m benchmarks --update``: :func:`throughput` at its defaults and the
    :func:`breakdown` of a simulation."""
    return {**throughput(), "breakdown": breakdown()}


def measure_parts(cfg: Any = None, before: str | None = None, repeats: int = 2) -> dict[str, Any]:
    """``NKBORDER_BENCH_BEFORE=REF python -m benchmarks --update calibration_parts``: :func:`breakdown` and
    :func:`client_load` under commit ``REF`` and under this tree, in ``repeats`` interleaved pairs, each pair in
    new processes that import this tree's benchmarks and that tree's ``nkborder``."""
    from benchmarks.before_after import _git, extracted

    ref = before or os.environ.get("NKBORDER_BENCH_BEFORE")
    if not ref:
        raise ValueError("NKBORDER_BENCH_BEFORE is not set: give the git commit to compare with")
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with extracted(ref) as (commit, folder), tempfile.TemporaryDirectory(prefix="nkbench-shim-") as shim:
        (Path(shim) / "benchmarks").symlink_to(ROOT / "benchmarks")  # this tree's benchmarks, that tree's nkborder
        for _ in range(repeats):
            for side, tree in (("before", folder), ("after", ROOT)):
                env = {**os.environ, "PYTHONPATH": f"{shim}{os.pathsep}{tree}"}
                proc = subprocess.run([sys.executable, "-m", "benchmarks.calibration", "parts"], cwd=shim, env=env,
                                      capture_output=True, text=True, timeout=3600, check=True)
                runs[side].append(json.loads(proc.stdout.strip().splitlines()[-1]))
                print(f"calibration_parts: {side} done", flush=True)
    return {"before": commit, "after": _git("rev-parse", "--short", "HEAD"), "repeats": repeats, "runs": runs,
            "load_average": list(os.getloadavg())}


#: CPU seconds per simulation the one-hour target allows: 2 cores x 3,600 s / 5,000 simulations.
TARGET_CPU_S = 2 * 3600 / 5000


def section(res: dict[str, Any]) -> list[str]:
    """Section 11 of BENCHMARKS.md: CPU seconds per simulation with and without early rejection."""
    if res.get("status") != "ok":
        return [f"**{res.get('status', 'not measured')}**: {res.get('error', '')}", ""]
    rows = [("a run to 2015 read from its full yearly table (no early rejection, no reader)", "old"),
            (f"a run to {res['last_year']} read during the run, no early rejection", "full"),
            ("early rejection, tolerance = median of the draws' distances", "early_0.5"),
            ("early rejection, tolerance = 20 % quantile of the draws' distances", "early_0.2")]
    accepted = {k: sum(r[f"accepted_{k[6:]}"] for r in res["runs"]) / len(res["runs"]) for _, k in rows[2:]}
    lines = [
        f"CPU seconds per simulation of the calibration of `docs/calibration.md` (history, every series) at scale "
        f"{res['scale']}: {res['draws']} prior draws (seed {res['seed']}), the same draws in each of {res['repeats']} "
        f"repeats; mean over the repeats and the lowest and highest repeat (`python -m benchmarks --update "
        f"calibration`, `benchmarks/calibration.py`). Load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in res['load_average'])}.",
        "",
        "| simulation | CPU s per simulation | lowest - highest repeat | draws accepted |",
        "| --- | --- | --- | --- |",
    ]
    for label, key in rows:
        v = res[key]
        acc = f"{accepted[key]:.0f} of {res['draws']}" if key in accepted else "-"
        lines.append(f"| {label} | {v['mean']:.2f} | {v['min']:.2f} - {v['max']:.2f} | {acc} |")
    stopped = ", ".join(f"{y}: {n}" for y, n in res.get("stopped_after_year", {}).items()) or "none"
    full, early = res["full"]["mean"], res["early_0.2"]["mean"]
    lines += [
        "",
        f"Runs stopped after each year (all repeats, both tolerances; 1994 = before the first day): {stopped}. "
        f"The one-hour target (5,000 simulations at scale >= 0.25 on 2 cores) allows {TARGET_CPU_S:.2f} CPU s per "
        f"simulation: {7200 / full:,.0f} simulations an hour without early rejection, {7200 / early:,.0f} at the "
        "tolerance that accepts a fifth of the draws, before the overhead of pyabc and Dask. The whole calibration "
        "is `python -m benchmarks.calibration hour` (not part of this file: an hour on an idle machine).",
        "",
    ]
    return [*lines, *breakdown_section(res.get("breakdown", {}))]


#: What each part of :func:`breakdown` is, for the table of section 11.
PART_TEXT = {
    "unpickle the job": "pyabc's simulate function of the generation, unpickled for each Dask job",
    "parameters": "the run's validated parameters (`Scenario.parameters`)",
    "environment": "`build_environment`: policy, prices and events by day",
    "population": "`build_population`: people, households, guards, brokers",
    "vital rates": "fertility and death rates by age (set-up)",
    "people_month": "monthly pass over people (numba)",
    "run_days": "daily kernel (numba)",
    "census": "monthly census of households (numba)",
    "household_budgets": "monthly household budgets (numba)",
    "remittances": "monthly remittances (numba)",
    "hand_over_smuggling": "monthly hand-over of smuggling (numba)",
    "resident_smugglers": "monthly list of smugglers at home",
    "monthly income Gini": "Gini of the month's household incomes (NumPy sort), reported only",
    "_income_gini": "yearly Gini of household income, reported only",
    "district_snapshot": "yearly district snapshot, reported only",
    "yearly reader": "the observed rows' values after each year (`YearlyReader`)",
    "distance": "partial distance after each year, and the final one",
    "pickle the result": "the particle pickled to be sent back",
    "other": "Python of the monthly loop, pyabc's draw of the parameters, the progress callback",
}


#: The parts that are the model's own monthly and daily work (the rest is set-up, reporting, reading and transfer).
KERNELS = ("people_month", "run_days", "census", "household_budgets", "remittances", "hand_over_smuggling",
           "resident_smugglers")


def breakdown_lines(parts: dict[str, dict[str, float]], header: tuple[str, ...]) -> list[str]:
    """A Markdown table of CPU seconds per simulation by part: one column per entry of ``parts`` (label -> part ->
    seconds), rows in the order of the largest first column; then the model's kernels (:data:`KERNELS`), the rest,
    and the total."""
    columns = list(parts)
    first = parts[columns[0]]
    names = sorted(set().union(*parts.values()), key=lambda k: (k == "other", -first.get(k, 0.0)))
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for name in names:
        cells = [f"{parts[c].get(name, 0.0):.3f}" for c in columns]
        lines.append(f"| {name} | {PART_TEXT.get(name, '')} | " + " | ".join(cells) + " |")
    sums = {"the model's monthly and daily kernels": lambda p: sum(v for k, v in p.items() if k in KERNELS),
            "everything else (set-up, reporting, reading, transfer, other)":
                lambda p: sum(v for k, v in p.items() if k not in KERNELS),
            "all": lambda p: sum(p.values())}  # fmt: skip
    for label, total in sums.items():
        lines.append(f"| **{label}** |  | " + " | ".join(f"**{total(parts[c]):.3f}**" for c in columns) + " |")
    return lines


def breakdown_section(res: dict[str, Any]) -> list[str]:
    """Where one simulation's CPU time goes (the ``breakdown`` of ``--update calibration``)."""
    if not res:
        return []
    return [
        f"Where one calibration simulation's CPU time goes in a worker (`benchmarks.calibration.breakdown`, part "
        f"of `--update calibration`): {res['draws']} prior draws at scale {res['scale']}, run as generation 0 runs "
        f"them (history to {res['last_year']}, the observed rows read and the partial distance checked after each "
        f"year), each part timed by wrapping the function that does it. CPU seconds per simulation; load average "
        f"at the end {', '.join(f'{x:.1f}' for x in res['load_average'])}.",
        "",
        *breakdown_lines({"cpu": res["parts"]}, ("part", "what", "CPU s per simulation")),
        "",
    ]


def parts_section(res: dict[str, Any]) -> list[str]:
    """The breakdown and the client's load under an earlier commit and this tree (``calibration_parts``)."""
    if res.get("status") != "ok":
        return []
    runs = res["runs"]

    def mean(side: str, get) -> float:
        return float(np.mean([get(r) for r in runs[side]]))

    names = set().union(*(r["breakdown"]["parts"] for side in runs for r in runs[side]))
    parts = {side: {n: mean(side, lambda r, n=n: r["breakdown"]["parts"].get(n, 0.0)) for n in names}
             for side in ("before", "after")}
    client = runs["after"][0]["client"]
    rows = [("client CPU s per wall second", "client_cpu_per_wall_s"), ("client CPU s per simulation",
            "client_cpu_per_sim"), ("simulations", "simulations"), ("wall s", "wall_s")]
    lines = [
        f"Each part before and after: commit `{res['before']}` against `{res['after']}`, {res['repeats']} "
        f"interleaved pairs, each side in a new process with this tree's benchmarks and that tree's `nkborder` "
        f"(`NKBORDER_BENCH_BEFORE={res['before']} python -m benchmarks --update calibration_parts`); mean of the "
        f"pairs, CPU seconds per simulation. Load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in res['load_average'])}.",
        "",
        *breakdown_lines(parts, ("part", "what", "before", "after")),
        "",
        f"The calibration's own processes (`benchmarks.calibration.client_load`: history, every series, scale "
        f"{client['scale']}, {client['population']} particles, {client['workers']} workers, generations 1-"
        f"{client['generations'] - 1}), mean of the pairs:",
        "",
        "| measure | before | after |",
        "| --- | --- | --- |",
    ]
    for label, key in rows:
        b, a = mean("before", lambda r, k=key: r["client"][k]), mean("after", lambda r, k=key: r["client"][k])
        lines.append(f"| {label} | {b:.3g} | {a:.3g} |")
    return [*lines, "", "The simulations of generations 1 and up differ from run to run (pyabc draws the parameters "
            "from fresh entropy, and early rejection stops some runs), so the client's CPU per wall second is the "
            "number to compare.", ""]


#: The one-hour target: simulations at scale >= 0.25 on 2 cores within this many wall seconds.
HOUR_TARGET = {"simulations": 5000, "wall_s": 3600.0}


def shipped_choices() -> dict[str, Any]:
    """What the shipped calibration estimated, held fixed and settled by (``nkborder/data/calibrated.toml``): its
    ``parameters`` (names), ``fixed`` values and ``min_fall`` (its command's ``--min-tolerance-fall``, or None)."""
    import shlex

    from nkborder.calibration import load_shipped
    from nkborder.calibration.shipped import shipped_command

    definition = load_shipped().definition
    words = shlex.split(shipped_command())
    fall = words[words.index("--min-tolerance-fall") + 1] if "--min-tolerance-fall" in words else None
    return {"parameters": [p["name"] for p in definition["priors"]], "fixed": dict(definition.get("fixed") or {}),
            "min_fall": None if fall is None else float(fall)}


def hour(out: Path | None = None, budget_s: float = HOUR_TARGET["wall_s"], workers: int = 2,
         db: Path | None = None) -> dict[str, Any]:
    """The shipped calibration's choices (:func:`shipped_choices`: its parameters, fixed values and settling rule)
    at :data:`SETTINGS` on one local cluster, generation after generation until it settles, starting none after
    ``budget_s``: simulations done and wall time. Its results go to ``db`` (default: a new temporary file), where
    ``nkborder calibrate`` with the same settings (the job prints them) resumes it."""
    from nkborder.calibration import calibrate
    from nkborder.calibration.smc import TRANSITION

    db = db if db is not None else Path(tempfile.mkdtemp(prefix="nkcal-hour-")) / "hour.duckdb"
    choices = shipped_choices()
    print(f"hour: {SETTINGS}, {choices}, results in {db}", flush=True)
    t0 = time.perf_counter()
    cal = calibrate(SETTINGS["scenario"], OBSERVED, until=SETTINGS["until"], population=SETTINGS["population"],
                    generations=100, scale=SETTINGS["scale"], seed=SETTINGS["seed"], workers=workers, db=db,
                    name="hour", progress=True, max_seconds=budget_s, parameters=choices["parameters"],
                    fixed=choices["fixed"], min_fall=choices["min_fall"])
    gens = cal.generations
    print(gens.to_string(index=False), flush=True)
    result = {"settings": SETTINGS, "choices": choices, "workers": workers, "budget_s": budget_s,
              "wall_s": time.perf_counter() - t0, "generations": len(gens),
              "simulations": int(gens["n_simulations"].sum()), "settled": bool(cal.settled),
              "last_tolerance": float(gens["epsilon"].iloc[-1]), "db": str(db),
              "table": gens.to_dict("records"), "kernel": TRANSITION, "load_average": list(os.getloadavg()),
              "status": "ok"}  # fmt: skip
    _write(result, out)
    return result


def measure_hour(cfg: Any = None) -> dict[str, Any]:
    """:func:`hour` (``python -m benchmarks --update hour``: an hour on an idle machine)."""
    return hour()


def _within_hour(res: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    """The generations that had finished after :data:`HOUR_TARGET`'s wall seconds (counted from the start of the
    job: the cluster's start and generation 0's compile included), and the wall seconds at the last one's end."""
    done, wall = [], 0.0
    start = res["wall_s"] - sum(float(g["wall_seconds"]) for g in res["table"])  # cluster start, set-up
    for g in res["table"]:
        if start + wall + float(g["wall_seconds"]) > HOUR_TARGET["wall_s"]:
            break
        wall += float(g["wall_seconds"])
        done.append(g)
    return done, start + wall


def hour_simulations(res: dict[str, Any]) -> tuple[int, float]:
    """Simulations of the generations finished within the hour (:func:`_within_hour`), and their wall seconds."""
    done, wall = _within_hour(res)
    return sum(int(g["n_simulations"]) for g in done), wall


def hour_stops(res: dict[str, Any]) -> tuple[int, int] | None:
    """Of the simulations of the generations finished within the hour, those the early rejection stopped before
    their first simulated day and those it stopped later (None for a result that did not count them)."""
    done, _ = _within_hour(res)
    if not done or any(_missing(g.get("n_stopped_before_start")) for g in done):
        return None
    return (sum(int(g["n_stopped_before_start"]) for g in done),
            sum(int(g["n_stopped_after_start"]) for g in done))


def _missing(value: Any) -> bool:
    return value is None or value != value


def _choices_text(choices: dict[str, Any] | None) -> str:
    """The hour job's parameters, fixed values and settling rule in words ('' for a result without them)."""
    if not choices:
        return ""
    fixed = ", ".join(f"`{k}` = {v:g}" for k, v in choices["fixed"].items())
    fall = ("" if choices["min_fall"] is None
            else f", settling when the tolerance falls by less than {choices['min_fall']:.0%}")
    return (f"; {len(choices['parameters'])} estimated parameters ("
            + ", ".join(f"`{n}`" for n in choices["parameters"]) + f"), {fixed} held fixed{fall}")


def hour_section(res: dict[str, Any]) -> list[str]:
    """BENCHMARKS.md: the one-hour calibration, generation by generation."""
    if res.get("status") != "ok":
        return []
    st = res["settings"]
    lines = [f"The one-hour calibration (`python -m benchmarks --update hour`, `benchmarks.calibration.hour`): "
             f"{st['scenario']}, every observed series, `--until {st['until']}` (the repatriations to 2023), scale "
             f"{st['scale']}, {st['population']} particles, seed {st['seed']}, the {res['kernel']} kernel, on one "
             f"local cluster of {res['workers']} workers, starting no generation after {res['budget_s']:.0f} s"
             + _choices_text(res.get("choices")) + ". "
             f"{res['simulations']:,} simulations in {res['generations']} generations, {res['wall_s']:,.0f} s of "
             f"wall time in all (the cluster's start and the first compile included)"
             + (f"; load average at the end: {', '.join(f'{x:.1f}' for x in res['load_average'])}"
                if "load_average" in res else "") + f". {res.get('note', '')}".rstrip(), "",
             "| generation | tolerance | simulations | stopped before the first day | stopped later | acceptance | "
             "wall s | wall s per simulation |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for g in res["table"]:
        tol = "-" if g["epsilon"] > 1e8 else f"{g['epsilon']:.3g}"
        before, later = (("-" if _missing(g.get(k)) else f"{int(g[k]):,}")
                         for k in ("n_stopped_before_start", "n_stopped_after_start"))
        lines.append(f"| {g['generation']} | {tol} | {g['n_simulations']:,} | {before} | {later} | "
                     f"{g['acceptance_rate']:.3f} | {g['wall_seconds']:,.0f} | "
                     f"{g['wall_seconds'] / g['n_simulations']:.2f} |")
    return [*lines, "", "Stopped: runs the early rejection ended because the distance of their rows known so far "
                    "already exceeded the tolerance, before their first simulated day (the posted fee and bribe "
                    "alone) or after a simulated year; they count among the simulations, as pyabc counts them.",
            ""]


def shipped_settings() -> dict[str, Any]:
    """The shipped calibration's scenario, last year, scale, particles and seed (``nkborder/data/calibrated.toml``)."""
    from nkborder.calibration import load_shipped

    d = load_shipped().definition
    return {"scenario": d["scenario"]["ref"], "until": int(d["until"]), "scale": float(d["scale"]),
            "population": int(d["population"]), "seed": int(d["seed"])}


def identifiability(out: Path | None = None, generations: int = 10, workers: int = 2, scale: float | None = None,
                    population: int | None = None, db: Path | None = None) -> dict[str, Any]:
    """Calibrate the shipped calibration's choices (:func:`shipped_choices`: its parameters, fixed values and
    settling rule) at its settings (:func:`shipped_settings`, or another ``scale`` and ``population``) against a
    synthetic truth at the shipped medians; which parameters are identified
    (:func:`nkborder.calibration.synthetic.identified`). Its results go to ``db`` (default: a new temporary file),
    where the same job resumes it."""
    from nkborder.calibration import calibrate, load_shipped
    from nkborder.calibration.smc import prepare
    from nkborder.calibration.synthetic import identified, synthetic_targets

    settings = {**shipped_settings(), **({"scale": scale} if scale else {}),
                **({"population": population} if population else {})}
    choices = shipped_choices()
    setup = prepare(settings["scenario"], OBSERVED, settings["until"], settings["scale"], settings["seed"],
                    settings["population"], parameters=choices["parameters"], fixed=choices["fixed"])
    medians = load_shipped().median()
    truth = {p["name"]: float(medians[p["name"]]) for p in setup.definition["priors"]}
    targets = synthetic_targets(setup.model(), truth)
    db = db if db is not None else Path(tempfile.mkdtemp(prefix="nkcal-ident-")) / "ident.duckdb"
    t0 = time.perf_counter()
    cal = calibrate(settings["scenario"], OBSERVED, until=settings["until"], population=settings["population"],
                    generations=generations, scale=settings["scale"], seed=settings["seed"], workers=workers, db=db,
                    name="identifiability", targets=targets, progress=True, parameters=choices["parameters"],
                    fixed=choices["fixed"], min_fall=choices["min_fall"])
    table = identified(cal.posterior, truth)
    print(table.to_string(index=False), flush=True)
    result = {"settings": settings, "choices": choices, "generations": generations,
              "wall_s": time.perf_counter() - t0, "simulations": int(cal.generations["n_simulations"].sum()),
              "truth": truth, "table": table.to_dict("records")}  # fmt: skip
    _write(result, out)
    return result


def proposals(db: Path | None = None, name: str | None = None, generation: int | None = None, count: int = 20,
              seed: int = 1) -> dict[str, Any]:
    """CPU seconds per proposal inside the priors, drawn from the kernel of twice the weighted covariance fitted to
    the shipped posterior's particles (or to generation ``generation``, default the last, of the stored
    calibration ``name`` in ``db``): pyabc's loop (the plain kernel's draw and the prior's density, again while it
    is 0) and :class:`~nkborder.calibration.transition.BoxedNormalTransition`, ``count`` proposals each."""
    from nkborder.calibration import load_calibration, load_shipped
    from nkborder.calibration import store as cstore
    from nkborder.calibration.posterior import Posterior
    from nkborder.calibration.priors import priors, pyabc_prior
    from nkborder.calibration.smc import make_transition
    from nkborder.store import open_store

    post = load_shipped() if db is None else load_calibration(db, name).posterior
    if db is not None and generation is not None:
        with open_store(db, read_only=True) as store:
            post = Posterior(name, *cstore.posterior(store, name, generation), post.definition)
    x, w = post.particles[post.names], post.weights.to_numpy(float)
    prs = priors(post.names)
    prior = pyabc_prior(prs)
    plain, boxed = make_transition("beaumont2009"), make_transition("beaumont2009", prs)
    plain.fit(x, w / w.sum())
    boxed.fit(x, w / w.sum())
    np.random.seed(seed)
    t0, tries = time.process_time(), 0
    for _ in range(count):
        while True:
            tries += 1
            if prior.pdf(plain.rvs_single()) > 0:
                break
    loop_s = (time.process_time() - t0) / count
    t0 = time.process_time()
    for _ in range(count):
        boxed.rvs_single()
    boxed_s = (time.process_time() - t0) / count
    result = {"posterior": post.name, "generation": generation, "parameters": len(post.names), "particles": len(x),
              "proposals": count,
              "draws_per_proposal": tries / count, "pyabc_loop_cpu_s": loop_s, "boxed_cpu_s": boxed_s,
              "status": "ok"}  # fmt: skip
    print(json.dumps(result), flush=True)
    return result


def measure_proposals(cfg: Any = None) -> dict[str, Any]:
    """:func:`proposals` on the shipped posterior (``python -m benchmarks --update proposals``)."""
    return proposals()


def proposals_section(res: dict[str, Any]) -> list[str]:
    """BENCHMARKS.md: the cost of a proposal inside the priors, pyabc's loop against the batched kernel."""
    if res.get("status") != "ok":
        return []
    return [f"Proposals inside the priors (`python -m benchmarks --update proposals`, `benchmarks.calibration."
            f"proposals`): the kernel of twice the weighted covariance fitted to the particles of `{res['posterior']}` "
            f"({res['parameters']} parameters, {res['particles']} particles), {res['proposals']} proposals each. "
            f"pyabc's loop (one draw, the prior's density, again while it is 0) needs {res['draws_per_proposal']:.0f} "
            f"draws per proposal inside the priors: {res['pyabc_loop_cpu_s']:.3f} CPU s per proposal, paid by a "
            f"worker for every simulation; the batched kernel (`BoxedNormalTransition`, 256 draws at once) "
            f"{1000 * res['boxed_cpu_s']:.2f} ms.", ""]


def _write(result: dict[str, Any], out: Path | None) -> None:
    if out is not None:
        Path(out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibration", description=__doc__.splitlines()[0])
    parser.add_argument("job", choices=("throughput", "breakdown", "parts", "hour", "identifiability", "proposals"))
    parser.add_argument("--db", type=Path, default=None, help="proposals: a calibration's results file; hour, "
                        "identifiability: where to write its results (default: a new temporary file)")
    parser.add_argument("--name", default=None, help="proposals: the calibration id in --db")
    parser.add_argument("--generation", type=int, default=None, help="proposals: a generation of --name (default: "
                        "the last)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generations", type=int, default=10, help="identifiability: generations at most")
    parser.add_argument("--scale", type=float, default=None, help="identifiability: another scale (default: the "
                        "shipped calibration's)")
    parser.add_argument("--population", type=int, default=None, help="identifiability: particles (default: the "
                        "shipped calibration's)")
    args = parser.parse_args(argv)
    if args.job == "throughput":
        _write(throughput(), args.out)
    elif args.job == "breakdown":
        _write(breakdown(), args.out)
    elif args.job == "parts":  # a child of measure_parts: one JSON line
        print(json.dumps({"breakdown": breakdown(), "client": client_load()}), flush=True)
    elif args.job == "hour":
        hour(args.out, workers=args.workers, db=args.db)
    elif args.job == "proposals":
        if (args.db is None) != (args.name is None):
            parser.error("proposals: give both --db and --name, or neither (the shipped posterior)")
        _write(proposals(args.db, args.name, args.generation), args.out)
    else:
        identifiability(args.out, args.generations, args.workers, args.scale, args.population, args.db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
