"""Per-year sums over cities of a run's yearly table, computed on its columns as arrays.

A yearly table (:data:`Table`) is a DataFrame or a dict of equal-length arrays with the columns ``year``, ``city``
and the indicators, one row per year and city. The measures (:mod:`nkborder.observation.measures`) read both forms
with these functions: the pattern catalogue reads finished runs' DataFrames, a calibration run reads its column
arrays after every simulated year without building a DataFrame (``nkborder.calibration.simulate.YearlyReader``).

The arithmetic is that of pandas' ``groupby("year").sum()`` (and ``.mean()``): Kahan-compensated, in row order
within each year, NaN skipped, a year with no value summing to 0. A table therefore gives the same numbers, to the
last bit, in either form and as pandas would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

#: A run's yearly table: a DataFrame, or a dict of equal-length arrays, with columns ``year``, ``city``, indicators.
Table = pd.DataFrame | Mapping[str, Any]


def table_cities(run: Table) -> tuple[str, ...]:
    """The run's cities in the order of their first row."""
    return tuple(dict.fromkeys(str(c) for c in np.asarray(run["city"])))


def has_cities(run: Table, cities: tuple[str, ...] | None) -> bool:
    """Whether the run has every city of ``cities`` (None: all of the run's cities, always true)."""
    return cities is None or set(cities) <= set(table_cities(run))


def city_sums(run: Table, column: str, cities: tuple[str, ...] | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``column`` summed over the rows of ``cities`` (None: every row), per year.

    Returns the years (sorted, those with at least one row of these cities), the sums (in the column's unit) and
    the number of non-NaN values summed in each year.
    """
    year = np.asarray(run["year"])
    values = np.asarray(run[column], dtype=float)
    if cities is not None:
        keep = np.isin(np.asarray(run["city"]).astype(str), list(cities))
        year, values = year[keep], values[keep]
    years, group = np.unique(year, return_inverse=True)
    total, compensation = np.zeros(len(years)), np.zeros(len(years))
    count = np.zeros(len(years), dtype=np.int64)
    # The k-th row of each year (in row order) is added in round k: each round touches a year at most once.
    order = np.argsort(group, kind="stable")
    first_row = np.searchsorted(group[order], np.arange(len(years)))
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - first_row[group[order]]
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        rows = np.flatnonzero((rank == k) & ~np.isnan(values))
        g, value = group[rows], values[rows]
        y = value - compensation[g]
        t = total[g] + y
        with np.errstate(invalid="ignore"):  # inf - inf
            step = t - total[g] - y
        step[np.isnan(step)] = 0.0  # an infinite value: pandas resets the compensation
        compensation[g], total[g] = step, t
        count[g] += 1
    return years, total, count


def nan_zero_sum(values: np.ndarray) -> float:
    """The sum of ``values`` with NaN counted as 0: pandas' ``Series.sum()`` (NumPy's pairwise sum)."""
    return float(np.where(np.isnan(values), 0.0, values).sum())
