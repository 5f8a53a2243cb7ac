"""The model's side of the comparison: one run's value at every observed row, in the observation's unit.

* ``arrivals``, ``china_stock``, ``repatriated``: the count summed over the run's cities
  (``arrivals_south_korea_full`` and ``repatriated_full``: flows over the year; ``in_china_full``: stock on the
  last day of the year), turned into a national equivalent by
  :func:`~nkborder.calibration.observation.national_equivalent`. A zero count is replaced by half an agent
  (``0.5 / scale`` persons) so that its logarithm stays finite: the resolution of a run at that scale.
* ``women_share``: women among the year's arrivals over the run's cities (NaN if there were none).
* ``broker_fee``: the posted price of a brokered crossing (``broker_fee_posted_cny``, CNY, mean over the days of
  the row's years), of the row's city or the mean of the run's cities.
* ``crossing_bribe``: the posted bribe a lone crosser pays a guard (``crossing_bribe_posted_cny``, CNY), averaged
  in the same way.
* ``guard_cut``: the posted guards' cut (``guard_cut_share``, 0-1), averaged in the same way.

Arrivals lag crossings through the model's own stock of people in China, so no lag is added here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nkborder.calibration.observation import OBSERVATION_FIELDS, ObservationParams, national_equivalent
from nkborder.calibration.targets import Targets
from nkborder.params import Params

#: Series that are a count of people summed over the run's cities, and the yearly column each is read from.
COUNTS = {"arrivals": "arrivals_south_korea_full", "china_stock": "in_china_full", "repatriated": "repatriated_full"}
POSTED = {"broker_fee": "broker_fee_posted_cny", "crossing_bribe": "crossing_bribe_posted_cny",
          "guard_cut": "guard_cut_share"}


def model_values(yearly: pd.DataFrame, targets: Targets, weights: dict[str, float], factor: float,
                 scale: float) -> np.ndarray:
    """The run's value at each row of ``targets`` (NaN where the run does not cover the row's years)."""
    cities = tuple(dict.fromkeys(yearly["city"]))
    by_year = yearly.groupby("year")[[*COUNTS.values(), "arrivals_south_korea_female_full"]].sum()
    floor = 0.5 / scale
    yearly_series = {
        series: pd.Series(national_equivalent(np.maximum(by_year[column], floor), weights, cities, factor),
                          by_year.index)
        for series, column in COUNTS.items()
    }
    total = by_year["arrivals_south_korea_full"].to_numpy(float)
    women = np.where(total > 0, by_year["arrivals_south_korea_female_full"] / np.where(total > 0, total, 1), np.nan)
    yearly_series["women_share"] = pd.Series(women, by_year.index)
    out = np.full(len(targets), np.nan)
    for i, r in enumerate(targets.rows.itertuples(index=False)):
        if r.series in yearly_series:
            out[i] = yearly_series[r.series].get(r.year_to, np.nan)
        else:
            sel = yearly.loc[(yearly["year"] >= r.year_from) & (yearly["year"] <= r.year_to)]
            if r.city:
                sel = sel.loc[sel["city"] == r.city]
            n_years = sel["year"].nunique()
            if n_years == r.year_to - r.year_from + 1:
                out[i] = float(sel[POSTED[r.series]].mean())
    return out


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

    def run(self, pars: dict[str, float], rep: int | None = None) -> dict[str, np.ndarray]:
        """As a call; ``rep`` (a replicate number) enters the seed, so equal draws get different runs."""
        from nkborder.api import run

        values = {**self.fixed, **{k: float(v) for k, v in dict(pars).items()}}
        model, obs = split_values(values)
        factor = obs.get("crossing_point_factor", ObservationParams().crossing_point_factor)
        seed = sim_seed(self.seed, values if rep is None else {**values, "__rep__": rep})
        try:
            result = run(self.scenario, seed=seed, scale=self.scale, overrides=model, daily=False)
        except Exception:  # a parameter set the model refuses: rejected by an infinite distance
            return {"values": np.full(len(self.targets), np.nan), "failed": np.array([1.0])}
        out = model_values(result.yearly, self.targets, self.weights, factor, self.scale)
        return {"values": out, "failed": np.array([0.0])}
