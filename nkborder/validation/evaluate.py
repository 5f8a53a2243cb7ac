"""Evaluate the pattern catalogue on an ensemble: one row per pattern with the median and 90 % band over runs.

:func:`evaluate` reads the per-run yearly table of an experiment (``ExperimentResult.runs``: one row per run,
year and city), measures every pattern in every run, and judges the median over runs against the criterion.
:func:`run_patterns` runs the ensemble first, through the experiment layer (Dask, stored in the results file,
resumable); :mod:`nkborder.validation.markdown` renders the table for ``docs/patterns.md``.

Status of a row:

* ``pass`` / ``fail`` - the median over runs meets the criterion or not;
* ``indicator missing`` - the runs lack a column the pattern reads (listed in ``missing``);
  ``passed`` is empty;
* ``not judged at this scale`` - the runs are smaller than the pattern's ``min_scale``: the value is shown,
  ``passed`` is empty;
* ``no data`` - no run covers the pattern's years or cities (or no run finished).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nkborder.observation.measures import Context
from nkborder.observation.model import ObservationParams, city_weights
from nkborder.validation.patterns import Pattern, catalogue

#: Columns of the results table (``--out``): the first eight are the ones the issue asks for.
COLUMNS = ("pattern", "level", "source", "criterion", "median", "p05", "p95", "passed", "status", "runs",
           "measure", "indicators", "missing", "min_scale")  # fmt: skip


@dataclass(frozen=True)
class PatternsResult:
    """A judged catalogue: the table (:data:`COLUMNS`) and how it was made."""

    table: pd.DataFrame
    scenario: str
    reps: int
    scale: float
    seed: int
    calibrated: bool
    experiment: str = ""
    db: str = ""
    computed: int = 0
    reused: int = 0
    failed: int = 0
    posterior: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status (pass, fail, indicator missing, ...)."""
        return {str(k): int(v) for k, v in self.table["status"].value_counts().items()}


def observation_context(calibrated: bool, calibration: str | Path | None = None) -> Context:
    """City weights and the crossing-point factor: the calibration's median if ``calibrated`` (``calibration``:
    a calibrated TOML file, default the shipped one), else the observation model's default."""
    factor = ObservationParams().crossing_point_factor
    if calibrated:
        from nkborder.calibration import load_shipped

        factor = float(load_shipped(calibration).median().get("crossing_point_factor", factor))
    return Context(city_weights(), factor)


def evaluate(runs: pd.DataFrame, scale: float, ctx: Context, patterns: tuple[Pattern, ...] | None = None
             ) -> pd.DataFrame:
    """Judge ``patterns`` (default: the catalogue) on a per-run yearly table (``run_id``, ``year``, ``city``,
    indicators). Returns one row per pattern with the columns :data:`COLUMNS`.

    A run with a ``crossing_point_factor`` column (a posterior draw's) is observed with its own factor."""
    patterns = catalogue() if patterns is None else patterns
    groups = [g for _, g in runs.groupby("run_id", sort=True)] if len(runs) else []
    contexts = [ctx if "crossing_point_factor" not in g
                else Context(ctx.weights, float(g["crossing_point_factor"].iloc[0])) for g in groups]
    rows = []
    for p in patterns:
        missing = [c for c in p.indicators if c not in runs.columns] if groups else []
        row = {"pattern": p.id, "level": p.level, "source": p.source_label, "criterion": p.criterion.text,
               "median": np.nan, "p05": np.nan, "p95": np.nan, "passed": None, "runs": 0,
               "measure": p.measure.text, "indicators": ", ".join(p.indicators), "missing": ", ".join(missing),
               "min_scale": p.min_scale}
        if missing:
            row["status"] = "indicator missing"
            rows.append(row)
            continue
        values = np.array([p.measure.value(g, c) for g, c in zip(groups, contexts, strict=True)], dtype=float)
        values = values[~np.isnan(values)]
        if values.size == 0:
            row["status"] = "no data"
            rows.append(row)
            continue
        method = "linear" if np.isfinite(values).all() else "closest_observation"  # inf - inf has no midpoint
        med, lo, hi = np.quantile(values, [0.5, 0.05, 0.95], method=method)
        row.update(median=float(med), p05=float(lo), p95=float(hi), runs=int(values.size))
        if scale < p.min_scale:
            row["status"] = "not judged at this scale"
        else:
            row["passed"] = bool(p.criterion.check(float(med)))
            row["status"] = "pass" if row["passed"] else "fail"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def run_patterns(
    scenario: str = "history", *, calibrated: bool = False, reps: int = 10, scale: float = 0.25, seed: int = 0,
    overrides: dict[str, float] | None = None, ids: list[str] | None = None,
    start: dt.date | str | None = None, end: dt.date | str | None = None, db: str | Path | None = None,
    name: str | None = None, workers: int | None = None, scheduler: str | None = None, progress: bool = False,
    posterior: bool = False, calibration: str | Path | None = None,
) -> PatternsResult:
    """Run an ensemble of ``scenario`` (stored in ``db``, resumable) and judge the catalogue on it.

    ``calibrated`` uses the shipped calibrated parameters (``overrides`` win over them) and the calibration's
    crossing-point factor for national counts. ``posterior`` (implies ``calibrated``) is the posterior
    predictive: each of the ``reps`` runs draws its parameters and crossing-point factor from the shipped
    posterior (by weight, with replacement; the draws follow ``seed``). ``ids`` restricts the catalogue to the
    named patterns; ``start`` and ``end`` shorten the runs (patterns whose years fall outside get "no data").
    ``calibration`` (a TOML file written by ``nkborder posterior NAME --toml FILE``) takes the place of the
    shipped calibration, e.g. to judge a candidate before shipping it (it implies ``calibrated``).
    """
    from nkborder.experiments import ensemble
    from nkborder.store.schema import DEFAULT_DB

    patterns = catalogue(ids)
    params = dict(overrides or {})
    calibrated = calibrated or posterior or calibration is not None
    draws, factors = None, None
    if calibrated:
        from nkborder.calibration import calibrated_params

        params = {**calibrated_params(calibration), **params}
    if posterior:
        draws, factors = posterior_draws(reps, seed, calibration)
    res = ensemble(scenario, reps, seed=seed, scale=scale, start=start, end=end, overrides=params,
                   db=db or DEFAULT_DB, name=name, workers=workers, scheduler=scheduler, progress=progress,
                   draws=draws)
    runs = res.runs if factors is None else res.runs.assign(crossing_point_factor=res.runs["rep"].map(factors))
    table = evaluate(runs, scale, observation_context(calibrated, calibration), patterns)
    return PatternsResult(table, str(scenario), int(reps), float(scale), int(seed), calibrated, res.name,
                          str(res.db), res.computed, res.reused, res.failed, posterior)


def posterior_draws(reps: int, seed: int, calibration: str | Path | None = None
                    ) -> tuple[list[dict[str, float]], dict[int, float]]:
    """``reps`` parameter sets drawn from the posterior of ``calibration`` (a calibrated TOML file, default the
    shipped one): the model parameters of each (one per replicate) and each replicate's crossing-point factor
    (the observation model's)."""
    from nkborder.calibration import load_shipped
    from nkborder.calibration.simulate import split_values

    post = load_shipped(calibration)
    default = float(post.median().get("crossing_point_factor", ObservationParams().crossing_point_factor))
    draws, factors = [], {}
    for r, row in enumerate(post.draw(int(reps), np.random.default_rng(seed)).to_dict("records")):
        model, obs = split_values(row)
        draws.append(model)
        factors[r] = float(obs.get("crossing_point_factor", default))
    return draws, factors
