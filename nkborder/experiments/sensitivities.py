"""Global sensitivity analysis with SALib over the parameters' declared ranges (Sobol or Morris).

Each sample of the design is one parameter set; each is run with ``reps`` replicate seeds (the same seeds for
every sample: common random numbers) and an output is the total (or mean) of an indicator over a period and
both cities, averaged over the replicates. Sobol gives first-order (``S1``) and total (``ST``) indices; Morris
gives ``mu_star`` (mean absolute elementary effect, a screening measure of overall influence, in output units
per unit of the normalised parameter range) and ``sigma`` (spread of the effects: interactions and
non-linearity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkborder.errors import InputError
from nkborder.experiments.core import (
    MAX_RUNS,
    check_common,
    check_runs,
    run_experiment,
    scenario_for,
    scenario_info,
)
from nkborder.experiments.design import check_indicators, declared, parse_period
from nkborder.experiments.progress import ProgressHook
from nkborder.experiments.result import ExperimentResult
from nkborder.experiments.spec import RunSpec, derive_seed
from nkborder.inputs.checks import check_count
from nkborder.params import describe_parameters
from nkborder.scenarios import Scenario
from nkborder.store.schema import DEFAULT_DB

METHODS = ("sobol", "morris")
AGGREGATES = ("sum", "mean")
MORRIS_LEVELS = 4


def sensitivity(
    scenario: str | Path | Scenario = "history", method: str = "morris", samples: int = 8, *,
    params: Sequence[str] | str | None = None, outputs: Sequence[str] | str = ("arrivals_south_korea_full",),
    period: str | Sequence[int] | None = None, aggregate: str = "sum", reps: int = 1, seed: int = 0,
    scale: float = 1.0, start: dt.date | str | None = None, end: dt.date | str | None = None,
    overrides: dict[str, float] | None = None, db: str | Path = DEFAULT_DB, name: str | None = None,
    workers: int | None = None, scheduler: str | None = None, progress: bool | ProgressHook = False,
) -> ExperimentResult:
    """Sensitivity indices of outputs to parameters, sampled by SALib over the declared ranges.

    Args:
        method: ``sobol`` (``samples`` = N, a power of 2; N x (k + 2) runs for k parameters) or ``morris``
            (``samples`` = trajectories; r x (k + 1) runs).
        params: parameters to vary (default: those marked for calibration).
        outputs: indicators (e.g. ``arrivals_south_korea_full``) whose total over ``period`` and both cities
            is the model output.
        period: years ``"2020:2025"`` (inclusive; default: every year reported, from the scenario's
            ``report_start`` or its start).
        aggregate: ``sum`` (totals, for counts) or ``mean`` (for rates and prices) over years and cities.
        reps: replicate seeds per sample (outputs are averaged over them).
        Other arguments as in :func:`nkborder.experiments.ensemble`.

    Returns:
        :class:`ExperimentResult`: ``summary`` = ``indices`` (one row per output and parameter: ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf`` for Sobol; ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu`` for
        Morris); ``tables["outputs"]`` (the output of each sample); ``runs`` with ``sample``, ``rep`` and the
        parameter values.
    """
    check_common(reps, seed, scale)
    if method not in METHODS:
        raise InputError("--method", str(method), "unknown method", ", ".join(METHODS))
    if aggregate not in AGGREGATES:
        raise InputError("--aggregate", str(aggregate), "unknown aggregate", ", ".join(AGGREGATES))
    names = _params(params)
    problem = problem_for(names)
    X = sample(method, problem, samples, seed)
    check_runs(len(X), reps, "--samples")
    sc = scenario_for(scenario, start, end)
    years = parse_period(period, (sc.report_start or sc.start).year, sc.end.year)  # the years reported
    fixed = {k: float(v) for k, v in (overrides or {}).items()}
    definition = {
        "kind": "sensitivity", "scenarios": [scenario_info(sc, scenario)],
        "design": {"method": method, "samples": int(samples), "params": names, "bounds": problem["bounds"],
                   "runs_per_rep": len(X), "reps": int(reps), "seed": int(seed), "scale": float(scale),
                   "overrides": fixed},
        "analysis": {"outputs": _outputs(outputs), "period": list(years),
                     "aggregate": aggregate},
    }
    specs = []
    for j, row in enumerate(X):
        values = {n: float(v) for n, v in zip(names, row, strict=True)}
        for r in range(reps):
            specs.append(RunSpec.make(sc, {**fixed, **values}, derive_seed(seed, r), scale,
                                      {"sample": j, "rep": r, **values}))
    return run_experiment(definition, specs, db=db, name=name, scheduler=scheduler, workers=workers,
                          progress=progress, summarise=summarise)


def problem_for(names: Sequence[str]) -> dict[str, Any]:
    """The SALib problem: the parameters and their declared ranges."""
    ranges = [declared(n) for n in names]
    return {"num_vars": len(names), "names": list(names), "bounds": [[r.lo, r.hi] for r in ranges]}


def sample(method: str, problem: dict[str, Any], samples: int, seed: int) -> np.ndarray:
    """The SALib design matrix (one row per parameter set)."""
    samples = check_count(samples, "--samples", 2)
    k = problem["num_vars"]
    rows = samples * (k + 2 if method == "sobol" else k + 1)
    if rows > MAX_RUNS:
        raise InputError("--samples", str(samples), f"{rows:,} parameter sets for {k} parameters",
                         f"at most {MAX_RUNS:,}")
    if method == "sobol":
        if samples & (samples - 1):
            raise InputError("--samples", str(samples), "not a power of 2 (Sobol' sequences need one)",
                             "2, 4, 8, 16, ...")
        from SALib.sample import sobol

        return sobol.sample(problem, int(samples), calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, int(samples), num_levels=MORRIS_LEVELS, seed=seed)


def summarise(definition: dict[str, Any], runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The output of each sample and the indices of each output (NaN while samples are missing)."""
    design, analysis = definition["design"], definition["analysis"]
    names, outputs = design["params"], analysis["outputs"]
    if len(runs):
        check_indicators("--output", outputs, runs)
    y0, y1 = analysis["period"]
    inside = runs.loc[(runs["year"] >= y0) & (runs["year"] <= y1)] if len(runs) else runs
    how = analysis["aggregate"]
    if len(inside):
        per_run = inside.groupby(["sample", "rep"])[outputs].agg(how)
        per_sample = per_run.groupby("sample")[outputs].mean()
    else:
        per_sample = pd.DataFrame(columns=outputs)
    per_sample = per_sample.reindex(range(design["runs_per_rep"]))
    X = sample(design["method"], {"num_vars": len(names), "names": names, "bounds": design["bounds"]},
               design["samples"], design["seed"])
    if len(runs):  # the values the runs were made with (exact: JSON keeps every float digit)
        ran = runs.groupby("sample")[names].first()
        X[ran.index.to_numpy(int)] = ran.to_numpy(float)
    table = pd.concat([pd.DataFrame(X, columns=names), per_sample.reset_index(drop=True)], axis=1)
    table.insert(0, "sample", range(len(table)))
    problem = {"num_vars": len(names), "names": names, "bounds": design["bounds"]}
    indices = pd.concat([_indices(design["method"], problem, X, table[o].to_numpy(float), o, design["seed"])
                         for o in outputs], ignore_index=True)
    return indices, {"indices": indices, "outputs": table}


