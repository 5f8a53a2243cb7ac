"""Fit metrics of a predictive ensemble against observed intervals.

For each observed row with interval ``[low, high]`` (a point has ``low == high``; a lower bound has
``high = inf``) and the ensemble's quantiles at that row:

* error = distance from the ensemble median to the interval (0 inside), in the series' unit;
* MAE = mean error; MAPE = mean of error / observed value (midpoint, or the bound), in percent;
* coverage_50 / coverage_90 = share of rows whose interval meets the central 50 % (p25-p75) / 90 % (p5-p95)
  predictive band (for a point: the point lies inside the band);
* within_2x = share of rows whose median is within a factor of 2 of the interval (``low / 2 <= median <=
  2 x high``).

Rows the ensemble has no value for (e.g. no arrivals in any run, so no share of women) are left out of ``n``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nkborder.calibration.distance import interval_residual

QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
FIT_COLUMNS = ("series", "period", "n", "mae", "mape", "coverage_50", "coverage_90", "within_2x")


#: Relative difference below which a band's end and an observed bound count as equal (floating-point rounding).
SAME = 1e-9


def band_covers(band_lo: np.ndarray, band_hi: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whether each band ``[band_lo, band_hi]`` meets the observed interval ``[low, high]``, ends equal to within
    :data:`SAME` (relative) counted as meeting: a posted price or share the model computes from the sourced value
    it observes (the guards' cut of 2011-2013, 0.11) may differ from it in the last bits."""
    band_lo, band_hi, low, high = (np.asarray(a, dtype=float) for a in (band_lo, band_hi, low, high))
    return (((band_lo <= high) | np.isclose(band_lo, high, rtol=SAME, atol=0.0))
            & ((band_hi >= low) | np.isclose(band_hi, low, rtol=SAME, atol=0.0)))


def quantiles(runs: np.ndarray) -> dict[str, np.ndarray]:
    """Per-row quantiles (:data:`QUANTILES`) of an ensemble ``runs`` of shape (runs, rows), NaN ignored."""
    runs = np.asarray(runs, dtype=float)
    out = {}
    for name, q in QUANTILES.items():
        col = np.full(runs.shape[1], np.nan)
        has = ~np.all(np.isnan(runs), axis=0)
        if has.any():
            col[has] = np.nanquantile(runs[:, has], q, axis=0)
        out[name] = col
    return out


def row_metrics(rows: pd.DataFrame, q: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per row: error of the median, relative error (share), whether the 50 % and 90 % bands cover, and whether
    the median is within a factor of 2 of the interval."""
    low, high = rows["low"].to_numpy(float), rows["high"].to_numpy(float)
    err = interval_residual(q["p50"], low, high)
    ref = rows["value"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref != 0, err / np.abs(ref), np.nan)
    return pd.DataFrame({
        "error": err, "relative_error": rel,
        "in_50": band_covers(q["p25"], q["p75"], low, high), "in_90": band_covers(q["p5"], q["p95"], low, high),
        "within_2x": (2 * q["p50"] >= low) & (q["p50"] <= 2 * high), "has_value": ~np.isnan(q["p50"]),
    }, index=rows.index)  # fmt: skip


def fit_table(rows: pd.DataFrame, q: dict[str, np.ndarray]) -> pd.DataFrame:
    """The fit table: one row per series and period (``rows`` needs ``series``, ``period``, ``low``, ``high``,
    ``value``); columns :data:`FIT_COLUMNS` (``mape`` in percent, coverages as shares 0-1)."""
    m = pd.concat([rows[["series", "period"]], row_metrics(rows, q)], axis=1)
    m = m.loc[m["has_value"]]
    out = []
    order = {s: i for i, s in enumerate(dict.fromkeys(rows["series"]))}
    for (series, period), g in m.groupby(["series", "period"], sort=False):
        out.append({"series": series, "period": period, "n": len(g), "mae": float(g["error"].mean()),
                    "mape": float(100 * g["relative_error"].mean()), "coverage_50": float(g["in_50"].mean()),
                    "coverage_90": float(g["in_90"].mean()), "within_2x": float(g["within_2x"].mean())})  # fmt: skip
    table = pd.DataFrame(out, columns=list(FIT_COLUMNS))
    if table.empty:
        return table
    key = table["series"].map(order) * 2 + (table["period"] != "calibration")
    return table.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)
