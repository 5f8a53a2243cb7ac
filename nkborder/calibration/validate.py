"""Validation: the posterior predictive ensemble against the observed series, on calibration and hold-out years.

``reps`` parameter sets are drawn from the posterior (with replacement, in proportion to the weights); each is
run once on the Dask cluster with its own seed, and gives a value at every observed row (:mod:`.simulate`).
The ensemble's quantiles per row give the predictive median and the 50 % / 90 % bands; :mod:`.metrics` turns
them into the fit table. A row is ``calibration`` if its last year is at most the calibration's last year and
not in the hold-out, ``holdout`` if its last year is in ``--holdout FROM:TO``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkborder.calibration.metrics import FIT_COLUMNS, fit_table, quantiles, row_metrics
from nkborder.calibration.observation import city_weights
from nkborder.calibration.posterior import Posterior
from nkborder.calibration.simulate import RunModel
from nkborder.calibration.targets import load_targets
from nkborder.errors import InputError
from nkborder.scenarios import Scenario, load_scenario

TARGET_COVERAGE_90 = 0.8  # share of calibration years with observed arrivals inside the 90 % band
TARGET_MAPE = 25.0  # percent, MAPE of the predictive median of arrivals on the calibration years


@dataclass
class Validation:
    """The outcome of a validation: the fit table, per-row predictions, the targets check and notes."""

    posterior: str
    scenario: str
    fit: pd.DataFrame
    predictions: pd.DataFrame
    checks: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    holdout: tuple[int, int] | None = None


def parse_holdout(text: str | None) -> tuple[int, int] | None:
    """``"2012:2015"`` -> (2012, 2015); None stays None; anything else is an InputError."""
    if text is None or text == "":
        return None
    parts = text.split(":")
    try:
        first, last = (int(p) for p in parts)
    except ValueError:
        raise InputError("--holdout", text, "not FROM:TO years", "e.g. 2012:2015") from None
    if first > last:
        raise InputError("--holdout", text, "FROM after TO", "e.g. 2012:2015")
    return first, last


def predict(model: RunModel, pars: dict[str, float], rep: int) -> np.ndarray:
    """One posterior predictive run: the value at each observed row (runs on a Dask worker)."""
    return model.run(pars, rep=rep)["values"]


def validate(
    scenario: str | Path | Scenario | None = None, posterior: Posterior | None = None,
    observed: str | Path | None = None, holdout: tuple[int, int] | None = None, reps: int = 50,
    scale: float | None = None, seed: int = 0, workers: int | None = None, scheduler: str | None = None,
    progress: bool = False,
) -> Validation:
    """Run the posterior predictive ensemble and compute the fit table.

    Args:
        scenario: scenario to run (default: the calibration's).
        posterior: the posterior to draw from (see :func:`load_shipped`, :func:`load_calibration`).
        observed: folder of CSV files like ``shared/data`` (default: the package's copies).
        holdout: (first, last) years held out; None: calibration years only.
        reps: parameter sets drawn (one run each).
        scale: share of the population simulated (default: the calibration's).
        seed: seed of the draws and of the runs.
    """
    from nkborder.experiments.cluster import dask_client
    from nkborder.experiments.progress import Reporter

    if int(reps) != reps or reps < 2:
        raise InputError("--reps", str(reps), "too few", "a whole number >= 2 (e.g. 50)")
    d = posterior.definition
    scale = float(scale if scale is not None else d["scale"])
    if not 0.0 < scale <= 1.0:
        raise InputError("--scale", str(scale), "out of range", "0 < scale <= 1")
    until = int(d["until"])
    last = max(until, holdout[1]) if holdout else until
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or d["scenario"]["ref"])
    sc = sc.with_dates(None, dt.date(last, 12, 31))
    first = max(int(d["first"]), (sc.report_start or sc.start).year)
    directory = None if observed is None else Path(observed)
    targets = load_targets(directory, first, last)
    rows, notes = _periods(targets.rows, until, holdout)
    targets = type(targets)(rows.drop(columns="period"))
    model = RunModel(sc, scale, int(seed), targets, city_weights(directory), d.get("fixed", {}))
    draws = posterior.draw(int(reps), np.random.default_rng(seed))
    runs = np.full((int(reps), len(rows)), np.nan)
    with dask_client(scheduler, workers) as client, Reporter(progress, int(reps), f"validate {posterior.name}") as rep:
        from distributed import as_completed

        futures = {client.submit(predict, model, draws.iloc[i].to_dict(), i, pure=False): i for i in range(reps)}
        for future in as_completed(list(futures), loop=client.loop):
            runs[futures[future]] = future.result()
            rep.advance(True)
    q = quantiles(runs)
    predictions = pd.concat([rows.reset_index(drop=True), pd.DataFrame(q), row_metrics(rows, q)], axis=1)
    fit = fit_table(rows, q)
    events = [{"id": e.id, "kind": e.kind, "start": e.start.isoformat(), "place": e.place} for e in sc.events]
    return Validation(posterior.name, sc.name, fit, predictions, check_targets(fit), notes, events, holdout)


def _periods(rows: pd.DataFrame, until: int, holdout: tuple[int, int] | None) -> tuple[pd.DataFrame, list[str]]:
    notes = []
    year = rows["year_to"]
    held = (year >= holdout[0]) & (year <= holdout[1]) if holdout else pd.Series(False, index=rows.index)
    period = np.where(held, "holdout", np.where(year <= until, "calibration", ""))
    if holdout and holdout[0] <= until:
        notes.append(f"hold-out years {holdout[0]}-{min(holdout[1], until)} were used by the calibration (until "
                     f"{until}): they are not truly held out")
    out = rows.assign(period=period)
    return out.loc[out["period"] != ""].reset_index(drop=True), notes


def check_targets(fit: pd.DataFrame) -> pd.DataFrame:
    """The acceptance targets on the calibration years: arrivals' 90 % coverage and MAPE of the median."""
    row = fit.loc[(fit["series"] == "arrivals") & (fit["period"] == "calibration")]
    cov = float(row["coverage_90"].iloc[0]) if len(row) else np.nan
    mape = float(row["mape"].iloc[0]) if len(row) else np.nan
    return pd.DataFrame([
        {"target": "arrivals inside the 90% band (calibration years)", "value": cov,
         "required": f">= {TARGET_COVERAGE_90:g}", "met": bool(cov >= TARGET_COVERAGE_90)},
        {"target": "MAPE of the predictive median of arrivals, % (calibration years)", "value": mape,
         "required": f"< {TARGET_MAPE:g}", "met": bool(mape < TARGET_MAPE)},
    ])  # fmt: skip


def write_fit(fit: pd.DataFrame, path: str | Path) -> Path:
    """Write the fit table as CSV (columns :data:`FIT_COLUMNS`)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fit[list(FIT_COLUMNS)].to_csv(out, index=False)
    return out
