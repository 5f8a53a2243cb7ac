"""The distance between a run and the observations: interval residuals in units of each series' tolerance.

For each observed row the residual is the distance from the run's value to the observed interval, on the
series' scale (natural logarithm for counts and prices, plain for shares): zero inside ``[low, high]``, the
distance to the nearer end outside (a lower bound has ``high = inf``, an upper bound ``low = 0``). Each residual
is divided by

    divisor = sqrt(tolerance^2 + noise^2)

where the series' **tolerance** (:data:`TOLERANCES`) is the miss that the series' acceptance target allows
(``docs/calibration.md``, "The distance"): 0.2 log units for arrivals (the MAPE target of 20 %), log 2 for the
other counts and prices (the "median within a factor of 2" target), 0.1 for shares (ten percentage points); and
the row's **noise** (:func:`sampling_noise`) is the sampling noise of the simulated value at the calibration's
scale, in the same units, computed from the observed value: a run that reproduces the observed rate still
misses a count of n simulated people by about 1/sqrt(n) log units, which no parameter removes. The distance is

    d = sqrt( mean over series of ( mean over the series' rows of (residual / divisor)^2 ) )

so each series weighs the same whatever its number of rows. A row the run gives no value for (no arrivals
that year, so no share of women) counts as a residual of :data:`MISSING_Z` tolerances. This is a fixed
distance, not pyabc's ``AdaptivePNormDistance``: with interval data most residuals are exactly zero for many
particles, which makes the adaptive median-absolute-deviation weights degenerate.

The **partial distance** of a run still going uses the same formula with the rows not known yet counted as
zero (each series still divided by its full number of rows): it can only grow as rows become known, so a run
whose partial distance exceeds the tolerance of ABC-SMC would be rejected at its end as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyabc

from nkborder.calibration.simulate import COUNTS
from nkborder.calibration.targets import SERIES, Targets

LOG_SERIES = frozenset({"arrivals", "broker_fee", "crossing_bribe", "china_stock", "repatriated"})
#: The miss each series' acceptance target allows, in residual units (log units for counts and prices).
TOLERANCES = {"arrivals": 0.2, "women_share": 0.1, "broker_fee": float(np.log(2.0)), "crossing_bribe":
              float(np.log(2.0)), "guard_cut": 0.1, "remittance_commission": 0.1, "china_stock": float(np.log(2.0)),
              "repatriated": float(np.log(2.0))}  # fmt: skip
MISSING_Z = 1.0
#: Share series whose simulated value is a share of the people of a count series: women among the arrivals.
SHARE_OF = {"women_share": "arrivals"}


def interval_residual(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Distance from ``value`` to ``[low, high]``: 0 inside, ``low - value`` below, ``value - high`` above
    (``high`` may be ``inf`` for a lower bound); NaN where ``value`` is NaN."""
    value, low, high = (np.asarray(a, dtype=float) for a in (value, low, high))
    with np.errstate(invalid="ignore"):
        below = np.where(value < low, low - value, 0.0)
        above = np.where(value > high, value - high, 0.0)
    return np.where(np.isnan(value), np.nan, below + above)


def series_spreads(targets: Targets) -> dict[str, float]:
    """What each series of ``targets`` is divided by in the distance: its tolerance (:data:`TOLERANCES`)."""
    return {series: TOLERANCES[series] for series in dict.fromkeys(targets.rows["series"])}


def sampling_noise(targets: Targets, people_per_person: float, arrivals: dict[int, float]) -> np.ndarray:
    """The sampling noise of each row's simulated value, in the row's residual units, from the observed value.

    ``people_per_person``: simulated people per person of a national count (the calibration's scale x the
    crossing-point factor x the run's cities' shares of national counts, the inverse of
    :func:`~nkborder.observation.model.national_equivalent` at scale 1). ``arrivals``: observed national arrivals
    per year (persons), for the share series.

    * counts of people (:data:`~nkborder.calibration.simulate.COUNTS`: arrivals, China stock, repatriated), log
      units: ``1 / sqrt(n)``, ``n = value x people_per_person`` the expected number of simulated people (the
      Poisson noise of a count on the log scale); ``value`` is the interval's midpoint, the bound of a one-sided
      row;
    * shares of people (:data:`SHARE_OF`: women among the arrivals), share units: ``sqrt(p (1 - p) / n)``, ``p``
      the observed share, ``n`` the simulated arrivals of the year (observed arrivals x ``people_per_person``);
      0 for a year without observed arrivals;
    * prices, fees, the guards' cut and commissions: 0 (not counts of people).
    """
    rows = targets.rows
    names = rows["series"].to_numpy()
    value = rows["value"].to_numpy(float)
    noise = np.zeros(len(rows))
    with np.errstate(divide="ignore", invalid="ignore"):
        counts = np.isin(names, list(COUNTS))
        n = value * people_per_person
        noise[counts] = np.where(n[counts] > 0, 1.0 / np.sqrt(n[counts]), 0.0)
        shares = np.isin(names, list(SHARE_OF))
        n = rows["year_to"].map(arrivals).to_numpy(float) * people_per_person
        p = np.clip(value, 0.0, 1.0)
        share_noise = np.sqrt(p * (1.0 - p) / n)
        noise[shares] = np.where(n[shares] > 0, share_noise[shares], 0.0)
    return noise


