"""Observed rows read from a run's yearly columns held as arrays, without building a DataFrame.

A calibration run reads the values of its observed rows after every simulated year (early rejection,
:class:`~nkborder.calibration.simulate.YearlyReader`). :class:`ColumnTable` gives the same numbers, to the last
bit, as the measures of :mod:`nkborder.observation.measures` read from the yearly DataFrame of those columns: it
sums over cities as pandas' ``groupby(...).sum()`` does (compensated summation, NaN skipped) and reduces over years
with the same NumPy calls. Building the DataFrame and grouping it once per simulated year cost about 3 % of a
calibration simulation's CPU time (BENCHMARKS.md, section 11).

It reads the mean over years of a :class:`~nkborder.observation.measures.National` count and the pooled
:class:`~nkborder.observation.measures.Quotient` (:func:`supported`); other measures are read from the DataFrame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nkborder.observation.measures import Context, Level, National, Quotient
from nkborder.observation.model import national_equivalent


def supported(measure: Level) -> bool:
    """Whether :meth:`ColumnTable.value` reads ``measure``: a mean of a national count or a pooled quotient."""
    return measure.how == "mean" and isinstance(measure.indicator, National | Quotient)


def city_sums(column: np.ndarray, n_cities: int, cities: Sequence[int]) -> np.ndarray:
    """Per year, the sum over the city positions ``cities`` of a column laid out year by year (year ``k``, city
    ``c`` at ``k * n_cities + c``), with pandas' ``groupby(...).sum()`` arithmetic: Kahan-compensated, in row
    order, NaN skipped (a year with no value sums to 0)."""
    table = np.asarray(column, dtype=float).reshape(-1, n_cities)
    total, compensation = np.zeros(len(table)), np.zeros(len(table))
    for c in sorted(cities):
        value = table[:, c]
        present = ~np.isnan(value)
        y = value - compensation
        t = total + y
        step = t - total - y
        step[np.isnan(step)] = 0.0  # an infinite value: pandas resets the compensation
        compensation = np.where(present, step, compensation)
        total = np.where(present, t, total)
    return total


def _sum(values: np.ndarray) -> float:
    """``Series.sum()`` of float values: NaN counted as 0, NumPy's (pairwise) sum."""
    return float(np.where(np.isnan(values), 0.0, values).sum())


class ColumnTable:
    """A run's yearly columns (``columns[name]``: one value per year and city, years ``years`` in order, cities
    ``cities`` in order within each year) and the measures' context, read like the yearly DataFrame."""

    def __init__(self, columns: dict[str, np.ndarray], years: np.ndarray, cities: tuple[str, ...],
                 ctx: Context) -> None:
        self.columns, self.years, self.cities, self.ctx = columns, np.asarray(years), cities, ctx
        self._sums: dict[tuple[str, tuple[str, ...] | None], np.ndarray] = {}

    def sums(self, column: str, cities: tuple[str, ...] | None) -> np.ndarray:
        """Per year, ``column`` summed over ``cities`` (None: all), kept for the other rows of this table."""
        key = (column, cities)
        if key not in self._sums:
            chosen = [i for i, c in enumerate(self.cities) if cities is None or c in cities]
            self._sums[key] = city_sums(self.columns[column], len(self.cities), chosen)
        return self._sums[key]

    def value(self, measure: Level) -> float:
        """What ``measure.value`` reads from the DataFrame of these columns (a :func:`supported` measure)."""
        if not supported(measure):
            raise ValueError(f"ColumnTable: {measure.text} is read from the yearly DataFrame")
        if len(self.years) == 0 or measure.first < self.years[0] or measure.last > self.years[-1]:
            return math.nan
        span = slice(measure.first - int(self.years[0]), measure.last - int(self.years[0]) + 1)
        indicator = measure.indicator
        if isinstance(indicator, National):
            by_year = self.sums(indicator.column, None)
            values = national_equivalent(by_year, self.ctx.weights, self.cities,
                                         self.ctx.crossing_point_factor)[span]
            return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
        if indicator.cities is not None and not set(indicator.cities) <= set(self.cities):
            return math.nan
        den = _sum(self.sums(indicator.denominator, indicator.cities)[span])
        num = _sum(self.sums(indicator.numerator, indicator.cities)[span])
        return indicator.per * num / den if den > 0 else math.nan
