"""The model's side of the comparison: one run's value at every observed row, in the observation's unit.

Each row is read with the pattern catalogue's measures (:mod:`nkborder.observation.measures`) from the run's
yearly table:

* ``arrivals``, ``china_stock``, ``repatriated``: :class:`National` of ``arrivals_south_korea_full``,
  ``in_china_full`` (stock on the last day of the year) and ``repatriated_full`` (flows over the year): the count
  summed over the run's cities as a national equivalent. A zero count is replaced by half an agent
  (``0.5 / scale`` persons) so that its logarithm stays finite: the resolution of a run at that scale.
* ``women_share``: :class:`Quotient` women / all arrivals of the year over the run's cities (NaN if none).
* ``broker_fee``, ``crossing_bribe``, ``guard_cut``: :class:`Average` of the posted fee of a brokered crossing
  (``broker_fee_posted_cny``, CNY), the bribe a lone crosser pays a guard (``crossing_bribe_posted_cny``, CNY) and
  the guards' cut (``guard_cut_share``, 0-1), mean over the row's years, in the row's city or over the run's cities.
* ``remittance_commission``: :class:`Quotient` commission / gross remittances (0-1), pooled over the row's years
  and city (or cities).

Arrivals lag crossings through the model's own stock of people in China, so no lag is added here.

:class:`RunModel` runs a parameter set; as a pyabc model (:class:`EarlyRejectModel`) it stops a run as soon as
the distance of the years done already exceeds the tolerance (:mod:`.distance`, "partial distance").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pyabc

from nkborder.calibration.targets import Targets
from nkborder.observation.measures import Average, Context, Level, Memo, National, Quotient
from nkborder.observation.model import OBSERVATION_FIELDS, ObservationParams, national_equivalent
from nkborder.observation.sums import Table, table_cities
from nkborder.params import Params

#: Series that are a count of people summed over the run's cities, and the yearly column each is read from.
COUNTS = {"arrivals": "arrivals_south_korea_full", "china_stock": "in_china_full", "repatriated": "repatriated_full"}
POSTED = {"broker_fee": "broker_fee_posted_cny", "crossing_bribe": "crossing_bribe_posted_cny",
          "guard_cut": "guard_cut_share"}
QUOTIENTS = {"women_share": ("arrivals_south_korea_female_full", "arrivals_south_korea_full"),
             "remittance_commission": ("broker_commission_cny_full", "remittances_gross_cny_full")}


def row_measure(series: str, year_from: int, year_to: int, city: str) -> Level:
    """The measure (:mod:`nkborder.observation.measures`) that reads one observed row from a run's yearly table."""
    cities = (city,) if city else None
    if series in COUNTS:
        return Level(National(COUNTS[series]), year_from, year_to)
    if series == "women_share":
        return Level(Quotient(*QUOTIENTS[series]), year_from, year_to)
    if series == "remittance_commission":
        return Level(Quotient(*QUOTIENTS[series], cities), year_from, year_to)
    return Level(Average(POSTED[series], cities), year_from, year_to)


def measures(targets: Targets) -> list[Level]:
    """One measure per observed row of ``targets``."""
    return [row_measure(r.series, int(r.year_from), int(r.year_to), r.city)
            for r in targets.rows.itertuples(index=False)]  # fmt: skip


def columns_read(row_measures: list[Level]) -> tuple[str, ...]:
    """The yearly columns that ``row_measures`` (:func:`measures` of the targets) read."""
    return tuple(dict.fromkeys(c for m in row_measures for c in m.columns))


def model_values(yearly: Table, targets: Targets, weights: dict[str, float], factor: float,
                 scale: float, rows: list[int] | None = None, row_measures: list[Level] | None = None) -> np.ndarray:
    """The run's value at each row of ``targets`` (NaN where the run does not cover the row's years).

    ``yearly`` is the run's yearly table (a DataFrame or a dict of its column arrays). ``rows`` limits the work to
    those row positions (the others stay NaN); ``row_measures`` are ``measures(targets)`` when the caller has them
    already.
    """
    ctx = Context(weights, factor)
    memo: Memo = {}  # rows of one series over different years group the table once
    out = np.full(len(targets), np.nan)
    chosen = range(len(targets)) if rows is None else rows
    all_measures = row_measures if row_measures is not None else measures(targets)
    for i in chosen:
        out[i] = all_measures[i].value(yearly, ctx, memo)
    return floor_counts(out, targets, weights, table_cities(yearly), factor, scale)


def floor_counts(values: np.ndarray, targets: Targets, weights: dict[str, float], cities: tuple[str, ...],
                 factor: float, scale: float) -> np.ndarray:
    """``values`` (one per row of ``targets``) with each count below half an agent raised to it
    (``0.5 / scale`` persons, as a national equivalent), so that its logarithm stays finite; in place."""
    floor = float(national_equivalent(np.array([0.5 / scale]), weights, cities, factor)[0]) if cities else 0.0
    counts = targets.rows["series"].isin(list(COUNTS)).to_numpy() & ~np.isnan(values)
    values[counts] = np.maximum(values[counts], floor)
    return values


