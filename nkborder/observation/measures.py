"""What a pattern measures in one run: a statistic of a yearly indicator over a period, or a ratio of two.

A run is its yearly table (one row per year and city, the columns of ``nkborder.run(...).yearly``), as a
DataFrame or a dict of its column arrays (:data:`nkborder.observation.sums.Table`). Counts and
money flows are read from the ``*_full`` columns (rescaled to the whole population), so that runs at any scale
are compared with the world's numbers. The indicators:

* :class:`Total` - a column summed over the selected cities, per year (counts, money flows);
* :class:`National` - a count summed over the run's cities and turned into a national equivalent with the
  calibration's observation model (:func:`nkborder.calibration.national_equivalent`: ``total / (factor x
  sum of the cities' weights)``), because the sources count people for the whole country;
* :class:`Average` - a column averaged over the selected cities, per year (posted prices, shares, means);
* :class:`Quotient` - ``numerator / denominator`` over the selected cities, pooled over the period's years
  (sum of one over sum of the other), times ``per`` (e.g. 1,000 for a rate per 1,000 people);

:class:`Level` reduces an indicator over a period (mean, min, max or sum over the years; a quotient is pooled),
:class:`Change` divides one level by another (after / before). Each names the columns it reads
(``columns``), so a run that lacks one is reported as "indicator missing" instead of being measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nkborder.observation.model import national_equivalent
from nkborder.observation.sums import Table, city_sums, has_cities, nan_zero_sum, table_cities

#: An indicator per year: the years (sorted) and one value for each.
ByYear = tuple[np.ndarray, np.ndarray]
_NO_YEARS: ByYear = (np.array([], dtype=np.int64), np.array([]))


@dataclass(frozen=True)
class Context:
    """What turns model counts into national counts: each city's share of national counts and the factor."""

    weights: dict[str, float] = field(default_factory=dict)
    crossing_point_factor: float = 2.0


@dataclass(frozen=True)
class Total:
    """``column`` summed over ``cities`` (None: all of the run's cities), per year."""

    column: str
    cities: tuple[str, ...] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def yearly(self, run: Table, ctx: Context) -> ByYear:
        if not has_cities(run, self.cities):
            return _NO_YEARS
        years, sums, count = city_sums(run, self.column, self.cities)
        return years, self.combine(sums, count)

    @staticmethod
    def combine(sums: np.ndarray, count: np.ndarray) -> np.ndarray:
        """A year's value from the sum over its cities' values and their number."""
        return sums

    @property
    def text(self) -> str:
        return f"{self.column}{_where(self.cities)}"


@dataclass(frozen=True)
class Average(Total):
    """``column`` averaged over ``cities`` (None: all of the run's cities), per year."""

    @staticmethod
    def combine(sums: np.ndarray, count: np.ndarray) -> np.ndarray:
        """The mean over the cities with a value (NaN if none)."""
        mean = np.full(len(sums), np.nan)
        return np.divide(sums, count, out=mean, where=count > 0)


@dataclass(frozen=True)
class National:
    """A count summed over the run's cities as a national equivalent (persons, national)."""

    column: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def yearly(self, run: Table, ctx: Context) -> ByYear:
        years, sums, _ = city_sums(run, self.column)
        return years, national_equivalent(sums, ctx.weights, table_cities(run), ctx.crossing_point_factor)

    @property
    def text(self) -> str:
        return f"{self.column}, national equivalent"