@dataclass(frozen=True)
class RowScales:
    """The rows of ``targets`` ready for the distance: each row's series (a number), whether it is on the log
    scale, its interval on that scale and its divisor ``sqrt(spread^2 + noise^2)``; computed once per
    calibration, from the observations, so the divisor is the same for every run."""

    series: np.ndarray  # index of each row's series in the order of SERIES present
    log: np.ndarray  # bool: the row is compared on the log scale
    low: np.ndarray
    high: np.ndarray
    divisor: np.ndarray
    n_series: int

    @classmethod
    def of(cls, targets: Targets, spreads: dict[str, float], noise: np.ndarray | None = None) -> RowScales:
        """``spreads``: each series' tolerance (or ``--spread``); ``noise``: each row's sampling noise
        (:func:`sampling_noise`; None: none)."""
        names = targets.rows["series"].to_numpy()
        present = [s for s in SERIES if (names == s).any()]
        code = np.array([present.index(n) for n in names], dtype=np.int64)
        log = np.array([n in LOG_SERIES for n in names], dtype=bool)
        low, high = targets.rows["low"].to_numpy(float), targets.rows["high"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            low_t = np.where(log, np.log(np.where(low > 0, low, np.nan)), low)
            high_t = np.where(np.isinf(high), np.inf, np.where(log, np.log(np.where(high > 0, high, np.nan)), high))
        spread = np.array([spreads[n] for n in names], dtype=float)
        noise = np.zeros(len(names)) if noise is None else np.asarray(noise, dtype=float)
        if noise.shape != spread.shape:
            raise ValueError(f"{noise.size} sampling noises for {spread.size} observed rows")
        divisor = np.sqrt(spread**2 + noise**2)
        return cls(code, log, low_t, high_t, divisor, len(present))

    def z(self, values: np.ndarray) -> np.ndarray:
        """Residual of each row in its divisors (NaN where the run gave no value)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(self.log, np.log(np.where(v > 0, v, np.nan)), v)
        return interval_residual(v, self.low, self.high) / self.divisor

    def per_series(self, z_squared: np.ndarray) -> np.ndarray:
        """Mean of ``z_squared`` over each series' rows."""
        sums = np.bincount(self.series, weights=z_squared, minlength=self.n_series)
        return sums / np.bincount(self.series, minlength=self.n_series)

    def distance(self, values: np.ndarray) -> float:
        """The distance (rows without a value count :data:`MISSING_Z`)."""
        z = np.nan_to_num(self.z(values), nan=MISSING_Z)
        return float(np.sqrt(np.mean(self.per_series(z**2)))) if self.n_series else 0.0

    def partial(self, values: np.ndarray) -> float:
        """The distance with the rows not known yet (NaN) counted as 0: a lower bound of the final distance."""
        z = np.nan_to_num(self.z(values), nan=0.0)
        return float(np.sqrt(np.mean(self.per_series(z**2)))) if self.n_series else 0.0


def z_residuals(values: np.ndarray, targets: Targets, spreads: dict[str, float],
                noise: np.ndarray | None = None) -> np.ndarray:
    """Residual of each row in its divisors ``sqrt(spread^2 + noise^2)`` (NaN where the run gave no value)."""
    return RowScales.of(targets, spreads, noise).z(values)


def series_distances(values: np.ndarray, targets: Targets, spreads: dict[str, float],
                     noise: np.ndarray | None = None) -> dict[str, float]:
    """Root mean square z-residual of each series (missing rows count :data:`MISSING_Z`)."""
    z = z_residuals(values, targets, spreads, noise)
    z = np.where(np.isnan(z), MISSING_Z, z)
    names = targets.rows["series"].to_numpy()
    return {s: float(np.sqrt(np.mean(z[names == s] ** 2))) for s in SERIES if (names == s).any()}


def total_distance(values: np.ndarray, targets: Targets, spreads: dict[str, float],
                   noise: np.ndarray | None = None) -> float:
    """``sqrt(mean over series of series_distance^2)``: every series weighs the same."""
    return RowScales.of(targets, spreads, noise).distance(values)


def partial_distance(values: np.ndarray, targets: Targets, spreads: dict[str, float],
                     noise: np.ndarray | None = None) -> float:
    """The distance with every row not known yet (NaN) counted as 0: a lower bound of the final distance."""
    return RowScales.of(targets, spreads, noise).partial(values)


class SeriesDistance(pyabc.Distance):
    """The interval distance as a pyabc distance (summary statistic ``values``: one per row)."""

    def __init__(self, targets: Targets, spreads: dict[str, float] | None = None,
                 noise: np.ndarray | None = None) -> None:
        super().__init__()
        self.targets = targets
        self.spreads = spreads if spreads is not None else series_spreads(targets)
        self.noise = np.zeros(len(targets)) if noise is None else np.asarray(noise, dtype=float)
        self.rows = RowScales.of(targets, self.spreads, self.noise)

    def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
        if float(np.asarray(x.get("failed", [0.0]))[0]) > 0:
            return np.inf
        return self.rows.distance(x["values"])

    def partial(self, values: np.ndarray) -> float:
        """:func:`partial_distance` of the values known so far."""
        return self.rows.partial(values)

    def get_config(self) -> dict:
        return {"name": type(self).__name__, "spreads": self.spreads, "noise": self.noise.tolist(),
                "missing_z": MISSING_Z, "log_series": sorted(LOG_SERIES)}  # fmt: skip