def sim_seed(seed: int, values: dict[str, float]) -> int:
    """A run's seed from the calibration seed and its parameter values (same values -> same run)."""
    text = json.dumps([seed, sorted((k, float(v)) for k, v in values.items())])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")


def split_values(values: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Parameter values split into model overrides (integers rounded) and observation parameters."""
    model, obs = {}, {}
    for name, v in values.items():
        if name in OBSERVATION_FIELDS:
            obs[name] = float(v)
        else:
            integer = (Params.model_fields[name].json_schema_extra or {}).get("integer", False)
            model[name] = round(float(v)) if integer else float(v)
    return model, obs


class Rejected(Exception):
    """Raised from a run's progress callback to stop a run whose partial distance exceeds the tolerance;
    ``before_start``: raised before the first simulated day (by the rows that read only posted conditions)."""

    def __init__(self, year: int, partial: float, before_start: bool = False) -> None:
        super().__init__(f"partial distance {partial:.4g} after {year}")
        self.year, self.partial, self.before_start = year, partial, before_start


#: Runs this process stopped early since :func:`take_stops` last read them: before their first simulated day,
#: and after it. Each Dask worker keeps its own; the calibration gathers them after each generation.
_STOPS = {"before_start": 0, "after_start": 0}


def take_stops() -> dict[str, int]:
    """This process's counts of early-stopped runs (``before_start``, ``after_start``), and reset them to 0."""
    counts = dict(_STOPS)
    for key in _STOPS:
        _STOPS[key] = 0
    return counts


@dataclass
class RunModel:
    """One simulation as a function of the calibrated values: what pyabc calls on a Dask worker.

    Args:
        scenario: the resolved scenario (dates applied: it ends with the last observed year).
        scale: share of the population simulated.
        seed: the calibration seed (each run's seed is derived from it and the parameter values).
        targets: the observed rows to produce values for.
        weights: each city's share of national counts (:func:`city_weights`).
        fixed: values of parameters held fixed (model parameters and observation parameters).
    """

    scenario: Any
    scale: float
    seed: int
    targets: Targets
    weights: dict[str, float]
    fixed: dict[str, float] = field(default_factory=dict)

    def __call__(self, pars: dict[str, float]) -> dict[str, np.ndarray]:
        """Run the model at ``pars`` (plus the fixed values); ``{"values": value per observed row}``."""
        return self.run(pars)

    @cached_property
    def row_measures(self) -> list[Level]:
        """One measure per observed row (:func:`measures`), made once per model rather than once per run."""
        return measures(self.targets)

    def run(self, pars: dict[str, float], rep: int | None = None, check=None) -> dict[str, np.ndarray]:
        """As a call; ``rep`` (a replicate number) enters the seed, so equal draws get different runs.

        ``check(values, year)`` is called before the run (``year`` = the year before the first simulated one,
        with the rows that read only posted conditions) and after each simulated year, with the values known so
        far; it may raise :class:`Rejected` to stop the run (then the exception propagates).
        """
        from nkborder.engine.sim import Simulation

        values = {**self.fixed, **{k: float(v) for k, v in dict(pars).items()}}
        model, obs = split_values(values)
        factor = obs.get("crossing_point_factor", ObservationParams().crossing_point_factor)
        seed = sim_seed(self.seed, values if rep is None else {**values, "__rep__": rep})
        failed = {"values": np.full(len(self.targets), np.nan), "failed": np.array([1.0])}
        try:
            sim = Simulation(self.scenario, self.scenario.parameters(model), seed=seed, scale=self.scale,
                             summaries=False)
        except Exception:  # a parameter set the model refuses: rejected by an infinite distance
            return failed
        reader = YearlyReader(sim, self, factor)
        progress = None
        if check is not None:
            try:
                check(reader.values(reader.first_year - 1), reader.first_year - 1)
            except Rejected as stop:
                stop.before_start = True
                raise
            progress = reader.progress(check)
        try:
            for date, days_done in sim.steps():
                if progress is not None:
                    progress(date, days_done, sim.n_days)
        except Rejected:
            raise
        except Exception:
            return failed
        return {"values": reader.values(reader.last_year), "failed": np.array([0.0])}


class YearlyReader:
    """The yearly columns the targets read, computed from a running simulation's arrays for the years done.

    The same numbers as ``nkborder.run(...).yearly`` (``nkborder.engine.record``: flows summed over the year's
    days, stocks on its last day, posted conditions averaged over its days, ``_full`` = value / scale), without
    building the full tables; the posted conditions come from the run's environment, so they are known for every
    year before the run starts. The rows are read from these arrays by the measures (:func:`model_values`),
    without building a DataFrame.
    """

    def __init__(self, sim: Any, model: RunModel, factor: float) -> None:
        from nkborder.core import slots as S
        from nkborder.engine.record import POSTED as ENV_FIELDS
        from nkborder.engine.record import STOCKS

        self.sim, self.model, self.factor = sim, model, factor
        days = np.datetime64(sim.scenario.start, "D") + np.arange(sim.n_days)
        day_year = days.astype("datetime64[Y]").astype(int) + 1970
        self.first_year, self.last_year = int(day_year[0]), int(day_year[-1])
        report_from = (sim.scenario.report_start or sim.scenario.start).year
        self.years = np.arange(report_from, self.last_year + 1)
        self.bounds = [(int(np.searchsorted(day_year, y)), int(np.searchsorted(day_year, y, side="right")))
                       for y in self.years]  # fmt: skip
        cities = tuple(sim.scenario.cities)
        self.measures = model.row_measures
        columns = columns_read(self.measures)
        self.counts = {c: (S.DAILY_NAMES.index(c.removesuffix("_full")), c.removesuffix("_full") in STOCKS)
                       for c in columns if c not in ENV_FIELDS}  # fmt: skip
        self.columns = {"year": np.repeat(self.years, len(cities)), "city": np.array(list(cities) * len(self.years))}
        for col in columns:
            if col in ENV_FIELDS:
                env = getattr(sim.env, ENV_FIELDS[col])
                self.columns[col] = np.concatenate([env[a:b].mean(axis=0) for a, b in self.bounds])
            else:
                self.columns[col] = np.full(len(self.years) * len(cities), np.nan)
        self.posted_rows = [i for i, m in enumerate(self.measures) if all(c in ENV_FIELDS for c in m.columns)]
        self.year_to = model.targets.rows["year_to"].to_numpy(int)
        self.done = report_from - 1
        self.known: dict[int, float] = {}  # row -> its final value

    def _fill(self, last: int) -> None:
        """Read the count columns of the years after those already read, up to ``last``."""
        sim, n_c = self.sim, len(self.sim.scenario.cities)
        for k, year in enumerate(self.years):
            if self.done < year <= last:
                a, b = self.bounds[k]
                for col, (slot, stock) in self.counts.items():
                    v = sim.daily[b - 1, :, slot] if stock else sim.daily[a:b, :, slot].sum(axis=0)
                    self.columns[col][k * n_c:(k + 1) * n_c] = v / sim.scale
        self.done = max(self.done, last)

    def values(self, last: int) -> np.ndarray:
        """The values of the rows whose years are done by the end of ``last``, and of the rows that read only
        posted conditions; NaN for the others. A row's value is final once its years are done, so each row is
        read once."""
        self._fill(last)
        ready = set(np.flatnonzero(self.year_to <= last).tolist()) | set(self.posted_rows)
        new = sorted(ready - set(self.known))
        if new:
            self.known.update(self._read(new))
        out = np.full(len(self.year_to), np.nan)
        out[list(self.known)] = list(self.known.values())
        return out

    def _read(self, rows: list[int]) -> dict[int, float]:
        """The values of ``rows``, read by the measures from the column arrays."""
        model = self.model
        out = model_values(self.columns, model.targets, model.weights, self.factor, self.sim.scale, rows,
                           self.measures)
        return {i: float(out[i]) for i in rows}

    def progress(self, check):
        """A progress callback that calls ``check(values, year)`` after the last day of each year but the last."""

        def callback(date: dt.date, days_done: int, n_days: int) -> None:
            if date.month == 12 and date.day == 31 and days_done < n_days:
                check(self.values(date.year), date.year)

        return callback


class EarlyRejectModel(pyabc.IntegratedModel):
    """The run as a pyabc model that computes its own distance and stops a run early.

    After each simulated year (and before the run, for the rows that read only the posted conditions, which
    the environment fixes in advance) the distance of the rows known so far is a lower bound of the final one
    (:func:`~nkborder.calibration.distance.partial_distance`); once it exceeds the tolerance the run stops and
    the particle is rejected. A run that is not stopped gives the same values and distance as a full run.
    """

    def __init__(self, run_model: RunModel, distance: Any) -> None:
        super().__init__(name="nkborder")
        self.run_model, self.distance = run_model, distance
        self.stopped: dict[int, int] = {}  # year -> runs stopped after it (this process only)

    def integrated_simulate(self, pars: Any, eps: float) -> pyabc.model.ModelResult:
        def check(values: np.ndarray, year: int) -> None:
            partial = self.distance.partial(values)
            if partial > eps:
                raise Rejected(year, partial)

        try:
            stats = self.run_model.run(dict(pars), check=check if np.isfinite(eps) else None)
        except Rejected as stop:
            self.stopped[stop.year] = self.stopped.get(stop.year, 0) + 1
            _STOPS["before_start" if stop.before_start else "after_start"] += 1
            return pyabc.model.ModelResult(accepted=False)
        d = self.distance(stats, {})
        return pyabc.model.ModelResult(accepted=bool(d <= eps), distance=d, sum_stat=stats)
