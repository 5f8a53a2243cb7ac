"""Bands over replicate runs: mean, median and the 5-95 % range of each indicator per year and city.

Tables are *long*: one row per group (e.g. year and city) and indicator, with columns ``n`` (runs), ``mean``,
``median``, ``p5``, ``p95`` and ``std``, in the indicator's own unit. Quantiles interpolate linearly between
runs; with 20 runs or fewer the mean is always inside [p5, p95].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

STATS = ("n", "mean", "median", "p5", "p95", "std")
#: Indicators shown first in tables and figures (full-population counts), when present.
HEADLINE = (
    "crossings_succeeded_full", "arrivals_south_korea_full", "arrests_at_border_full", "in_china_full",
    "broker_fee_posted_cny", "market_turnover_kpw_full", "income_gini", "population_full",
)


def indicator_columns(runs: pd.DataFrame) -> list[str]:
    """The indicator columns of a runs table: the numeric columns after ``city``."""
    cols = list(runs.columns)
    after = cols[cols.index("city") + 1:] if "city" in cols else cols
    return [c for c in after if pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])]


def how_to_total(indicator: str) -> str:
    """``"sum"`` for full-population counts and money flows (``*_full``), ``"mean"`` for prices, rates and
    shares: how an indicator is aggregated over years and cities."""
    return "sum" if indicator.endswith("_full") else "mean"


def headline(columns: Sequence[str], limit: int | None = None) -> list[str]:
    """The :data:`HEADLINE` indicators present in ``columns`` (the first ``limit`` of them)."""
    present = [c for c in HEADLINE if c in columns]
    return present[:limit] if limit else present


def bands(
    runs: pd.DataFrame, by: Sequence[str] = ("year", "city"), indicators: Sequence[str] | None = None,
    lo: float = 0.05, hi: float = 0.95,
) -> pd.DataFrame:
    """Mean, median and the ``lo``-``hi`` quantile band of each indicator over the runs of each group.

    Args:
        runs: one row per run and group (e.g. the ``runs`` table of an experiment).
        by: grouping columns (default: year and city).
        indicators: columns to summarise (default: every indicator column).
        lo, hi: quantiles of the band (0.05 and 0.95: columns ``p5`` and ``p95``).

    Returns:
        Long table: ``by`` columns, ``indicator``, ``n``, ``mean``, ``median``, ``p5``, ``p95``, ``std``;
        ordered ``p5 <= median <= p95`` and ``min <= mean <= max`` exactly (rounding is clipped).
    """
    by = list(by)
    cols = list(indicators) if indicators is not None else indicator_columns(runs)
    if runs.empty or not cols:
        return pd.DataFrame(columns=[*by, "indicator", *STATS])
    g = runs.groupby(by, sort=True)[cols]
    parts = {
        "n": g.count(), "mean": g.mean(), "median": g.median(), "p5": g.quantile(lo), "p95": g.quantile(hi),
        "std": g.std(ddof=1), "_min": g.min(), "_max": g.max(),
    }
    long = pd.DataFrame({k: v.stack() for k, v in parts.items()})
    long.index = long.index.set_names([*by, "indicator"])
    long = long.reset_index()
    long["n"] = long["n"].astype("int64")
    long["mean"] = long["mean"].clip(long["_min"], long["_max"])
    long["median"] = np.maximum(long["median"], long["p5"])
    long["p95"] = np.maximum(long["p95"], long["median"])
    order = {c: i for i, c in enumerate(cols)}
    long = long.sort_values([*by, "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s,
                            kind="stable")
    return long.drop(columns=["_min", "_max"]).reset_index(drop=True)


def band_label(row: pd.Series | dict, digits: int = 3) -> str:
    """``"median [p5 - p95]"`` of one band row, compactly formatted."""
    return f"{fmt(row['median'], digits)} [{fmt(row['p5'], digits)} - {fmt(row['p95'], digits)}]"


def fmt(value: float, digits: int = 3) -> str:
    """A number for a table: thousands separators for large values, ``digits`` significant for small ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"
