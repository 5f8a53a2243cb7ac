"""Paired differences between two sides of a comparison (B - A), run by run, and their totals over a period.

With common random numbers (the same seed on both sides), replicate ``r`` of side B differs from replicate
``r`` of side A only through the scenarios' differences, so the per-replicate difference has far less noise
than the difference of two independent means. Totals over a period are sums over its years (a count such as
arrivals over 2020-2025), per city and for both cities together (``city == "both"``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nkborder.analysis.bands import indicator_columns

BOTH = "both"


def paired_differences(
    runs: pd.DataFrame, side: str = "side", pair: str = "rep", keys: Sequence[str] = ("year", "city"),
    a: str = "A", b: str = "B",
) -> pd.DataFrame:
    """B - A of every indicator for each replicate, year and city (rows present on both sides only).

    Returns:
        Columns ``pair`` (``rep``), ``year``, ``city`` and the indicators, in their own units.
    """
    ind = indicator_columns(runs)
    index = [pair, *keys]
    left = runs.loc[runs[side] == a].set_index(index)[ind]
    right = runs.loc[runs[side] == b].set_index(index)[ind]
    common = left.index.intersection(right.index, sort=False)
    diff = right.loc[common] - left.loc[common]
    return diff.reset_index().sort_values(index, kind="stable").reset_index(drop=True)


def period_totals(
    frame: pd.DataFrame, period: tuple[int, int], indicators: Sequence[str], by: Sequence[str] = ("rep",)
) -> pd.DataFrame:
    """Sum of ``indicators`` over the years of ``period`` (inclusive) per ``by`` and city, plus ``both`` cities.

    Returns:
        Columns ``by``, ``city``, then one column per indicator (the total over the period).
    """
    y0, y1 = period
    inside = frame.loc[(frame["year"] >= y0) & (frame["year"] <= y1)]
    per_city = inside.groupby([*by, "city"], sort=False)[list(indicators)].sum().reset_index()
    both = inside.groupby(list(by), sort=False)[list(indicators)].sum().reset_index().assign(city=BOTH)
    return pd.concat([per_city, both[per_city.columns]], ignore_index=True)


def period_summary(
    runs: pd.DataFrame, period: tuple[int, int], indicators: Sequence[str], side: str = "side",
    pair: str = "rep", a: str = "A", b: str = "B",
) -> pd.DataFrame:
    """How much each indicator's total over ``period`` changes from side A to side B.

    Returns:
        One row per city (and ``both``) and indicator: ``n`` (paired replicates), ``a_mean`` and ``b_mean``
        (mean totals of each side), and the paired difference B - A: ``mean``, ``median``, ``p5``, ``p95``,
        ``share_positive`` (share of replicates with B > A).
    """
    ind = list(indicators)
    tot_a = period_totals(runs.loc[runs[side] == a], period, ind, (pair,)).set_index([pair, "city"])
    tot_b = period_totals(runs.loc[runs[side] == b], period, ind, (pair,)).set_index([pair, "city"])
    common = tot_a.index.intersection(tot_b.index, sort=False)
    tot_a, tot_b = tot_a.loc[common], tot_b.loc[common]
    diff = tot_b - tot_a
    rows = []
    for city in pd.unique(common.get_level_values("city")):
        for name in ind:
            d = diff.xs(city, level="city")[name].to_numpy(dtype=float)
            rows.append({
                "city": city, "indicator": name, "period": f"{period[0]}-{period[1]}", "n": len(d),
                "a_mean": float(tot_a.xs(city, level="city")[name].mean()),
                "b_mean": float(tot_b.xs(city, level="city")[name].mean()),
                "mean": float(np.mean(d)), "median": float(np.median(d)),
                "p5": float(np.quantile(d, 0.05)), "p95": float(np.quantile(d, 0.95)),
                "share_positive": float(np.mean(d > 0)),
            })
    return pd.DataFrame(rows)
