"""Designs: parameter ranges (``--vary``), factorial grids, Latin hypercubes and analysis periods.

Every range is checked against the parameter's declared range (``nkborder params``), which is also the range
used when none is given. Bad input raises :class:`~nkborder.errors.InputError` naming the parameter and what
is allowed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from nkborder.errors import InputError, shorten, unknown_name
from nkborder.params import Params, parameter_info

MAX_POINTS = 100_000


@dataclass(frozen=True)
class Range:
    """A parameter range: ``lo`` to ``hi`` (inclusive, in the parameter's unit) in ``steps`` values."""

    name: str
    lo: float
    hi: float
    steps: int | None = None

    def values(self) -> list[float]:
        """The ``steps`` evenly spaced values (whole numbers for integer parameters, without repeats)."""
        values = np.linspace(self.lo, self.hi, self.steps or 2)
        if is_integer(self.name):
            values = np.round(values)
        return list(dict.fromkeys(float(v) for v in values))

    def as_dict(self) -> dict[str, Any]:
        """For the stored definition."""
        return {"name": self.name, "lo": self.lo, "hi": self.hi, "steps": self.steps}


def known(name: str, option: str) -> dict[str, Any]:
    """The metadata of parameter ``name``, or InputError listing the known parameters."""
    if name not in Params.model_fields:
        raise unknown_name(option, name, Params.model_fields, "parameter", "nkborder params")
    return parameter_info(name)


def is_integer(name: str) -> bool:
    """Whether only whole numbers make sense for parameter ``name``."""
    return bool(parameter_info(name).get("integer"))


def declared(name: str, option: str = "--params") -> Range:
    """The declared range of parameter ``name``."""
    info = known(name, option)
    return Range(name, float(info["lo"]), float(info["hi"]))


def parse_vary(items: Sequence[str] | Mapping[str, Any], need_steps: bool) -> list[Range]:
    """Ranges from ``["name=LO:HI:STEPS", "name=LO:HI", "name", ...]`` or ``{name: (lo, hi, steps)}``.

    ``name`` alone (or a mapping value None) means the declared range. ``need_steps`` (factorial designs)
    requires STEPS.
    """
    if isinstance(items, (str, bytes)) or not isinstance(items, (Mapping, Sequence)) or not all(
            isinstance(item, str) for item in items):
        raise InputError("--vary", shorten(items), "not a list of name=LO:HI:STEPS",
                         'e.g. ["detect_base=0.2:0.6:3"] or {"detect_base": (0.2, 0.6, 3)}')
    pairs: list[tuple[str, Any]] = list(items.items()) if isinstance(items, Mapping) else [
        _split(item) for item in items
    ]
    ranges, seen = [], set()
    for name, spec in pairs:
        info = known(name, "--vary")
        if name in seen:
            raise InputError("--vary", name, "given twice", "each parameter once")
        seen.add(name)
        if spec is None or spec == "":
            lo, hi, steps = float(info["lo"]), float(info["hi"]), None
        else:
            lo, hi, steps = _numbers(name, spec)
        if need_steps and steps is None:
            raise InputError("--vary", name, "no number of steps", "name=LO:HI:STEPS for a factorial sweep")
        _check_range(name, info, lo, hi)
        ranges.append(Range(name, lo, hi, steps))
    if not ranges:
        raise InputError("--vary", "(none)", "no parameter to vary", "--vary name=LO:HI:STEPS, one or more")
    return ranges


def factorial(ranges: Sequence[Range]) -> list[dict[str, float]]:
    """Every combination of the ranges' values (the first parameter varies slowest)."""
    n = int(np.prod([len(r.values()) for r in ranges]))
    if n > MAX_POINTS:
        raise InputError("--vary", ",".join(r.name for r in ranges), f"{n} grid points", f"<= {MAX_POINTS}")
    names = [r.name for r in ranges]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(r.values() for r in ranges))]


