"""The benchmark suite: sizes of each mode, child processes, derived numbers and the targets.

``run_all(config)`` runs every measurement in order and returns one dict (JSON-serialisable) that
:func:`benchmarks.report.write_markdown` turns into BENCHMARKS.md. A measurement that fails is recorded as
``{"status": "failed", "error": ...}`` and the others still run.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import ROOT
from benchmarks.before_after import LAYERS_COMMIT, interval_text, median_ratio
from benchmarks.calibration import HOUR_TARGET, hour_simulations, hour_stops
from benchmarks.child import MARKER
from benchmarks.machine import load_average, machine_info

SEED = 1


@dataclass(frozen=True)
class Config:
    """Sizes and switches of one benchmark mode."""

    mode: str
    main_scenario: str = "history"
    main_scale: float = 1.0
    main_end: str | None = None  # None: the scenario's end (history: 2025-12-31)
    scaling_scales: tuple[float, ...] = (0.1, 1.0, 10.0)
    scaling_end: str | None = None
    tiny: dict[str, Any] = field(
        default_factory=lambda: {"scenario": "history", "scale": 0.001, "end": "1995-02-28", "seed": SEED})
    fresh_cache: bool = True  # compile measured with a fresh NUMBA_CACHE_DIR (False: machinery test only)
    reference_scenario: str = "hoeryong-2007"
    reference_target_s: float = 60.0
    reference_scale: float | None = None  # None: calibrated by a pilot run to last about reference_target_s
    reference_end: str | None = None
    reference_pilot_scale: float = 0.01
    reference_min_scale: float = 0.002
    reference_max_scale: float = 1.0
    fast_repeats: int = 3  # the fast engine on the reference's size: best of this many runs
    experiments: bool = True
    floor_months: int = 12  # months of the person-rules floor loop (section 9), best of 3
    child_timeout_s: float = 1500.0


FULL = Config(mode="full")
QUICK = Config(mode="quick", main_scale=0.25, scaling_scales=(0.02, 0.2, 2.0), scaling_end="1999-12-31",
               reference_target_s=15.0, child_timeout_s=600.0)
TINY = Config(  # for the smoke test: seconds, warm cache, no experiments
    mode="tiny", main_scale=0.003, main_end="1995-12-31", scaling_scales=(0.002, 0.006), scaling_end="1995-03-31",
    fresh_cache=False, reference_scale=0.002, reference_end="2005-01-31", fast_repeats=1, experiments=False,
    floor_months=2, child_timeout_s=300.0,
)
MODES = {"full": FULL, "quick": QUICK, "tiny": TINY}

TARGETS = {
    "sim_s": 30.0,  # full history at 1:1, simulation with a warm cache, seconds
    "main_job_cpu_s": 10.0,  # full history at 1:1 with the shipped calibration (make run), CPU seconds
    "layers_ratio": 1.0,  # after / before the layers (LAYERS_COMMIT): simulation and cold compile no slower
    "compile_s": 30.0,  # first-run compile with a cold cache, seconds
    "speedup": 500.0,  # fast engine vs Mesa per agent-day
    "memory_mib": 1024.0,  # peak RSS of the full-scale run
    "scaling_exponent": (0.9, 1.1),  # cost ~ agent-days^k between the two largest sizes
}


class ChildError(RuntimeError):
    """A benchmark child process failed."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_child(job: str, spec: dict[str, Any], env: dict[str, str] | None = None,
              timeout: float = 1500.0) -> dict[str, Any]:
    """Run ``python -m benchmarks.child job spec`` at the repository root and return its result dict."""
    child_env = os.environ.copy()
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), child_env.get("PYTHONPATH", "")) if p)
    child_env.update(env or {})
    cmd = [sys.executable, "-m", "benchmarks.child", job, json.dumps(spec)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise ChildError(f"child {job} exited {proc.returncode}: {tail}")
    out = json.loads(lines[-1][len(MARKER):])
    out["process_wall_s"] = wall
    return out


def guard(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    log(f"{name} ...")
    t = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:  # one failed measurement must not lose the others
        log(f"{name} FAILED: {exc}")
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=3)}
    out.setdefault("status", "ok")
    log(f"{name} done in {time.perf_counter() - t:.1f} s")
    return out


def _engine_spec(cfg: Config, scenario: str, scale: float, end: str | None, **extra: Any) -> dict[str, Any]:
    return {"scenario": scenario, "scale": scale, "end": end, "seed": SEED, "warmup": cfg.tiny, **extra}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _ns(seconds: float, agent_days: float) -> float:
    return seconds * 1e9 / agent_days if agent_days > 0 else math.nan