@dataclass(frozen=True)
class Quotient:
    """``per x numerator / denominator`` over ``cities``; over a period the sums are pooled."""

    numerator: str
    denominator: str
    cities: tuple[str, ...] | None = None
    per: float = 1.0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.numerator, self.denominator)

    def sums(self, run: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The years, and numerator and denominator summed over the cities in each."""
        if not has_cities(run, self.cities):
            return (*_NO_YEARS, np.array([]))
        years, numerator, _ = city_sums(run, self.numerator, self.cities)
        _, denominator, _ = city_sums(run, self.denominator, self.cities)
        return years, numerator, denominator

    def yearly(self, run: Table, ctx: Context) -> ByYear:
        years, numerator, denominator = self.sums(run)
        return years, self.per * numerator / np.where(denominator > 0, denominator, np.nan)

    @property
    def text(self) -> str:
        per = f"{self.per:g} x " if self.per != 1 else ""
        return f"{per}{self.numerator} / {self.denominator}{_where(self.cities)}"


Indicator = Total | National | Average | Quotient
HOW = ("mean", "min", "max", "sum")
#: Per-year tables of indicators already computed for one run and context, keyed by (kind, indicator): levels of
#: the same indicator over different years (one observed row per year) then group the run's table only once.
Memo = dict[tuple[str, Any], Any]


def _memo(memo: Memo | None, key: tuple[str, Any], compute: Callable[[], Any]) -> Any:
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@dataclass(frozen=True)
class Level:
    """An indicator over the years ``first..last``: ``how`` = mean, min, max or sum of the yearly values.

    A :class:`Quotient`'s mean is pooled (sum of numerators over sum of denominators), so that years with
    few cases weigh less; its min and max are over the yearly quotients. NaN unless the run covers every year
    of the period.
    """

    indicator: Indicator
    first: int
    last: int
    how: str = "mean"

    def __post_init__(self) -> None:
        if self.how not in HOW:
            raise ValueError(f"Level: how {self.how!r} not one of {HOW}")
        if self.first > self.last:
            raise ValueError(f"Level: first year {self.first} after last {self.last}")

    @property
    def columns(self) -> tuple[str, ...]:
        return self.indicator.columns

    def value(self, run: Table, ctx: Context, memo: Memo | None = None) -> float:
        """The level in ``run``; ``memo`` (a dict kept by the caller for this ``run`` and ``ctx`` only) holds the
        per-year values of indicators that other levels read as well."""
        indicator = self.indicator
        if isinstance(indicator, Quotient) and self.how in ("mean", "sum"):
            years, numerator, denominator = _memo(memo, ("sums", indicator), lambda: indicator.sums(run))
            at = self._positions(years)
            if at is None:
                return math.nan
            den = nan_zero_sum(denominator[at])
            return indicator.per * nan_zero_sum(numerator[at]) / den if den > 0 else math.nan
        years, by_year = _memo(memo, ("yearly", indicator), lambda: indicator.yearly(run, ctx))
        at = self._positions(years)
        if at is None:
            return math.nan
        values = by_year[at]
        return float(getattr(np, f"nan{self.how}")(values)) if np.isfinite(values).any() else math.nan

    def _positions(self, years: np.ndarray) -> np.ndarray | None:
        """Where the years ``first..last`` are in ``years`` (sorted); None unless all of them are."""
        wanted = np.arange(self.first, self.last + 1)
        at = np.searchsorted(years, wanted)
        if (at >= len(years)).any() or (years[np.minimum(at, len(years) - 1)] != wanted).any():
            return None
        return at

    @property
    def text(self) -> str:
        pooled = isinstance(self.indicator, Quotient) and self.how in ("mean", "sum")
        how = "" if self.first == self.last or pooled else f"{self.how} of "
        return f"{how}{self.indicator.text}, {_span(self)}"


@dataclass(frozen=True)
class Change:
    """``after / before``: a ratio of two levels.

    If ``before`` is 0 the ratio is inf when ``after`` is positive and 1 when it is 0 too (nothing happened
    in either period: no change, which neither a rise nor a fall criterion accepts).
    """

    after: Level
    before: Level

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.after.columns, *self.before.columns)))

    def value(self, run: Table, ctx: Context) -> float:
        a, b = self.after.value(run, ctx), self.before.value(run, ctx)
        if math.isnan(a) or math.isnan(b):
            return math.nan
        if b == 0:
            return math.inf if a > 0 else 1.0
        return a / b

    @property
    def text(self) -> str:
        if self.after.indicator == self.before.indicator:
            return f"{self.after.indicator.text}: {_span(self.after)} / {_span(self.before)}"
        return f"({self.after.text}) / ({self.before.text})"


Measure = Level | Change


def _span(level: Level) -> str:
    return str(level.first) if level.first == level.last else f"{level.first}-{level.last}"


def _where(cities: tuple[str, ...] | None) -> str:
    return "" if cities is None else f" ({', '.join(cities)})"