def _indices(method: str, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, output: str,
             seed: int) -> pd.DataFrame:
    names = problem["names"]
    base = pd.DataFrame({"output": output, "parameter": names, "method": method})
    cols = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma", "mu")
    if np.isnan(Y).any() or np.ptp(Y) == 0:  # samples missing, or the output never moves
        value = np.nan if np.isnan(Y).any() else 0.0
        return base.assign(**dict.fromkeys(cols, value))
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
    else:
        from SALib.analyze import morris

        res = morris.analyze(problem, X, Y, num_levels=MORRIS_LEVELS, seed=seed)
    return base.assign(**{c: np.asarray(res[c], dtype=float) for c in cols})


def _params(params: Sequence[str] | str | None) -> list[str]:
    if params is None or params == "":
        frame = describe_parameters()
        return list(frame.loc[frame["calibrate"].astype(bool), "name"])
    names = [p.strip() for p in (params.split(",") if isinstance(params, str) else params) if p.strip()]
    for n in names:
        declared(n, "--params")
    if len(set(names)) != len(names):
        raise InputError("--params", ",".join(names), "a parameter is named twice", "each parameter once")
    return names


def _outputs(outputs: Sequence[str] | str) -> list[str]:
    names = [o.strip() for o in (outputs.split(",") if isinstance(outputs, str) else outputs) if o.strip()]
    if not names:
        raise InputError("--output", "(none)", "no indicator given", "e.g. arrivals_south_korea_full")
    return names