# ---------------------------------------------------------------------------------------------- measurements


def warm_default_cache(cfg: Config) -> dict[str, Any]:
    """A tiny run with the default cache, so that later children load compiled kernels instead of compiling."""
    return run_child("tiny", cfg.tiny, timeout=cfg.child_timeout_s)


def measure_compile(cfg: Config) -> dict[str, Any]:
    """Compile time = first tiny run with a cold cache minus first tiny run with a warm cache (both new processes)."""
    cache_dir = tempfile.mkdtemp(prefix="nkborder-numba-") if cfg.fresh_cache else None
    env = {"NUMBA_CACHE_DIR": cache_dir} if cache_dir else None
    serial: dict[str, Any] = {}
    try:
        cold = run_child("tiny", cfg.tiny, env=env, timeout=cfg.child_timeout_s)
        warm = run_child("tiny", cfg.tiny, env=env, timeout=cfg.child_timeout_s)
        files = [p for p in Path(cache_dir).rglob("*") if p.is_file()] if cache_dir else []
        cache_bytes = sum(_size(p) for p in files)
        if cache_dir:  # the same cold start compiled in one process, as numba does by itself
            shutil.rmtree(cache_dir, ignore_errors=True)
            serial = run_child("tiny", cfg.tiny, env={**env, "NKBORDER_PARALLEL_COMPILE": "0"},
                               timeout=cfg.child_timeout_s)
    finally:
        if cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)
    if serial:
        serial = {"serial_cold_first_run_s": serial["first_run_s"],
                  "serial_compile_s": serial["first_run_s"] - warm["first_run_s"],
                  "serial_compile_cpu_s": serial["first_run_cpu_s"] - warm["first_run_cpu_s"]}
    return {**serial,
        "fresh_cache": cfg.fresh_cache,
        "tiny": cfg.tiny,
        "import_s": warm["import_s"],
        "cold_first_run_s": cold["first_run_s"],
        "warm_first_run_s": warm["first_run_s"],
        "in_process_run_s": warm["second_run_s"],
        "compile_s": cold["first_run_s"] - warm["first_run_s"],
        "cold_first_run_cpu_s": cold["first_run_cpu_s"],
        "warm_first_run_cpu_s": warm["first_run_cpu_s"],
        "compile_cpu_s": cold["first_run_cpu_s"] - warm["first_run_cpu_s"],
        "cold_process_wall_s": cold["process_wall_s"],
        "warm_process_wall_s": warm["process_wall_s"],
        "cache_files": len(files),
        "cache_mib": cache_bytes / 2**20,
    }


def measure_engine(cfg: Config) -> dict[str, Any]:
    """The main run (history, both cities, ``main_scale``): times, phases, tables, record cost, memory."""
    spec = _engine_spec(cfg, cfg.main_scenario, cfg.main_scale, cfg.main_end, phases=True, tables=True,
                        daily_tables=True, record_cost=True, gini_estimate=True)
    out = run_child("engine", spec, timeout=cfg.child_timeout_s)
    ad = out["agent_days_alive"]
    out["ns_per_agent_day"] = _ns(out["sim_s"], ad)
    out["ns_per_agent_day_cpu"] = _ns(out["sim_cpu_s"], ad)
    out["ns_per_agent_day_initial"] = _ns(out["sim_s"], out["agent_days_initial"])
    out["run_s"] = out["setup_s"] + out["sim_s"] + out["tables_s"]  # what nkborder.run(daily=False) does
    out["warm_wall_s"] = out["import_s"] + out.get("warmup_s", 0.0) + out["run_s"]
    out["scale"], out["scenario"] = cfg.main_scale, cfg.main_scenario
    out["phase_other_s"] = out["sim_s"] - sum(out.get("phases", {}).values())
    out["phase_other_cpu_s"] = out["sim_cpu_s"] - sum(out.get("phases_cpu", {}).values())
    return out


def reference_available() -> bool:
    return (ROOT / "reference" / "__init__.py").exists()


