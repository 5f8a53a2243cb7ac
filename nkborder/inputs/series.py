"""Daily driver series for the engine: rice price, market exchange rates and official China-DPRK trade.

Every function returns a float64 array with one value per calendar day from ``start`` to ``end`` inclusive.
All won amounts are NOMINAL won of the day: old won before the redenomination of 2009-11-30, new won from
that day on (100 old won = 1 new won). Prices and rates are interpolated linearly in log space between
dated observations and held flat before the first and after the last one (the rice price has no observation
before summer 2001, so 1995-2000 is held at that first value). The two sides of the redenomination are
interpolated separately: the old-won side ends flat at its last observation on 2009-11-29; the new-won side
starts on 2009-11-30 from that value converted at the legal 100:1 rate (an assumption: markets reopened at
converted prices) and runs log-linearly to the first new-won observation, so nothing interpolates across it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from nkborder.inputs.sources import (
    cite,
    file_stamp,
    load_sources,
    parse_period,
    parse_value,
    read_table,
    resolve_same,
)

REDENOMINATION = date(2009, 11, 30)
_RD = int(np.datetime64(REDENOMINATION, "D").astype(np.int64))

# file -> (rice column, KPW/USD column, KPW/CNY column, source column); dates are in column "date".
_PRICE_FILES: dict[str, tuple[str, str, str | None, str]] = {
    "prices_before_2009.csv": ("rice_kpw_kg", "kpw_per_usd", "kpw_per_cny", "source_citation"),
    "market_prices.csv": ("rice_kpw_per_kg", "kpw_per_usd", "kpw_per_cny", "source_id"),
    "exchange_rate_points.csv": ("rice_kpw_kg", "kpw_per_usd", "kpw_per_cny", "source_citation"),
    "hyesan_market_biweekly.csv": ("rice_kpw_per_kg", "kpw_per_usd", None, "source_id"),
}
_DENSE = "hyesan_market_biweekly.csv"  # preferred for rice from its first date on
_UNITS = {"rice": "KPW per kg (nominal won of the day)", "usd": "KPW per USD (nominal won of the day)",
          "cny": "KPW per CNY (nominal won of the day)"}  # fmt: skip


def _stamps(names: tuple[str, ...], directory: Path | None) -> tuple[tuple[str, int], ...]:
    return tuple(file_stamp(n, directory) for n in names)


def _num(text: str) -> float:
    value = parse_value(text)
    return np.nan if value is None or value <= 0 else value


def _one_file(name: str, directory: Path | None) -> pd.DataFrame:
    """The rows of one price file: representative day, currency side, values in won of that side."""
    rice_c, usd_c, cny_c, src_c = _PRICE_FILES[name]
    needed = tuple(c for c in ("date", "place", rice_c, usd_c, cny_c, src_c, "note") if c)
    t = read_table(name, needed, directory)
    cite_text = resolve_same(t[src_c]) if src_c == "source_citation" else t[src_c].map(_cite_or_id)
    rows = []
    for i, r in t.iterrows():
        period, note = parse_period(r["date"]), r["note"].lower()
        skip = "date cannot be placed" if period is None else ""
        skip = "note says do not use" if "do not use" in note else skip
        day = period.mid if period else None
        basis = r.get("currency_basis", "") or ("old won" if name == "prices_before_2009.csv" else "")
        old = basis == "old won" if basis else (day is not None and day < REDENOMINATION)
        factor = 1.0
        if m := re.search(r"before (\d{4}-\d{2}-\d{2}) divided by 100", note):  # mirror rescaled old won
            factor = 100.0 if day is not None and day < date.fromisoformat(m.group(1)) else 1.0
        if old and day is not None and day >= REDENOMINATION:
            day = REDENOMINATION - timedelta(days=1)  # an old-won figure "on the eve" belongs to the old side
        rows.append({"file": name, "line": i + 2, "raw_date": r["date"], "day": day, "place": r["place"],
                     "old_won": old, "rice": _num(r[rice_c]) * factor, "usd": _num(r[usd_c]) * factor,
                     "cny": _num(r[cny_c]) * factor if cny_c else np.nan, "source_id": r.get("source_id", ""),
                     "citation": cite_text[i], "skip": skip})  # fmt: skip
    return pd.DataFrame(rows)


def _cite_or_id(source_id: str) -> str:
    return cite(source_id) if source_id in load_sources() else source_id


@functools.lru_cache(maxsize=16)
def _observations_cached(directory: Path | None, _stamps_key: tuple) -> pd.DataFrame:
    return pd.concat([_one_file(n, directory) for n in _PRICE_FILES], ignore_index=True)


def price_observations(directory: Path | None = None) -> pd.DataFrame:
    """Every row of the four price files, parsed: file, line, raw_date, day, place, old_won, rice, usd, cny
    (won of the row's side; NaN where blank), source_id, citation and ``skip`` (why a row is not used)."""
    return _observations_cached(directory, _stamps(tuple(_PRICE_FILES), directory)).copy()


@dataclass(frozen=True)
class CnyUsdRatio:
    """KPW per CNY divided by KPW per USD (= USD per CNY), the median over ``rows`` reporting both."""

    value: float
    rows: pd.DataFrame


def cny_usd_ratio(directory: Path | None = None) -> CnyUsdRatio:
    """The ratio used to turn a KPW/USD observation into KPW/CNY (and back), estimated from the data.

    It is the median over the usable rows that report both rates on the same row (mostly 2007-2024; before
    2005 the yuan was pegged at 8.28 per USD, so the ratio then was about 0.121, below this median).
    """
    obs = price_observations(directory)
    both = obs[(obs.skip == "") & obs.usd.notna() & obs.cny.notna()].copy()
    both["ratio"] = both.cny / both.usd
    rows = both[["file", "line", "raw_date", "day", "place", "cny", "usd", "ratio", "citation"]]
    rows = rows.rename(columns={"cny": "kpw_per_cny", "usd": "kpw_per_usd"}).reset_index(drop=True)
    if rows.empty:
        raise ValueError("no row reports both kpw_per_cny and kpw_per_usd: cannot estimate the CNY/USD ratio")
    return CnyUsdRatio(float(np.median(rows.ratio)), rows)


@dataclass(frozen=True)
class _Knots:
    old_x: np.ndarray  # days since 1970-01-01 of old-won observations
    old_y: np.ndarray  # log values there
    new_x: np.ndarray
    new_y: np.ndarray
    used: pd.DataFrame  # the observations used (for provenance)


def _used(variable: str, directory: Path | None) -> pd.DataFrame:
    """Observations that enter one series, with the value in column ``value`` and how it was obtained."""
    obs = price_observations(directory)
    obs = obs[obs.skip == ""]
    if variable == "rice":
        dense_start = obs.loc[(obs.file == _DENSE) & obs.rice.notna(), "day"].min()
        before = obs.day < dense_start if isinstance(dense_start, date) else True
        keep = obs.rice.notna() & ((obs.file == _DENSE) | before)
        return obs[keep].assign(value=obs.rice, how="observed")
    other = "usd" if variable == "cny" else "cny"
    ratio = cny_usd_ratio(directory).value
    converted = obs[other] * ratio if variable == "cny" else obs[other] / ratio
    direct = obs[variable].notna()
    out = obs[direct | obs[other].notna()].assign(value=obs[variable].where(direct, converted))
    return out.assign(how=np.where(direct[out.index], "observed", f"converted from {other} by ratio"))


@functools.lru_cache(maxsize=32)
def _knots_cached(variable: str, directory: Path | None, _stamps_key: tuple) -> _Knots:
    used = _used(variable, directory)
    x = used.day.map(lambda d: (d - date(1970, 1, 1)).days).astype(np.int64)
    g = pd.DataFrame({"x": x, "y": np.log(used.value.astype(float)), "old": used.old_won.astype(bool)})
    g = g.groupby(["old", "x"], as_index=False).y.mean()  # same day: geometric mean of the values
    old, new = g[g.old], g[~g.old]
    old_x, old_y = old.x.to_numpy(np.float64), old.y.to_numpy(np.float64)
    new_x, new_y = new.x.to_numpy(np.float64), new.y.to_numpy(np.float64)
    if old_x.size == 0 and new_x.size == 0:
        raise ValueError(f"no usable observation for {variable}")
    if old_x.size == 0:  # no old-won data: convert the first new-won value back at 100:1
        old_x, old_y = np.array([_RD - 1.0]), new_y[:1] + np.log(100.0)
    if new_x.size == 0 or new_x[0] > _RD:  # redenomination day: the last old-won value at the legal rate
        anchor_y = old_y[-1] - np.log(100.0)
        new_x, new_y = np.concatenate([[float(_RD)], new_x]), np.concatenate([[anchor_y], new_y])
    for a in (old_x, old_y, new_x, new_y):
        a.flags.writeable = False
    return _Knots(old_x, old_y, new_x, new_y, used)


def _knots(variable: str, directory: Path | None) -> _Knots:
    return _knots_cached(variable, directory, _stamps(tuple(_PRICE_FILES), directory))


def _days(start: date, end: date) -> np.ndarray:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    first = (start - date(1970, 1, 1)).days
    return np.arange(first, first + (end - start).days + 1, dtype=np.float64)


def _daily(variable: str, start: date, end: date, directory: Path | None) -> np.ndarray:
    k, days = _knots(variable, directory), _days(start, end)
    old = days < _RD
    out = np.empty(days.size)
    out[old] = np.interp(days[old], k.old_x, k.old_y)
    out[~old] = np.interp(days[~old], k.new_x, k.new_y)
    return np.exp(out)


def rice_price_kpw_per_kg(start: date, end: date, *, directory: Path | None = None) -> np.ndarray:
    """Market price of rice, KPW per kg, nominal won of each day from ``start`` to ``end`` inclusive.

    Sources: ``prices_before_2009.csv``, ``market_prices.csv``, ``exchange_rate_points.csv`` (rice column)
    and the Hyesan biweekly survey, which is used alone from its first date (2009-08-15) on.
    """
    return _daily("rice", start, end, directory)


def kpw_per_cny(start: date, end: date, *, directory: Path | None = None) -> np.ndarray:
    """Market exchange rate, KPW per Chinese yuan, nominal won of each day.

    Observed KPW/CNY points are used as they are; rows that give only KPW/USD (the Hyesan survey, early
    black-market rates) are converted with :func:`cny_usd_ratio`.
    """
    return _daily("cny", start, end, directory)


def kpw_per_usd(start: date, end: date, *, directory: Path | None = None) -> np.ndarray:
    """Market exchange rate, KPW per US dollar, nominal won of each day (KPW/CNY-only rows converted)."""
    return _daily("usd", start, end, directory)


# ---------------------------------------------------------------------------------------------- trade
_TRADE_COLS = ("year", "series", "total", "source_citation", "url")
_CUSTOMS = "China|customs|GAC|MOFCOM"  # series names of Chinese customs figures (KOTRA* names excluded)


def yearly_trade_table(series: str = "GAC", *, directory: Path | None = None) -> pd.DataFrame:
    """China-DPRK official trade, one row per year of ``china_dprk_trade.csv``, USD million per year.

    ``series="GAC"``: Chinese customs figures (series named with China, customs, GAC or MOFCOM); years with
    only a KOTRA row use it (``fallback`` True). ``series="KOTRA"``: KOTRA or KOTRA adjusted (with its
    estimate of unrecorded crude oil) where available, otherwise the customs figure.
    Columns: year, total_usd_million, series_used, fallback, source_citation.
    """
    if series not in ("GAC", "KOTRA"):
        raise ValueError(f"series must be 'GAC' or 'KOTRA', not {series!r}")
    return _trade_cached(series, directory, _stamps(("china_dprk_trade.csv",), directory)).copy()


@functools.lru_cache(maxsize=16)
def _trade_cached(series: str, directory: Path | None, _stamps_key: tuple) -> pd.DataFrame:
    t = read_table("china_dprk_trade.csv", _TRADE_COLS, directory)
    t = t.assign(citation=resolve_same(t.source_citation))
    rows = []
    for year, g in t.groupby(t.year.astype(int), sort=True):
        kotra = g[g.series.str.startswith("KOTRA")]
        customs = g[~g.index.isin(kotra.index) & g.series.str.contains(_CUSTOMS, case=False)]
        want, other = (customs, kotra) if series == "GAC" else (kotra, customs)
        pick = want if len(want) else other
        if pick.empty:
            continue
        r = pick.iloc[0]
        cit = f"{r.citation} ({r.url})" if r.url else r.citation
        rows.append({"year": year, "total_usd_million": _num(r.total), "series_used": r.series,
                     "fallback": want.empty, "source_citation": cit})  # fmt: skip
    return pd.DataFrame(rows)


def official_trade_usd_million(
    start: date, end: date, series: str = "GAC", *, directory: Path | None = None
) -> np.ndarray:
    """Annual China-DPRK trade total (USD million per year) on every day of its year; years outside the
    file take the nearest year's value. See :func:`yearly_trade_table` for ``series``."""
    if series not in ("GAC", "KOTRA"):
        raise ValueError(f"series must be 'GAC' or 'KOTRA', not {series!r}")
    table = _trade_cached(series, directory, _stamps(("china_dprk_trade.csv",), directory))
    days = _days(start, end).astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    known = table.year.to_numpy(np.int64)
    wanted = np.unique(years)
    nearest = np.abs(wanted[:, None] - known[None, :]).argmin(axis=1)  # ties: the earlier year
    per_year = table.total_usd_million.to_numpy(np.float64)[nearest]
    return per_year[np.searchsorted(wanted, years)]


def describe_series(*, directory: Path | None = None) -> pd.DataFrame:
    """Provenance of each driver: name, unit, files, source ids, citations, first/last observed date,
    number of observations (distinct days, or years for trade) and the method."""
    rows = []
    for var, name in (("rice", "rice_price_kpw_per_kg"), ("cny", "kpw_per_cny"), ("usd", "kpw_per_usd")):
        used = _knots(var, directory).used
        how = "; ".join(f"{h}: {n}" for h, n in used.how.value_counts().items())
        rows.append({
            "name": name, "unit": _UNITS[var], "files": "; ".join(dict.fromkeys(used.file)),
            "source_ids": "; ".join(dict.fromkeys(s for s in used.source_id if s)),
            "citations": "; ".join(dict.fromkeys(used.citation)),
            "first_observed": min(used.day), "last_observed": max(used.day),
            "n_observations": used.day.nunique(),
            "method": f"log-linear in time, flat outside, split at {REDENOMINATION}; rows {how}",
        })  # fmt: skip
    for s in ("GAC", "KOTRA"):
        t = yearly_trade_table(s, directory=directory)
        fallback = ", ".join(str(y) for y in t.year[t.fallback]) or "none"
        rows.append({
            "name": f"official_trade_usd_million[{s}]", "unit": "USD million per year",
            "files": "china_dprk_trade.csv", "source_ids": "",
            "citations": "; ".join(dict.fromkeys(t.source_citation)),
            "first_observed": date(int(t.year.min()), 1, 1), "last_observed": date(int(t.year.max()), 12, 31),
            "n_observations": len(t),
            "method": f"annual total on each day of its year, nearest year outside; fallback in {fallback}",
        })  # fmt: skip
    return pd.DataFrame(rows)
