"""Sweeps: a scenario over a grid (full factorial) or a Latin hypercube of parameter values, with replicates.

Replicate ``r`` uses the same seed at every design point (common random numbers), so differences between
points come from the parameters, not from the draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.analysis.bands import bands
from nkborder.errors import InputError
from nkborder.experiments.core import (
    check_common,
    check_runs,
    run_experiment,
    scenario_for,
    scenario_info,
)
from nkborder.experiments.design import declared, factorial, latin_hypercube, parse_vary
from nkborder.experiments.progress import ProgressHook
from nkborder.experiments.result import ExperimentResult
from nkborder.experiments.spec import RunSpec, derive_seed
from nkborder.params import describe_parameters
from nkborder.scenarios import Scenario
from nkborder.store.schema import DEFAULT_DB

DESIGNS = ("factorial", "lhs")


def sweep(
    scenario: str | Path | Scenario = "history", vary: Sequence[str] | Mapping[str, Any] = (), reps: int = 1, *,
    design: str = "factorial", samples: int | None = None, seed: int = 0, scale: float = 1.0,
    start: dt.date | str | None = None, end: dt.date | str | None = None,
    overrides: dict[str, float] | None = None, db: str | Path = DEFAULT_DB, name: str | None = None,
    workers: int | None = None, scheduler: str | None = None, progress: bool | ProgressHook = False,
) -> ExperimentResult:
    """Run a scenario at every point of a parameter design, ``reps`` replicates each.

    Args:
        vary: ``["name=LO:HI:STEPS", ...]`` (or ``{name: (lo, hi, steps)}``); for ``lhs`` STEPS is not needed
            and ``"name"`` alone means its declared range. Ranges must lie inside the declared ranges.
        design: ``factorial`` (every combination: STEPS^k points) or ``lhs`` (``samples`` points of a Latin
            hypercube over the ranges; over the declared ranges of the calibrated parameters if ``vary`` is
            empty).
        samples: number of Latin hypercube points.
        Other arguments as in :func:`nkborder.experiments.ensemble`.

    Returns:
        :class:`ExperimentResult`: ``runs`` with ``point``, ``rep`` and the varied values; ``summary`` (bands
        per point, year and city); ``tables["points"]`` (the design).
    """
    check_common(reps, seed, scale)
    if design not in DESIGNS:
        raise InputError("--design", str(design), "unknown design", ", ".join(DESIGNS))
    if design == "lhs":
        if samples is None:
            raise InputError("--samples", "(none)", "a Latin hypercube needs a number of samples", "--samples M")
        ranges = parse_vary(vary, need_steps=False) if vary else _calibrated()
        points = latin_hypercube(ranges, samples, seed)
    else:
        ranges = parse_vary(vary, need_steps=True)
        points = factorial(ranges)
    check_runs(len(points), reps, "--vary" if design == "factorial" else "--samples")
    sc = scenario_for(scenario, start, end)
    fixed = {k: float(v) for k, v in (overrides or {}).items()}
    definition = {
        "kind": "sweep", "scenarios": [scenario_info(sc, scenario)],
        "design": {"design": design, "vary": [r.as_dict() for r in ranges], "samples": samples,
                   "points": len(points), "reps": int(reps), "seed": int(seed), "scale": float(scale),
                   "overrides": fixed},
        "analysis": {},
    }
    specs = [
        RunSpec.make(sc, {**fixed, **point}, derive_seed(seed, r), scale, {"point": p, "rep": r, **point})
        for p, point in enumerate(points) for r in range(reps)
    ]
    return run_experiment(definition, specs, db=db, name=name, scheduler=scheduler, workers=workers,
                          progress=progress, summarise=summarise)


def varied(definition: dict[str, Any]) -> list[str]:
    """Names of the varied parameters of a sweep definition."""
    return [r["name"] for r in definition["design"]["vary"]]


def summarise(definition: dict[str, Any], runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Bands per design point, year and city; and the design points with their number of stored runs."""
    names = varied(definition)
    summary = bands(runs, by=("point", *names, "year", "city"))
    points = (runs.groupby(["point", *names], sort=True)["run_id"].nunique().rename("runs").reset_index()
              if len(runs) else pd.DataFrame(columns=["point", *names, "runs"]))
    return summary, {"points": points}


def _calibrated() -> list:
    frame = describe_parameters()
    return [declared(n) for n in frame.loc[frame["calibrate"].astype(bool), "name"]]

