"""Ensembles: one scenario, many replicate seeds; yearly bands per year and city."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.analysis.bands import bands
from nkborder.errors import InputError
from nkborder.experiments.core import (
    check_common,
    run_experiment,
    scenario_for,
    scenario_info,
)
from nkborder.experiments.progress import ProgressHook
from nkborder.experiments.result import ExperimentResult
from nkborder.experiments.spec import RunSpec, derive_seed
from nkborder.scenarios import Scenario
from nkborder.store.schema import DEFAULT_DB


def ensemble(
    scenario: str | Path | Scenario = "history", reps: int = 10, *, seed: int = 0, scale: float = 1.0,
    start: dt.date | str | None = None, end: dt.date | str | None = None,
    overrides: dict[str, float] | None = None, db: str | Path = DEFAULT_DB, name: str | None = None,
    workers: int | None = None, scheduler: str | None = None, progress: bool | ProgressHook = False,
    stop: threading.Event | None = None, draws: Sequence[Mapping[str, float]] | None = None,
) -> ExperimentResult:
    """Run ``reps`` replicates of a scenario on Dask and summarise them per year and city.

    Replicate ``r`` uses seed ``derive_seed(seed, r)``; with ``draws`` it also uses its own parameter set
    ``draws[r]`` (e.g. drawn from a posterior: a posterior predictive ensemble). Every finished run is stored
    in ``db`` at once; calling again with the same arguments computes only the runs not stored yet.

    Args:
        scenario: shipped scenario name, path to a TOML file, or a :class:`Scenario`.
        reps: number of replicate runs.
        seed: base seed.
        scale: share of the population simulated (1.0 = one agent per person).
        start, end: run dates (default: the scenario's).
        overrides: parameter values replacing the scenario's.
        db: DuckDB results file.
        name: experiment name (default: derived from the definition, so the same call resumes).
        workers: local Dask worker processes (default: cores); ignored with ``scheduler``.
        scheduler: ``tcp://HOST:PORT`` of a running Dask scheduler (default: ``$NKBORDER_SCHEDULER``, else a
            local cluster started and stopped here).
        progress: True shows a progress bar; a callable gets ``(done, failed, total)`` after each run.
        stop: an event another thread may set to stop the experiment: the runs not finished are cancelled and
            not stored, the stored ones stay (the experiment is marked incomplete; calling again resumes it).
        draws: one parameter set per replicate (``reps`` of them), applied over the scenario's values and
            under ``overrides`` (which win); each run's drawn values are columns of ``runs``.

    Returns:
        :class:`ExperimentResult`: ``runs`` (per-run yearly table with ``rep``) and ``summary`` (bands:
        mean, median, p5, p95 of each indicator per year and city).
    """
    definition, specs = plan_ensemble(scenario, reps, seed=seed, scale=scale, start=start, end=end,
                                      overrides=overrides, draws=draws)
    return run_experiment(definition, specs, db=db, name=name, scheduler=scheduler, workers=workers,
                          progress=progress, summarise=summarise, stop=stop)


def plan_ensemble(
    scenario: str | Path | Scenario, reps: int, *, seed: int, scale: float, start: dt.date | str | None,
    end: dt.date | str | None, overrides: dict[str, float] | None,
    draws: Sequence[Mapping[str, float]] | None = None,
) -> tuple[dict[str, Any], list[RunSpec]]:
    """The definition and the planned runs of :func:`ensemble` (input checked, nothing run): what the
    experiment records, so that runs computed elsewhere (the app's in-process runs) make the same experiment."""
    check_common(reps, seed, scale)
    sc = scenario_for(scenario, start, end)
    fixed = {k: float(v) for k, v in (overrides or {}).items()}
    per_rep = [{} for _ in range(reps)] if draws is None else [{k: float(v) for k, v in d.items()} for d in draws]
    if len(per_rep) != reps:
        raise InputError("draws", str(len(per_rep)), "one parameter set per replicate is needed", f"{reps} sets")
    definition = {
        "kind": "ensemble", "scenarios": [scenario_info(sc, scenario)],
        "design": {"reps": int(reps), "seed": int(seed), "scale": float(scale), "overrides": fixed,
                   **({"draws": per_rep} if draws is not None else {})},
        "analysis": {},
    }
    specs = [RunSpec.make(sc, {**per_rep[r], **fixed}, derive_seed(seed, r), scale,
                          {"rep": r, **{k: v for k, v in per_rep[r].items() if k not in fixed}})
             for r in range(reps)]
    return definition, specs


def summarise(definition: dict[str, Any], runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Bands of every indicator per year and city."""
    return bands(runs, by=("year", "city")), {}

