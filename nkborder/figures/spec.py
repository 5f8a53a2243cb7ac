"""What a figure shows, independent of how it is drawn: panels of yearly series with bands, observations, the
policy events as a numbered strip with a key, and a shaded period.

Both renderers (:mod:`nkborder.figures.static`, matplotlib, and :mod:`nkborder.figures.interactive`, Plotly) draw
the same specification, so titles, units, year ticks, the event strip and the legends agree. The x axis is in
years: a yearly value is drawn at mid-year (``year + 0.5``); an event at its start date as a fractional year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nkborder.figures import labels

#: Bands resting on fewer runs than this carry a warning in their legend and under the title.
FEW_RUNS = 10
#: Colours of the roles a series plays (Tableau colours, readable for the common colour-vision deficiencies).
COLORS = {"one": "#1f77b4", "A": "#1f77b4", "B": "#d95f02", "diff": "#2ca02c", "event": "#666666",
          "observed": "#000000", "period": "#dddddd"}


@dataclass(frozen=True)
class Band:
    """A median line over a quantile band of replicate runs, one value per year (drawn at mid-year).

    ``runs`` is the number of runs the band rests on (0 if not known); ``coverage`` names the
    band (``"5-95 %"``). ``inner_low``/``inner_high`` is an optional narrower band (e.g. 25-75 %). ``hatched``
    draws the band as hatching instead of a fill, so two bands can overlap and stay apart.
    """

    label: str
    x: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    color: str
    runs: int
    coverage: str = "5-95 %"
    inner_low: np.ndarray | None = None
    inner_high: np.ndarray | None = None
    inner_coverage: str = "25-75 %"
    hatched: bool = False
    runs_word: str = "runs"

    def band_label(self) -> str:
        """Legend text of the band: what it spans and how many runs it rests on, with a warning if few."""
        if not self.runs:  # not known
            return f"{self.label}: {self.coverage}"
        text = f"{self.label}: {self.coverage} of {self.runs} {self.runs_word}"
        return text + (" (few: rough band)" if self.runs < FEW_RUNS else "")

    def median_label(self) -> str:
        """Legend text of the median line."""
        return f"{self.label}: median"


@dataclass(frozen=True)
class Line:
    """A plain line over years (e.g. the median at one design point of a sweep)."""

    label: str
    x: np.ndarray
    y: np.ndarray
    color: str
    dash: bool = False


@dataclass(frozen=True)
class Boxes:
    """Bands over several years at once (e.g. predictions for an observed multi-year interval): one box per row
    from ``x0`` to ``x1``, between ``low`` and ``high``, with a median line."""

    label: str
    x0: np.ndarray
    x1: np.ndarray
    low: np.ndarray
    high: np.ndarray
    median: np.ndarray
    color: str


@dataclass(frozen=True)
class Observed:
    """Observations: points (``low == high``), intervals (``low < high``), lower bounds (``high`` infinite) and
    upper bounds (``low`` 0, ``high`` finite: "at most")."""

    label: str
    x: np.ndarray
    low: np.ndarray
    high: np.ndarray
    color: str = COLORS["observed"]

    def kinds(self) -> dict[str, np.ndarray]:
        """Masks of the points, the intervals, the lower bounds and the upper bounds."""
        point = self.low == self.high
        lower = ~np.isfinite(self.high)
        upper = (self.low == 0) & ~point & ~lower
        return {"point": point, "interval": ~point & ~lower & ~upper, "lower": lower, "upper": upper}


@dataclass
class Panel:
    """One axis: a title (plain words), a unit (the y axis label) and the marks drawn on it.

    ``percent`` draws shares 0-1 as percentages; ``log`` uses a log y axis; ``zero`` draws the zero line.
    ``right`` holds observations on a second y axis (unit ``right_unit``) when they count something else.
    ``note`` is printed in an empty panel; ``subtitle`` is a second line under the title (e.g. a period's total).
    ``x_range`` (years, start of the first to the end of the last) gives the panel its own x axis in both
    renderers, with its own year ticks and event strip under it; None: the figure's (:meth:`FigureSpec.years`).
    """

    title: str
    unit: str
    subtitle: str = ""
    bands: list[Band] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    boxes: list[Boxes] = field(default_factory=list)
    observed: list[Observed] = field(default_factory=list)
    right: list[Observed] = field(default_factory=list)
    right_unit: str = ""
    percent: bool = False
    log: bool = False
    zero: bool = False
    place: str | None = None
    note: str = ""
    x_range: tuple[float, float] | None = None

    def has_data(self) -> bool:
        """True if anything is drawn in the panel."""
        return bool(self.bands or self.lines or self.boxes or self.observed or self.right)


@dataclass(frozen=True)
class Event:
    """A numbered policy event of the strip: events starting in the same month share one number."""

    number: int
    x: float
    start: dt.date
    text: str
    places: frozenset[str]
    color: str = COLORS["event"]

    def key(self) -> str:
        """The line of the key: ``3  Dec 2006  crackdown (Hoeryong)``."""
        return f"{self.number}  {self.start:%b %Y}  {self.text}"


@dataclass
class FigureSpec:
    """A figure: a grid of panels (rows of columns), the numbered events, a shaded period, the legend's notes.

    ``events_before`` lists the events in force before the first year drawn (in the key, not numbered).
    ``notes`` are warnings printed under the title (e.g. a band resting on few runs). ``event_note`` explains
    event colours when they differ (a comparison).
    """

    title: str
    panels: list[list[Panel]]
    events: list[Event] = field(default_factory=list)
    events_before: list[str] = field(default_factory=list)
    period: tuple[int, int] | None = None
    period_label: str = "comparison period"
    notes: list[str] = field(default_factory=list)
    event_note: str = ""
    x_range: tuple[float, float] | None = None

    def all_panels(self) -> list[Panel]:
        """The panels row by row."""
        return [p for row in self.panels for p in row]

    def years(self) -> tuple[float, float]:
        """The x range drawn: ``x_range`` or the years of the data (whole years, start of first to end of last)."""
        if self.x_range:
            return self.x_range
        xs = [np.asarray(a, float) for p in self.all_panels() for a in _xs(p)]
        xs = [a[np.isfinite(a)] for a in xs if len(a)]
        if not any(len(a) for a in xs):
            return (self.period[0], self.period[1] + 1.0) if self.period else (0.0, 1.0)
        lo = min(float(a.min()) for a in xs if len(a))
        hi = max(float(a.max()) for a in xs if len(a))
        return float(np.floor(lo)), float(np.ceil(hi))  # mid-year values and year-end bounds: whole years

    def period_text(self) -> str:
        """Legend text of the shaded period, e.g. ``comparison period 2020-2025``."""
        if not self.period:
            return ""
        a, b = self.period
        return f"{self.period_label} {a}" + (f"-{b}" if b != a else "")

    def few_runs(self) -> list[Band]:
        """The bands resting on fewer than :data:`FEW_RUNS` runs."""
        return [b for p in self.all_panels() for b in p.bands if 0 < b.runs < FEW_RUNS]

    def warnings(self) -> list[str]:
        """The notes, and a warning when bands rest on few runs."""
        few = self.few_runs()
        out = list(self.notes)
        if few:
            n = min(b.runs for b in few)
            out.append(f"Bands rest on {n} run{'s' if n != 1 else ''} (fewer than {FEW_RUNS}): their 5 % and 95 % "
                       "limits are rough.")
        return out


def _xs(p: Panel) -> Iterable[Any]:
    for b in p.bands:
        yield b.x
    for ln in p.lines:
        yield ln.x
    for bx in p.boxes:
        yield bx.x0
        yield bx.x1
    for o in [*p.observed, *p.right]:
        yield o.x


def year_fraction(day: dt.date) -> float:
    """A date as a fractional year, e.g. 2020-07-02 -> about 2020.5."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def number_events(events: Sequence[Any], years: tuple[float, float], colors: dict[str, str] | None = None
                  ) -> tuple[list[Event], list[str]]:
    """Number the events that start inside ``years`` (chronologically; events starting in the same month share
    a number, drawn at the first one's date) and list those in force before in words.

    ``events`` are scenario events as dicts (``id``, ``kind``, ``start``, ``place``, optional ``end``) or objects
    with those attributes; ``colors`` maps an event id to its colour (default grey).
    """
    colors = colors or {}
    rows = []
    for e in events:
        get = e.get if isinstance(e, dict) else (lambda k, e=e: getattr(e, k, None))
        start = _date(get("start"))
        rows.append((start, get("id"), get("kind"), get("place") or "national"))
    rows.sort(key=lambda r: (r[0], r[1]))
    lo, hi = years
    grouped: dict[tuple[int, int], list[tuple]] = {}
    before = []
    for r in rows:
        x = year_fraction(r[0])
        if x <= lo:
            before.append(f"{labels.event_kind(r[2])} ({labels.place(r[3])})")
        elif x <= hi:
            grouped.setdefault((r[0].year, r[0].month), []).append(r)
    out = []
    for k, group in enumerate(grouped.values(), start=1):
        start = group[0][0]
        text = "; ".join(dict.fromkeys(f"{labels.event_kind(r[2])} ({labels.place(r[3])})" for r in group))
        cols = {colors.get(r[1], COLORS["event"]) for r in group}
        color = cols.pop() if len(cols) == 1 else COLORS["event"]
        out.append(Event(k, year_fraction(start), start, text, frozenset(r[3] for r in group), color))
    return out, list(dict.fromkeys(before))


def events_for(events: Sequence[Event], place: str | None) -> list[Event]:
    """The events that act on a panel's place (a city): national, border and China events, and the city's own;
    every event when ``place`` is None."""
    if place is None:
        return list(events)
    return [e for e in events if e.places & {"national", "border", "china", place}]


def year_step(span: float, width_in: float) -> int:
    """Years between two ticks: 1, 2, 5, 10, ... so that ticks stay about 0.5 inch apart or more."""
    room = max(1, int(width_in / 0.5))
    for step in (1, 2, 5, 10, 20, 50, 100):
        if span / step <= room:
            return step
    return 100


def strip_levels(xs: Sequence[float], gap: float, rows: int = 6) -> list[int]:
    """A row (0 = top) for each sorted x so that numbers closer than ``gap`` sit in different rows (at most
    ``rows`` rows; beyond that the row whose last number is farthest left)."""
    last: list[float] = []
    out = []
    for x in xs:
        free = [r for r in range(len(last)) if x - last[r] >= gap]
        if free:
            r = free[0]
        elif len(last) < rows:
            last.append(-np.inf)
            r = len(last) - 1
        else:
            r = int(np.argmin(last))
        last[r] = x
        out.append(r)
    return out
