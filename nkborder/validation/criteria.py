"""Pass/fail criteria of the pattern catalogue: an interval a model value must fall in.

Four kinds, each with a plain-language ``text`` shown in tables:

* :class:`AtLeast` - ``value >= low`` (a one-sided bound, e.g. "more than 1,000 a year");
* :class:`AtMost` - ``value <= high`` (e.g. "fewer than 200", or a ratio ``<= 0.5`` for "falls by half");
* :class:`Between` - ``low <= value <= high`` (a published interval, possibly widened);
* :class:`WithinFactor` - ``point / factor <= value <= point x factor`` (an order of magnitude around a
  reported point: factor 2 for a precise figure, 3.16 for half an order of magnitude).

A value that is NaN (no runs, or a period the runs do not cover) never passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _fmt(x: float) -> str:
    """A bound as a short number: 0.35, 1.5, 12,500."""
    if x == 0 or 0.01 <= abs(x) < 100:
        return f"{x:.3g}"
    return f"{x:,.0f}"


@dataclass(frozen=True)
class AtLeast:
    """Pass if the value is at least ``low``."""

    low: float

    def check(self, value: float) -> bool:
        return not math.isnan(value) and value >= self.low

    @property
    def text(self) -> str:
        return f">= {_fmt(self.low)}"


@dataclass(frozen=True)
class AtMost:
    """Pass if the value is at most ``high``."""

    high: float

    def check(self, value: float) -> bool:
        return not math.isnan(value) and value <= self.high

    @property
    def text(self) -> str:
        return f"<= {_fmt(self.high)}"


@dataclass(frozen=True)
class Between:
    """Pass if ``low <= value <= high``."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"Between: low {self.low} above high {self.high}")

    def check(self, value: float) -> bool:
        return not math.isnan(value) and self.low <= value <= self.high

    @property
    def text(self) -> str:
        return f"in [{_fmt(self.low)}, {_fmt(self.high)}]"


@dataclass(frozen=True)
class WithinFactor:
    """Pass if the value is within a factor ``factor`` (> 1) of ``point``: ``point/factor .. point*factor``."""

    point: float
    factor: float

    def __post_init__(self) -> None:
        if self.point <= 0 or self.factor <= 1:
            raise ValueError(f"WithinFactor: point {self.point} must be > 0 and factor {self.factor} > 1")

    def check(self, value: float) -> bool:
        return not math.isnan(value) and self.point / self.factor <= value <= self.point * self.factor

    @property
    def text(self) -> str:
        return (f"within x{self.factor:g} of {_fmt(self.point)} "
                f"[{_fmt(self.point / self.factor)}, {_fmt(self.point * self.factor)}]")


Criterion = AtLeast | AtMost | Between | WithinFactor
