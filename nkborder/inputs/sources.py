"""Reading the cited data shipped in ``nkborder/data``: tables, citations and the messy text cells.

Every row of the data carries a source, either a ``source_id`` resolved by ``sources.csv`` or a
``source_citation`` on the row. Values are kept as the sources print them ("210-240", "~200", "1000->820",
"2016 (c.Mar)"), so this module also holds the one small parser that turns such cells into numbers and
dates. Tables are read from the package (``importlib.resources``) or, when ``directory`` is given, from a
CSV of the same name in that directory, so newer years can be added without code changes.
"""

from __future__ import annotations

import calendar
import csv
import functools
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pandas as pd

from nkborder.errors import InputError
from nkborder.reading import MAX_CSV_BYTES, read_text

__all__ = [
    "DATA_FILES",
    "Period",
    "Source",
    "cite",
    "load_sources",
    "parse_interval",
    "parse_period",
    "parse_value",
    "read_table",
]

DATA_FILES: tuple[str, ...] = (
    "populations.csv", "policy_events.csv", "defector_arrivals.csv", "defector_origin.csv",
    "china_stock_repatriation_women.csv", "border_costs.csv", "fees_and_bribes.csv", "border_security.csv",
    "china_dprk_trade.csv", "market_prices.csv", "prices_before_2009.csv", "exchange_rate_points.csv",
    "hyesan_market_biweekly.csv", "hyesan_market_yearly.csv", "local_observations.csv", "sources.csv",
)  # fmt: skip


# --------------------------------------------------------------------------------------------- tables
def file_stamp(name: str, directory: Path | None) -> tuple[str, int]:
    """Where a table comes from and its modification time (ns), so edited user files are re-read."""
    if directory is None:
        return (f"package:{name}", 0)
    path = Path(directory) / name
    if not path.is_file():
        raise InputError(str(path), "file", "not found", f"a CSV named {name} in {directory}")
    return (str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=128)