def measure_reference(cfg: Config) -> dict[str, Any]:
    """Mesa reference vs the fast engine on the same scenario, size and period."""
    if not reference_available():
        return {"status": "not available", "error": "reference/__init__.py does not exist yet"}
    spec = {"scenario": cfg.reference_scenario, "seed": SEED, "scale": cfg.reference_scale,
            "end": cfg.reference_end, "target_s": cfg.reference_target_s,
            "pilot_scale": cfg.reference_pilot_scale,
            "min_scale": cfg.reference_min_scale, "max_scale": cfg.reference_max_scale}
    ref = run_child("reference", spec, timeout=cfg.child_timeout_s)
    fast = run_child("engine", {**_engine_spec(cfg, ref["scenario"], ref["scale"], ref["end"]),
                                "start": ref["start"], "repeats": cfg.fast_repeats},
                     timeout=cfg.child_timeout_s)
    ad = fast["agent_days_alive"]
    fast_run_s = fast["setup_s"] + fast["sim_s"] + fast["tables_s"]
    fast_run_cpu_s = fast["setup_cpu_s"] + fast["sim_cpu_s"] + fast["tables_cpu_s"]
    return {
        "reference": ref,
        "fast": fast,
        "scenario": ref["scenario"],
        "scale": ref["scale"],
        "start": ref["start"],
        "end": ref["end"],
        "n_days": fast["n_days"],
        "initial_people": fast["initial_people"],
        "agent_days_alive": ad,
        "ref_s": ref["ref_s"],
        "fast_run_s": fast_run_s,
        "fast_sim_s": fast["sim_s"],
        "ref_ns_per_agent_day": _ns(ref["ref_s"], ad),
        "fast_ns_per_agent_day": _ns(fast_run_s, ad),
        "fast_sim_ns_per_agent_day": _ns(fast["sim_s"], ad),
        "speedup": ref["ref_s"] / fast_run_s,
        "speedup_sim_only": ref["ref_s"] / fast["sim_s"],
        "ref_cpu_s": ref["ref_cpu_s"],
        "fast_run_cpu_s": fast_run_cpu_s,
        "speedup_cpu": ref["ref_cpu_s"] / fast_run_cpu_s,
    }


