"""The distance between a run and the observations: interval residuals, z-scored per series.

For each observed row the residual is the distance from the run's value to the observed interval, on the
series' scale (logarithm for counts and prices, plain for shares): zero inside ``[low, high]``, the distance
to the nearer end outside. Each series is scaled by its spread: the standard deviation of its observed values
on the same scale over the rows fitted (floored: 0.3 in log units, 0.05 for shares, so a series of one or
two similar points does not get an enormous weight). The distance is

    d = sqrt( mean over series of ( mean over the series' rows of (residual / spread)^2 ) )

so each series weighs the same whatever its number of rows. A row the run gives no value for (no arrivals
that year, so no share of women) counts as a residual of :data:`MISSING_Z` spreads. This is a fixed z-scored
distance, not pyabc's ``AdaptivePNormDistance``: with interval data most residuals are exactly zero for many
particles, which makes the adaptive median-absolute-deviation weights degenerate.
"""

from __future__ import annotations

import numpy as np
import pyabc

from nkborder.calibration.targets import SERIES, Targets

LOG_SERIES = frozenset({"arrivals", "broker_fee", "crossing_bribe", "china_stock", "repatriated"})
FLOORS = {"log": 0.3, "identity": 0.05}
MISSING_Z = 1.0


def transform(series: str, x: np.ndarray) -> np.ndarray:
    """Values on the scale residuals are measured in: natural log for counts and prices, else unchanged."""
    x = np.asarray(x, dtype=float)
    if series in LOG_SERIES:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(np.where(x > 0, x, np.nan))
    return x


def interval_residual(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Distance from ``value`` to ``[low, high]``: 0 inside, ``low - value`` below, ``value - high`` above
    (``high`` may be ``inf`` for a lower bound); NaN where ``value`` is NaN."""
    value, low, high = (np.asarray(a, dtype=float) for a in (value, low, high))
    with np.errstate(invalid="ignore"):
        below = np.where(value < low, low - value, 0.0)
        above = np.where(value > high, value - high, 0.0)
    return np.where(np.isnan(value), np.nan, below + above)


def series_spreads(targets: Targets) -> dict[str, float]:
    """Each series' spread: standard deviation of its observed values on the residual scale, floored."""
    out = {}
    for series, rows in targets.rows.groupby("series", sort=False):
        t = transform(series, rows["value"].to_numpy(float))
        sd = float(np.nanstd(t)) if len(t) > 1 else 0.0
        out[series] = max(sd, FLOORS["log" if series in LOG_SERIES else "identity"])
    return out


def z_residuals(values: np.ndarray, targets: Targets, spreads: dict[str, float]) -> np.ndarray:
    """Residual of each row in spreads of its series (NaN where the run gave no value)."""
    rows = targets.rows
    out = np.full(len(rows), np.nan)
    for series in SERIES:
        m = (rows["series"] == series).to_numpy()
        if not m.any():
            continue
        v = transform(series, np.asarray(values, dtype=float)[m])
        lo = transform(series, rows.loc[m, "low"].to_numpy(float))
        hi = transform(series, rows.loc[m, "high"].to_numpy(float))
        hi = np.where(np.isinf(rows.loc[m, "high"].to_numpy(float)), np.inf, hi)
        out[m] = interval_residual(v, lo, hi) / spreads[series]
    return out


def series_distances(values: np.ndarray, targets: Targets, spreads: dict[str, float]) -> dict[str, float]:
    """Root mean square z-residual of each series (missing rows count :data:`MISSING_Z`)."""
    z = z_residuals(values, targets, spreads)
    z = np.where(np.isnan(z), MISSING_Z, z)
    names = targets.rows["series"].to_numpy()
    return {s: float(np.sqrt(np.mean(z[names == s] ** 2))) for s in SERIES if (names == s).any()}


def total_distance(values: np.ndarray, targets: Targets, spreads: dict[str, float]) -> float:
    """``sqrt(mean over series of series_distance^2)``: every series weighs the same."""
    d = series_distances(values, targets, spreads)
    return float(np.sqrt(np.mean([v**2 for v in d.values()]))) if d else 0.0


class SeriesDistance(pyabc.Distance):
    """The z-scored interval distance as a pyabc distance (summary statistic ``values``: one per row)."""

    def __init__(self, targets: Targets, spreads: dict[str, float] | None = None) -> None:
        super().__init__()
        self.targets = targets
        self.spreads = spreads if spreads is not None else series_spreads(targets)

    def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
        if float(np.asarray(x.get("failed", [0.0]))[0]) > 0:
            return np.inf
        return total_distance(np.asarray(x["values"], dtype=float), self.targets, self.spreads)

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "spreads": self.spreads, "missing_z": MISSING_Z, "floors": FLOORS,
                "log_series": sorted(LOG_SERIES)}  # fmt: skip