def latin_hypercube(ranges: Sequence[Range], samples: int, seed: int) -> list[dict[str, float]]:
    """``samples`` points of a Latin hypercube over the ranges (:class:`scipy.stats.qmc.LatinHypercube`): each
    range cut into ``samples`` equal strata, each stratum hit once per parameter (whole numbers for integer
    parameters)."""
    if int(samples) != samples or not 1 <= samples <= MAX_POINTS:
        raise InputError("--samples", str(samples), "not a usable number of samples", f"1 to {MAX_POINTS}")
    if not ranges:
        return [{} for _ in range(samples)]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31,)))
    unit = qmc.LatinHypercube(d=len(ranges), rng=rng).random(samples)
    points: list[dict[str, float]] = [{} for _ in range(samples)]
    for k, r in enumerate(ranges):
        values = r.lo + unit[:, k] * (r.hi - r.lo)
        if is_integer(r.name):
            values = np.clip(np.round(values), r.lo, r.hi)
        for point, v in zip(points, values, strict=True):
            point[r.name] = float(v)
    return points


def parse_period(period: str | Sequence[int] | None, first: int, last: int) -> tuple[int, int]:
    """Years ``(Y0, Y1)`` (inclusive) from ``"Y0:Y1"``, ``"Y"`` or a pair; default ``(first, last)``.

    Raises InputError unless ``first <= Y0 <= Y1 <= last`` (the years every run covers).
    """
    if period is None or period == "":
        return first, last
    try:
        if isinstance(period, str):
            parts = [int(p) for p in period.split(":")]
            y0, y1 = (parts[0], parts[-1]) if len(parts) in (1, 2) else (0, -1)
        else:
            y0, y1 = (int(p) for p in period)
    except (TypeError, ValueError):
        raise InputError("--period", str(period), "not a period", "YEAR:YEAR, e.g. 2020:2025") from None
    if not first <= y0 <= y1 <= last:
        raise InputError("--period", str(period), "outside the years of the runs", f"{first}:{last} or inside")
    return y0, y1


def _split(item: str) -> tuple[str, str | None]:
    name, sep, spec = item.partition("=")
    return name.strip(), spec.strip() if sep else None


def _numbers(name: str, spec: Any) -> tuple[float, float, int | None]:
    parts = spec.split(":") if isinstance(spec, str) else list(spec)
    if len(parts) not in (2, 3):
        raise InputError("--vary", name, f"{spec!r} is not LO:HI:STEPS", "name=LO:HI:STEPS, e.g. detect_base=0.2:0.6:3")
    try:
        lo, hi = float(parts[0]), float(parts[1])
        steps = None if len(parts) == 2 else float(parts[2])
    except (TypeError, ValueError):
        raise InputError("--vary", name, f"{spec!r} is not LO:HI:STEPS", "numbers, e.g. 0.2:0.6:3") from None
    if steps is not None and (steps != int(steps) or steps < 1):
        raise InputError("--vary", name, f"steps {parts[2]!r} is not a positive whole number", "1, 2, 3, ...")
    if steps == 1 and lo != hi:
        raise InputError("--vary", name, "one step but LO != HI", "STEPS >= 2, or LO == HI for one value")
    return lo, hi, None if steps is None else int(steps)


def _check_range(name: str, info: dict[str, Any], lo: float, hi: float) -> None:
    allowed = f"{info['lo']:g} to {info['hi']:g} {info['unit']}"
    if lo > hi:
        raise InputError("--vary", name, f"LO {lo:g} is above HI {hi:g}", allowed)
    if lo < info["lo"] or hi > info["hi"]:
        raise InputError("--vary", name, f"range {lo:g}:{hi:g} is outside the declared range", allowed)


def check_indicators(option: str, wanted: Sequence[str], runs: Any) -> None:
    """InputError for the first of ``wanted`` that is not an indicator column of the runs table ``runs`` (the
    columns after ``city``), with the likely names it misspells."""
    have = list(runs.columns[list(runs.columns).index("city") + 1:])
    missing = [o for o in wanted if o not in have]
    if missing:
        raise unknown_name(option, missing[0], have, "indicator of the runs", field=", ".join(missing))

