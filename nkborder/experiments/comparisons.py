"""Counterfactual comparisons: scenario B against scenario A with common random numbers.

Replicate ``r`` of both scenarios uses the same seed, and the counter-based random numbers make a draw depend
only on (seed, stream, period, agent), so the paired difference B - A shows the effect of the scenarios'
differences alone: two identical scenarios differ by exactly zero.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.analysis.bands import bands
from nkborder.analysis.differences import paired_differences, period_summary
from nkborder.errors import InputError
from nkborder.experiments.core import (
    check_common,
    run_experiment,
    scenario_for,
    scenario_info,
)
from nkborder.experiments.design import check_indicators, parse_period
from nkborder.experiments.progress import ProgressHook
from nkborder.experiments.result import ExperimentResult
from nkborder.experiments.spec import RunSpec, derive_seed
from nkborder.scenarios import Scenario
from nkborder.store.schema import DEFAULT_DB

OUTPUTS = ("arrivals_south_korea_full", "crossings_succeeded_full", "crossings_attempted_full",
           "arrests_at_border_full")


def compare(
    scenario_a: str | Path | Scenario = "history", scenario_b: str | Path | Scenario = "no-closure",
    reps: int = 10, *, period: str | Sequence[int] | None = None, outputs: Sequence[str] | str | None = None,
    seed: int = 0, scale: float = 1.0, start: dt.date | str | None = None, end: dt.date | str | None = None,
    overrides: dict[str, float] | None = None, db: str | Path = DEFAULT_DB, name: str | None = None,
    workers: int | None = None, scheduler: str | None = None, progress: bool | ProgressHook = False,
    stop: threading.Event | None = None,
) -> ExperimentResult:
    """Run scenarios A and B with the same ``reps`` seeds and summarise the paired differences B - A.

    Args:
        scenario_a, scenario_b: the baseline and the what-if (names, TOML paths or :class:`Scenario`).
        period: years summed in the period summary, ``"2020:2025"`` or ``(2020, 2025)`` (inclusive;
            default: every year both runs report: from the later ``report_start`` or start).
        outputs: indicators of the period summary (default: arrivals in South Korea, successful and
            attempted crossings, arrests at the border; full-population counts).
        Other arguments as in :func:`nkborder.experiments.ensemble`.

    Returns:
        :class:`ExperimentResult`: ``runs`` (with ``side`` A/B, ``scenario``, ``rep``); ``summary`` (bands of
        B - A per year, city and indicator); ``period`` (the change of each output's total over the period
        per city and for both cities: mean, median, 5-95 % of the paired differences); ``tables["bands"]``
        (bands of each side).
    """
    definition, specs = plan_compare(scenario_a, scenario_b, reps, period=period, outputs=outputs, seed=seed,
                                     scale=scale, start=start, end=end, overrides=overrides)
    return run_experiment(definition, specs, db=db, name=name, scheduler=scheduler, workers=workers,
                          progress=progress, summarise=summarise, stop=stop)


def plan_compare(
    scenario_a: str | Path | Scenario, scenario_b: str | Path | Scenario, reps: int, *,
    period: str | Sequence[int] | None, outputs: Sequence[str] | str | None, seed: int, scale: float,
    start: dt.date | str | None, end: dt.date | str | None, overrides: dict[str, float] | None,
) -> tuple[dict[str, Any], list[RunSpec]]:
    """The definition and the planned runs of :func:`compare` (input checked, nothing run), seed by seed: A then
    B of each."""
    check_common(reps, seed, scale)
    sides = {"A": scenario_for(scenario_a, start, end), "B": scenario_for(scenario_b, start, end)}
    first = max((sc.report_start or sc.start).year for sc in sides.values())  # the first year the runs report
    last = min(sc.end.year for sc in sides.values())
    if first > last:
        raise InputError("--start/--end", f"{first}:{last}", "the two scenarios share no year", "overlapping runs")
    years = parse_period(period, first, last)
    fixed = {k: float(v) for k, v in (overrides or {}).items()}
    definition = {
        "kind": "compare",
        "scenarios": [scenario_info(sides["A"], scenario_a), scenario_info(sides["B"], scenario_b)],
        "design": {"reps": int(reps), "seed": int(seed), "scale": float(scale), "overrides": fixed},
        "analysis": {"period": list(years), "outputs": _outputs(outputs)},
    }
    specs = [
        RunSpec.make(sc, fixed, derive_seed(seed, r), scale, {"side": side, "scenario": sc.name, "rep": r})
        for r in range(reps) for side, sc in sides.items()
    ]
    return definition, specs


def summarise(definition: dict[str, Any], runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Bands of B - A per year and city, bands of each side, and the period summary of the outputs."""
    analysis = definition["analysis"]
    outputs = list(analysis["outputs"])
    if len(runs):
        check_indicators("--output", outputs, runs)
    diffs = paired_differences(runs) if len(runs) else runs
    summary = bands(diffs, by=("year", "city"))
    side_bands = bands(runs, by=("side", "year", "city")) if len(runs) else summary.iloc[:0]
    period = period_summary(runs, tuple(analysis["period"]), outputs) if len(runs) else pd.DataFrame()
    return summary, {"period": period, "bands": side_bands, "differences": diffs}


def _outputs(outputs: Sequence[str] | str | None) -> list[str]:
    if outputs is None:
        return list(OUTPUTS)
    names = [o.strip() for o in (outputs.split(",") if isinstance(outputs, str) else outputs) if o.strip()]
    if not names:
        raise InputError("--output", "(none)", "no indicator given", "e.g. arrivals_south_korea_full")
    return names