def _read_rows(stamp: tuple[str, int]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Header and rows of one CSV, all cells as stripped text (cached per file and modification time).

    A row with more cells than the header is an error naming the file and the line; short rows are padded with
    empty cells.
    """
    origin = stamp[0]
    if origin.startswith("package:"):
        text = (files("nkborder") / "data" / origin.removeprefix("package:")).read_text(encoding="utf-8-sig")
    else:
        text = read_text(origin, MAX_CSV_BYTES, "CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, [cell.strip() for cell in row]) for row in reader if row]
    except csv.Error as exc:
        raise InputError(origin, "file", f"not a readable CSV ({exc})", "comma-separated text") from None
    if not rows:
        raise InputError(origin, "header", "file is empty", "a CSV with a header line")
    header, body = rows[0][1], rows[1:]
    for line, row in body:
        if len(row) > len(header):
            raise InputError(origin, f"line {line}", f"{len(row)} cells", f"at most {len(header)} (the header's); "
                             "quote a cell that contains a comma")
    return tuple(header), tuple(tuple(row + [""] * (len(header) - len(row))) for _, row in body)


def read_table(name: str, required: tuple[str, ...] = (), directory: Path | None = None) -> pd.DataFrame:
    """One data file as a DataFrame of text cells (empty string where blank), in file order.

    Args:
        name: file name, e.g. ``"defector_arrivals.csv"``.
        required: columns that must exist; a missing one raises :class:`~nkborder.errors.InputError`
            (a ``ValueError``) naming the file and the column.
        directory: read ``directory / name`` instead of the copy shipped in the package.
    """
    header, rows = _read_rows(file_stamp(name, directory))
    for column in required:
        if column not in header:
            where = name if directory is None else str(Path(directory) / name)
            raise InputError(where, column, "required column missing", "columns: " + ", ".join(required))
    return pd.DataFrame(list(rows), columns=list(header), dtype=object)


def resolve_same(citations: pd.Series) -> pd.Series:
    """Replace ``"same"`` in a citation column by the citation of the row above (file order)."""
    out, last = [], ""
    for text in citations:
        last = last if text.strip().lower() == "same" else text
        out.append(last)
    return pd.Series(out, index=citations.index, dtype=object)


# ------------------------------------------------------------------------------------------ citations
@dataclass(frozen=True)
class Source:
    """One entry of ``sources.csv``: the id rows refer to, a full citation and a URL (may be empty)."""

    id: str
    citation: str
    url: str


@functools.lru_cache(maxsize=1)
def load_sources() -> dict[str, Source]:
    """All sources shipped with the package, by id."""
    table = read_table("sources.csv", ("source_id", "citation", "url"))
    return {r.source_id: Source(r.source_id, r.citation, r.url) for r in table.itertuples(index=False)}


def cite(source_id: str) -> str:
    """``"citation (url)"`` for a source id (just the citation when there is no URL).

    Raises:
        KeyError: the id is not in ``sources.csv``.
    """
    sources = load_sources()
    if source_id not in sources:
        raise KeyError(f"unknown source id {source_id!r}: not in nkborder/data/sources.csv")
    s = sources[source_id]
    return f"{s.citation} ({s.url})" if s.url else s.citation


# --------------------------------------------------------------------------------------------- parser
@dataclass(frozen=True)
class Period:
    """The calendar span a date cell states, first and last day inclusive; ``mid`` represents it."""

    first: date
    last: date

    @property
    def mid(self) -> date:
        """The middle day of the span (rounded down)."""
        return self.first + timedelta(days=(self.last - self.first).days // 2)


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
_THIRDS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31), "end": (21, 31)}


def _month(year: int, month: int, day0: int = 1, day1: int = 31) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, min(day0, last)), date(year, month, min(day1, last)))


def _months(year: int, m0: int, m1: int) -> Period:
    return Period(_month(year, m0).first, _month(year, m1).last)


def _qualified_year(year: int, qualifier: str) -> Period:
    """A year narrowed by a parenthesised qualifier: season, month, month range, "pre-1 July", "Jan 4"."""
    q = qualifier.strip().lower().removeprefix("c.").strip()
    if q in _SEASONS:
        return _months(year, *_SEASONS[q])
    m = re.fullmatch(r"([a-z]{3})[a-z]*(?:\s*-\s*([a-z]{3})[a-z]*)?", q)
    if m and m.group(1) in _MONTHS and (m.group(2) or m.group(1)) in _MONTHS:
        return _months(year, _MONTHS[m.group(1)], _MONTHS[m.group(2) or m.group(1)])
    if (m := re.fullmatch(r"([a-z]{3})[a-z]*\s+(\d{1,2})", q)) and m.group(1) in _MONTHS:
        return _month(year, _MONTHS[m.group(1)], int(m.group(2)), int(m.group(2)))
    if (m := re.fullmatch(r"pre-?\s*(\d{1,2})\s+([a-z]{3})[a-z]*", q)) and m.group(2) in _MONTHS:
        return Period(date(year, 1, 1), date(year, _MONTHS[m.group(2)], int(m.group(1))) - timedelta(days=1))
    return Period(date(year, 1, 1), date(year, 12, 31))  # unknown qualifier: the whole year


def parse_period(text: str) -> Period | None:
    """The span a date cell states, or ``None`` when it cannot be placed on the calendar.

    Understood: ``2007-06-17``; ``2015-07-30/08-05``; ``2007-02``; ``2011-01 (late)`` (early = days 1-10,
    mid = 11-20, late/end = 21-end); ``2009``; ``c.2000``; ``2001 (summer)``; ``2016 (c.Mar)``;
    ``2007 (Aug-Oct)``; ``2002 (pre-1 July)``; spans ``2006-2007``, ``2022-23``, ``1994..1998``; decades
    ``2010s``, ``1990s-2000s``. ``YYYY-NN`` is a month when NN <= 12, a span of years otherwise.
    Not placeable (``None``): ``year not shown ...``, ``undated``, ``cumulative``, ``pre-1989``,
    ``before 2014``, alternatives such as ``2010 / 2012`` (split them first).
    """
    t = text.strip().lower()
    t = re.sub(r"^(c\.|circa|about)\s*", "", t)
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})/(\d{2})-(\d{2})", t):
        y = int(m.group(1))
        return Period(date(y, int(m.group(2)), int(m.group(3))), date(y, int(m.group(4)), int(m.group(5))))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return Period(day, day)
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:\s*\((early|mid|late|end)\))?", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return _month(int(m.group(1)), int(m.group(2)), *_THIRDS.get(m.group(3) or "", (1, 31)))
    if m := re.fullmatch(r"(\d{4})(s?)\s*(?:-|\.\.|->)\s*(?:c\.)?(\d{2}|\d{4})(s?)", t):
        y0, y1 = int(m.group(1)), int(m.group(3))
        y1 = y1 + (y0 // 100) * 100 if y1 < 100 else y1
        y1 += 9 if m.group(4) else 0
        return Period(date(y0, 1, 1), date(y1, 12, 31)) if y1 >= y0 else None
    if m := re.fullmatch(r"(\d{3}0)s", t):
        return Period(date(int(m.group(1)), 1, 1), date(int(m.group(1)) + 9, 12, 31))
    if m := re.fullmatch(r"(\d{4})(?:\s*\((.+)\))?", t):
        y = int(m.group(1))
        return _qualified_year(y, m.group(2)) if m.group(2) else Period(date(y, 1, 1), date(y, 12, 31))
    return None


_NUMBER = r"(\d+(?:\.\d+)?)"


def parse_interval(text: str) -> tuple[float, float] | None:
    """``(low, high)`` stated by a value cell, or ``None`` (blank, ``n/a``, alternatives with ``/``).

    ``"210-240"`` -> (210, 240); ``"~200"``, ``">5000"``, ``"<2000"`` -> (x, x); ``"1000->820"`` and
    ``"11 -> 30-40"`` -> the last value or range; thousands separators (``"1,000"``) are removed.
    """
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.strip())
    t = t.split("->")[-1].strip()
    m = re.fullmatch(rf"[~<>≈]?\s*{_NUMBER}\s*(?:-\s*[~]?\s*{_NUMBER})?\s*%?", t)
    if not m:
        return None
    low = float(m.group(1))
    high = float(m.group(2)) if m.group(2) else low
    return (low, high) if high >= low else (high, low)


def parse_value(text: str) -> float | None:
    """One representative number for a value cell: the midpoint of :func:`parse_interval`, or ``None``."""
    interval = parse_interval(text)
    return None if interval is None else (interval[0] + interval[1]) / 2
