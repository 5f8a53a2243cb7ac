"""Validation: the posterior predictive ensemble against the observed series, on calibration and hold-out years.

``reps`` parameter sets are drawn from the posterior (with replacement, in proportion to the weights); each is
run once on the Dask cluster with its own seed, and gives a value at every observed row (:mod:`.simulate`).
The ensemble's quantiles per row give the predictive median and the 50 % / 90 % bands; :mod:`.metrics` turns
them into the fit table. A row is ``calibration`` if its last year is at most the calibration's last year for
its series (``--until``, or the later year of a series the calibration fitted further, e.g. the repatriations to
2023) and not in the hold-out, ``holdout`` if its last year is in ``--holdout FROM:TO``.

:func:`check_targets` judges each series and period against the acceptance targets: arrivals at least
:data:`TARGET_COVERAGE_90` of the years inside the 90 % band and a MAPE of the median below :data:`TARGET_MAPE`;
every other series at least :data:`OTHER_COVERAGE_90` of its rows inside the band and the median within a
factor of 2 of every row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nkborder.calibration.metrics import FIT_COLUMNS, fit_table, quantiles, row_metrics
from nkborder.calibration.posterior import Posterior
from nkborder.calibration.simulate import RunModel
from nkborder.calibration.targets import load_targets
from nkborder.errors import InputError
from nkborder.observation.model import city_weights
from nkborder.scenarios import Scenario, load_scenario

TARGET_COVERAGE_90 = 0.8  # share of years with observed arrivals inside the 90 % band
TARGET_MAPE = 20.0  # percent, MAPE of the predictive median of arrivals
OTHER_COVERAGE_90 = 0.6  # share of the rows of every other series inside the 90 % band


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
    until, later = int(d["until"]), {k: int(v) for k, v in d.get("last", {}).items()}
    last = max([until, *later.values(), *(holdout[1:] if holdout else ())])
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or d["scenario"]["ref"])
    first = max(int(d["first"]), (sc.report_start or sc.start).year)
    directory = None if observed is None else Path(observed)
    targets = load_targets(directory, first, last)
    rows, notes = _periods(targets.rows, until, holdout, later)
    last = int(rows["year_to"].max()) if len(rows) else last
    sc = sc.with_dates(None, dt.date(last, 12, 31))
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


def _periods(rows: pd.DataFrame, until: int, holdout: tuple[int, int] | None,
             later: dict[str, int] | None = None) -> tuple[pd.DataFrame, list[str]]:
    notes = []
    year = rows["year_to"]
    ends = rows["series"].map(later or {}).fillna(until)
    # a row of a series fitted beyond --until (``later``, e.g. the repatriations to 2023) stays a calibration row
    fitted_later = rows["series"].isin(list(later or {})) & (year <= ends)
    held = ((year >= holdout[0]) & (year <= holdout[1]) & ~fitted_later if holdout
            else pd.Series(False, index=rows.index))
    period = np.where(held, "holdout", np.where(year <= ends, "calibration", ""))
    if holdout and holdout[0] <= until:
        notes.append(f"hold-out years {holdout[0]}-{min(holdout[1], until)} were used by the calibration (until "
                     f"{until}): they are not truly held out")
    out = rows.assign(period=period)
    return out.loc[out["period"] != ""].reset_index(drop=True), notes


def check_targets(fit: pd.DataFrame) -> pd.DataFrame:
    """The acceptance targets of each series and period of the fit table (columns target, series, period, value,
    required, met): arrivals' 90 % coverage and MAPE of the median; every other series' 90 % coverage and the
    share of its rows with the median within a factor of 2."""
    out = []
    for r in fit.itertuples(index=False):
        if r.series == "arrivals":
            out += [(f"arrivals inside the 90% band ({r.period} years)", r.series, r.period, r.coverage_90,
                     f">= {TARGET_COVERAGE_90:g}", r.coverage_90 >= TARGET_COVERAGE_90),
                    (f"MAPE of the predictive median of arrivals, % ({r.period} years)", r.series, r.period, r.mape,
                     f"< {TARGET_MAPE:g}", r.mape < TARGET_MAPE)]  # fmt: skip
        else:
            out += [(f"{r.series} inside the 90% band ({r.period})", r.series, r.period, r.coverage_90,
                     f">= {OTHER_COVERAGE_90:g}", r.coverage_90 >= OTHER_COVERAGE_90),
                    (f"{r.series}: median within a factor of 2 of each row ({r.period})", r.series, r.period,
                     r.within_2x, "= 1", r.within_2x >= 1.0)]  # fmt: skip
    return pd.DataFrame(out, columns=["target", "series", "period", "value", "required", "met"]).astype({"met": bool})


def write_fit(fit: pd.DataFrame, path: str | Path) -> Path:
    """Write the fit table as CSV (columns :data:`FIT_COLUMNS`)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fit[list(FIT_COLUMNS)].to_csv(out, index=False)
    return out