def measure_floor(cfg: Config, main: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    """The monthly person rules alone (section 9), against the per-person-month budget of the 500x target."""
    from benchmarks.floor import DAYS_PER_MONTH, budget  # imports numba: only when measuring

    out = run_child("floor", {"scenario": cfg.main_scenario, "scale": cfg.main_scale, "seed": SEED,
                              "months": cfg.floor_months, "repeats": 3}, timeout=cfg.child_timeout_s)
    rules = out["rules_ns_per_person_month"]
    if ref.get("status") == "ok":
        out["reference_ns_per_person_month"] = ref["ref_ns_per_agent_day"] * DAYS_PER_MONTH
        out["budget"] = budget(ref["ref_ns_per_agent_day"], TARGETS["speedup"])
        out["rules_share_of_budget"] = rules / out["budget"]["ns_per_person_month"]
    if main.get("status") == "ok":
        per_month = 1e9 * DAYS_PER_MONTH / main["agent_days_alive"]
        out["engine_ns_per_person_month"] = main["sim_cpu_s"] * per_month
        out["people_month_ns_per_person_month"] = main.get("phases_cpu", {}).get("people_month", math.nan) * per_month
    return out


def measure_daily_compile(cfg: Config) -> dict[str, Any]:
    """CPU and wall seconds of compiling the daily group alone (the daily loop and the submodels it calls), in a
    new process with a fresh cache: ``python -m nkborder.engine.warmup daily`` (section 2)."""
    if not cfg.fresh_cache:
        return {"status": "skipped", "error": "measured with a fresh cache only (fresh_cache=False)"}
    with tempfile.TemporaryDirectory(prefix="nkborder-bench-daily-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache,
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nkborder.engine.warmup", "daily"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=cfg.child_timeout_s)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu}


def measure_logistic(cfg: Config) -> dict[str, Any]:
    """CPU ns per logistic function with the inlined exp and with the C library's (section 10)."""
    return run_child("logistic", {"n": 5_000_000, "repeats": 5}, timeout=cfg.child_timeout_s)


def measure_scaling(cfg: Config, main: dict[str, Any]) -> dict[str, Any]:
    """ns per agent-day at each of ``scaling_scales``; a linear fit and the log-log exponent."""
    import numpy as np

    points = []
    for scale in cfg.scaling_scales:
        if main.get("status") == "ok" and scale == cfg.main_scale and cfg.scaling_end == cfg.main_end:
            res, reused = main, True
        else:
            log(f"  scaling: scale {scale}")
            res = run_child("engine", _engine_spec(cfg, cfg.main_scenario, scale, cfg.scaling_end, tables=False,
                                                   phases=True), timeout=cfg.child_timeout_s)
            reused = False
        ad = res["agent_days_alive"]
        points.append({
            "scale": scale, "initial_people": res["initial_people"], "n_days": res["n_days"],
            "agent_days_alive": ad, "setup_s": res["setup_s"], "sim_s": res["sim_s"], "sim_cpu_s": res["sim_cpu_s"],
            "ns_per_agent_day": _ns(res["sim_s"], ad), "ns_per_agent_day_cpu": _ns(res["sim_cpu_s"], ad),
            "maxrss_mib": res.get("maxrss_run_mib", res["maxrss_mib"]), "reused_main_run": reused,
            "phases_cpu": res.get("phases_cpu", {}),
        })
    out: dict[str, Any] = {"points": points, "end": cfg.scaling_end}
    if len(points) < 2:
        return out
    x = np.array([p["agent_days_alive"] for p in points], float)
    for suffix, key in (("", "sim_s"), ("_cpu", "sim_cpu_s")):
        y = np.array([p[key] for p in points], float)
        slope, intercept = np.polyfit(x, y, 1)
        pred = slope * x + intercept
        ss_tot = float(((y - y.mean()) ** 2).sum())
        out["fit_ns_per_agent_day" + suffix] = slope * 1e9
        out["fit_fixed_s" + suffix] = intercept
        out["fit_r2" + suffix] = 1.0 - float(((y - pred) ** 2).sum()) / ss_tot if ss_tot > 0 else math.nan
        out["exponent_all" + suffix] = float(np.polyfit(np.log(x), np.log(y), 1)[0])
        out["exponent_top" + suffix] = float(math.log(y[-1] / y[-2]) / math.log(x[-1] / x[-2]))
        per = "ns_per_agent_day" + suffix
        out["ns_ratio_top" + suffix] = points[-1][per] / points[-2][per]
    return out


def measure_experiments(cfg: Config) -> dict[str, Any]:
    """``benchmarks.bench_experiments.run(quick)`` if that module exists (the Dask experiments issue)."""
    if not cfg.experiments:
        return {"status": "skipped", "error": "not run in this mode"}
    if not (ROOT / "benchmarks" / "bench_experiments.py").exists():
        return {"status": "not measured yet", "error": "benchmarks/bench_experiments.py does not exist yet"}
    module = importlib.import_module("benchmarks.bench_experiments")
    t = time.perf_counter()
    quick = cfg.mode != "full"
    values = module.run(quick=quick)
    return {"values": dict(values), "wall_s": time.perf_counter() - t, "quick": quick}


# ------------------------------------------------------------------------------------------------ the suite


def evaluate_targets(cfg: Config, results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target: what was measured and whether it is met (only when measured at the target's size)."""
    rows = []
    main, comp = results.get("engine", {}), results.get("compile", {})
    ref, scal = results.get("reference", {}), results.get("scaling", {})
    full_size = cfg.main_scale == 1.0 and cfg.main_end is None and cfg.main_scenario == "history"
    full_mode = cfg.mode == "full"
    reduced = "" if full_mode else f"; {cfg.mode} mode: reduced sizes, not judged"

    def row(target: str, measured: str, ok: bool | None, note: str = "") -> None:
        status = "not measured" if ok is None else ("met" if ok else "missed")
        rows.append({"target": target, "measured": measured, "status": status, "note": note})

    if main.get("status") == "ok":
        note = "" if full_size else f"measured at scale {cfg.main_scale} only ({cfg.mode} mode)"
        row("full history at 1:1, simulation with warm cache <= 30 s", f"{main['sim_s']:.1f} s "
            f"(CPU {main['sim_cpu_s']:.1f} s)", main["sim_s"] <= TARGETS["sim_s"] if full_size else None, note)
        row("peak memory of the full-scale run < 1 GiB", f"{main['maxrss_run_mib']:.0f} MiB",
            main["maxrss_run_mib"] < TARGETS["memory_mib"] if full_size else None, note)
    else:
        row("full history at 1:1, simulation with warm cache <= 30 s", "-", None, "engine run failed")
        row("peak memory of the full-scale run < 1 GiB", "-", None, "engine run failed")
    if comp.get("status") == "ok":
        serial = (f"; in one process {comp['serial_compile_s']:.1f} s" if "serial_compile_s" in comp else "")
        row("first-run compile (cold cache) < 30 s", f"{comp['compile_s']:.1f} s",
            comp["compile_s"] < TARGETS["compile_s"] if cfg.fresh_cache else None,
            ("wall time; in two processes at once (nkborder.engine.warmup)" + serial) if cfg.fresh_cache
            else "cache was not cold in this mode")
    else:
        row("first-run compile (cold cache) < 30 s", "-", None, comp.get("error", ""))
    if ref.get("status") == "ok":
        floor = results.get("floor", {})
        why = (f"; the monthly person rules alone, with no bookkeeping, use {100 * floor['rules_share_of_budget']:.0f}"
               " % of the 500x budget (section 9)" if "rules_share_of_budget" in floor else "")
        row(">= 500x faster than Mesa per agent-day (same size and period)", f"{ref['speedup']:.0f}x",
            ref["speedup"] >= TARGETS["speedup"] if full_mode else None,
            f"wall time, end to end; CPU-time ratio {ref['speedup_cpu']:.0f}x" + why + reduced)
    else:
        row(">= 500x faster than Mesa per agent-day (same size and period)", "-", None,
            ref.get("error", "not measured"))
    if scal.get("status") == "ok" and "exponent_top" in scal:
        lo, hi = TARGETS["scaling_exponent"]
        pts = scal["points"]
        row("linear scaling in population", f"CPU time ~ N^{scal['exponent_top_cpu']:.2f} (wall ~ "
            f"N^{scal['exponent_top']:.2f}) from {pts[-2]['scale']}x to {pts[-1]['scale']}x",
            lo <= scal["exponent_top_cpu"] <= hi if full_mode else None,
            f"linear = exponent of CPU time in [{lo}, {hi}] between the two largest sizes (CPU time: the machine "
            "is shared)" + reduced)
    else:
        row("linear scaling in population", "-", None, scal.get("error", "not measured"))
    _experiment_targets(results.get("experiments", {}), full_mode, reduced, row)
    _layers_targets(results.get("layers", {}), row)
    _refactor_target(results.get("refactor", {}), row)
    _hour_target(results.get("hour", {}), row)
    return rows


def _hour_target(res: dict[str, Any], row: Any) -> None:
    """The calibration issue's throughput target: 5,000 simulations at scale >= 0.25 within an hour on 2 cores."""
    name = (f"calibration at scale >= 0.25: {HOUR_TARGET['simulations']:,} simulations within "
            f"{HOUR_TARGET['wall_s'] / 3600:.0f} hour on 2 cores")
    if res.get("status") != "ok":
        row(name, "-", None, res.get("error", "not measured: python -m benchmarks --update hour (an hour)"))
        return
    done, wall = hour_simulations(res)
    stops = hour_stops(res)
    stopped = ("" if stops is None else
               f"; of these, {stops[0]:,} stopped before their first day and {stops[1]:,} after a simulated year")
    row(name, f"{done:,} simulations in {wall:,.0f} s ({res['generations']} generations: {res['simulations']:,} "
        f"in {res['wall_s']:,.0f} s)",
        done >= HOUR_TARGET["simulations"] and res["settings"]["scale"] >= 0.25,
        f"the generations finished within the hour, counted from the job's start (section 11){stopped}; last "
        f"tolerance {res['last_tolerance']:.3g}")


def _layers_targets(res: dict[str, Any], row: Any) -> None:
    """The speed targets of the layers and the rules: the main job's history <= 10 s, no slower than before.

    The history as a user runs it is judged on wall time (what a user waits for; its CPU time is given beside it),
    the cold compile on CPU time.
    """
    names = (f"full history at 1:1 with the shipped calibration (the job of `make run`) <= "
             f"{TARGETS['main_job_cpu_s']:.0f} s of simulation",
             f"simulation no slower than at `{LAYERS_COMMIT}` (before the layers), in the same benchmark run",
             f"first compile (cold cache) no slower than at `{LAYERS_COMMIT}`, in the same benchmark run")
    if res.get("status") != "ok":
        for name in names:
            row(name, "-", None, res.get("error", "not measured: python -m benchmarks --update layers"))
        return
    cpu = [x for x in res["runs"]["history"]["after"] if x]
    wall = [x for x in res.get("walls", {}).get("history", {}).get("after", []) if x]
    judged, clock = (wall, "wall") if wall else (cpu, "CPU")
    if judged:
        median = statistics.median(judged)
        also = f"; CPU {statistics.median(cpu):.1f} s (median)" if wall and cpu else ""
        row(names[0], f"{median:.1f} s {clock} (median of {', '.join(f'{x:.1f}' for x in judged)})",
            median <= TARGETS["main_job_cpu_s"],
            f"{clock} time judged{also}; Simulation.run() of the history 1995-2025, seed 1 (section 11)")
    else:
        row(names[0], "-", None, "the run failed")
    for name, job, clock in ((names[1], "history", "walls" if wall else "runs"), (names[2], "compile", "runs")):
        ratio = median_ratio(res, job, clock)
        cpu_ratio = median_ratio(res, job) if clock == "walls" else None
        note = ("wall time judged" + (f"; CPU-time ratio {cpu_ratio:.2f}x" if cpu_ratio else "")
                if clock == "walls" else "CPU time")
        row(name, "-" if ratio is None else f"{ratio:.2f}x (median of {res['repeats']} interleaved pairs)",
            None if ratio is None else ratio <= TARGETS["layers_ratio"],
            note + "; the later tree also runs every rule added since (section 11)")


def _refactor_target(res: dict[str, Any], row: Any) -> None:
    """The layers' speed target for the refactor alone: its steps, each against its parent, no slower in all."""
    name = f"simulation no slower after the refactor's own commits since `{LAYERS_COMMIT}`, each against its parent"
    if res.get("status") != "ok":
        row(name, "-", None, res.get("error", "not measured: python -m benchmarks --update refactor"))
        return
    product = res["product"]
    ratios = ", ".join("-" if s["ratio"] is None else f"{s['ratio']:.3f}" for s in res["steps"])
    row(name, "-" if product is None else f"{product:.3f}x (product of {len(res['steps'])} steps: {ratios})",
        None if product is None else product <= TARGETS["layers_ratio"],
        f"CPU time; median of {res['repeats']} interleaved pairs per step; the full history at scale 1.0 (section 11)"
        + (f"; product's {within} (bootstrap)" if (within := interval_text(res["steps"])) else ""))


def _experiment_targets(exp: dict[str, Any], full_mode: bool, reduced: str, row: Any) -> None:
    """The experiments issue's two targets: speed-up on 2 local workers, per-run overhead."""
    names = ("ensemble of 2 x cores: >= 1.8x faster on 2 local workers than on 1",
             "per-run overhead of the experiment layer < 5 % of a reduced-scale run")
    if exp.get("status") != "ok":
        for name in names:
            row(name, "-", None, exp.get("error", "not measured"))
        return
    sp, ov = exp["values"]["speedup"], exp["values"]["overhead"]
    ratios = ", ".join(f"{x:.2f}" for x in sp.get("speedups", [sp["speedup"]]))
    row(names[0], f"{sp['speedup']:.2f}x (median of {ratios})", sp["ok"] if full_mode else None,
        f"{sp['runs']} runs at scale {sp['scale']}" + reduced)
    row(names[1], f"{100 * ov['overhead_share']:.1f} % of wall time (CPU: {100 * ov['cpu_overhead_share']:.1f} %)",
        ov["ok"] if full_mode else None, f"runs of {ov['run_s']:.1f} s at scale {ov['scale']}" + reduced)


def run_all(cfg: Config, command: str) -> dict[str, Any]:
    """Run every measurement of ``cfg`` (sequentially: one child at a time on the machine)."""
    t = time.perf_counter()
    results: dict[str, Any] = {"command": command, "config": asdict(cfg), "machine": machine_info()}
    results["warmup"] = guard("warm-up of the default numba cache", lambda: warm_default_cache(cfg))
    results["compile"] = guard("compile time (cold vs warm numba cache)", lambda: measure_compile(cfg))
    results["engine"] = guard(f"fast engine, {cfg.main_scenario} at scale {cfg.main_scale}",
                               lambda: measure_engine(cfg))
    results["scaling"] = guard("scaling", lambda: measure_scaling(cfg, results["engine"]))
    results["reference"] = guard("Mesa reference vs fast engine", lambda: measure_reference(cfg))
    results["floor"] = guard("floor of the monthly person rules",
                              lambda: measure_floor(cfg, results["engine"], results["reference"]))
    results["experiments"] = guard("experiments", lambda: measure_experiments(cfg))
    results["daily_compile"] = guard("compile of the daily group alone", lambda: measure_daily_compile(cfg))
    results["logistic"] = guard("logistic function: inlined exp vs the C library's", lambda: measure_logistic(cfg))
    results["targets"] = evaluate_targets(cfg, results)
    results["machine"]["load_end"] = load_average()
    results["total_s"] = time.perf_counter() - t
    return results
