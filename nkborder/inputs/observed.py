"""Observed data as tidy tables: calibration targets and checks for the model's outputs.

Each function reads one or two of the shipped CSV files (or, with ``directory``, the files of the same name
in that directory, so newer years can be added without code changes) and returns a pandas DataFrame. Shares
are 0-1, money is in the unit named by the column. Values given as ranges in the sources are kept as
``low``/``high``; a single value gives ``low == high``. A missing required column raises
:class:`~nkborder.errors.InputError` (a ``ValueError``) naming the file and the column.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from nkborder.errors import InputError
from nkborder.inputs.series import kpw_per_cny, kpw_per_usd
from nkborder.inputs.sources import parse_interval, parse_period, read_table, resolve_same

_CITED = ("year", "value", "unit", "what", "source_citation", "url")  # layout of the citation-per-row files


def _numbers(t: pd.DataFrame, column: str, name: str, blank_ok: bool = True) -> np.ndarray:
    """A column as float64 (midpoint of ranges); blank -> NaN, anything unreadable raises InputError."""
    out = np.full(len(t), np.nan)
    for i, text in enumerate(t[column]):
        interval = parse_interval(text) if text else None
        if interval is None and (text or not blank_ok):
            raise InputError(name, column, f"line {i + 2}: cannot read {text!r} as a number", "e.g. 1200")
        out[i] = np.nan if interval is None else sum(interval) / 2
    return out


def _years(t: pd.DataFrame, column: str, name: str) -> np.ndarray:
    years = [parse_period(text) for text in t[column]]
    for i, p in enumerate(years):
        if p is None:
            text = t[column].iloc[i]
            raise InputError(name, column, f"line {i + 2}: cannot read {text!r} as a year", "e.g. 2016")
    return np.array([p.mid.year for p in years], dtype=np.int64)


def arrivals_south_korea(directory: Path | None = None) -> pd.DataFrame:
    """North Korean defectors arriving in South Korea per year (Ministry of Unification), persons.

    Columns: year, total, male, female (NaN where the split is unknown: 1999-2001 are reported as one
    figure), share_female, source_id, cumulative (True for 1998, which counts all arrivals up to 1998), note.
    """
    name = "defector_arrivals.csv"
    t = read_table(name, ("year", "total", "male", "female", "source_id"), directory)
    total, female = _numbers(t, "total", name, blank_ok=False), _numbers(t, "female", name)
    note = t["note"] if "note" in t else pd.Series([""] * len(t))
    return pd.DataFrame({
        "year": _years(t, "year", name), "total": total.astype(np.int64), "male": _numbers(t, "male", name),
        "female": female, "share_female": female / total, "source_id": t.source_id,
        "cumulative": note.str.contains(r"\bcumulative\b", case=False).to_numpy(), "note": note,
    })  # fmt: skip


def origin_shares(directory: Path | None = None) -> pd.DataFrame:
    """Share of all arrivals in South Korea born in each province, and the city that stands for it.

    Columns: province, city_modelled, share (0-1 of all arrivals, cumulative), source_id.
    """
    name = "defector_origin.csv"
    t = read_table(name, ("province", "city_modelled", "share", "source_id"), directory)
    share = _numbers(t, "share", name, blank_ok=False)
    return pd.DataFrame(
        {"province": t.province, "city_modelled": t.city_modelled, "share": share, "source_id": t.source_id}
    )


def populations(directory: Path | None = None) -> pd.DataFrame:
    """Census populations (2008) of the two cities and their provinces: place, population, year, source_id,
    is_province."""
    name = "populations.csv"
    t = read_table(name, ("place", "population", "year", "source_id"), directory)
    return pd.DataFrame({
        "place": t.place, "population": _numbers(t, "population", name, blank_ok=False).astype(np.int64),
        "year": _years(t, "year", name), "source_id": t.source_id,
        "is_province": t.place.str.contains("province", case=False).to_numpy(),
    })  # fmt: skip


def _cited(name: str, directory: Path | None) -> pd.DataFrame:
    t = read_table(name, _CITED, directory)
    cit = resolve_same(t.source_citation)
    return t.assign(source_citation=[f"{c} ({u})" if u else c for c, u in zip(cit, t.url, strict=True)])


def women_share_arrivals(directory: Path | None = None) -> pd.DataFrame:
    """Share of women (0-1) among arrivals in South Korea by year; the undated "pre-1989" row is skipped.
    Columns: year, share, source_citation."""
    t = _cited("china_stock_repatriation_women.csv", directory)
    t = t[t.unit.str.strip() == "% women"]
    t = t[[parse_period(y) is not None for y in t.year]]
    return pd.DataFrame({"year": [parse_period(y).mid.year for y in t.year],
                         "share": [parse_interval(v)[0] / 100 for v in t.value],
                         "source_citation": t.source_citation.to_numpy()})  # fmt: skip


def _split_rows(t: pd.DataFrame) -> list[tuple[pd.Series, str, str]]:
    """(row, year text, value text), splitting paired cells such as ``c.1999 / c.2013`` and ``a / b``."""
    out = []
    for _, r in t.iterrows():
        years, values = r.year.split(" / "), r.value.split(" / ")
        if len(values) != len(years):  # one value for several years
            values = [r.value] * len(years)
        pairs = zip(years, values, strict=True)
        out.extend((r, y, v) for y, v in pairs)
    return out


def china_stock_intervals(directory: Path | None = None) -> pd.DataFrame:
    """Estimates of North Koreans hiding in China (or in Yanbian only), persons, as intervals.

    Columns: year (representative), low, high, area ("China" or "Yanbian"), what, source_citation.
    """
    t = _cited("china_stock_repatriation_women.csv", directory)
    t = t[(t.unit.str.strip() == "persons") & ~t.what.str.contains("repatriat", case=False)]
    rows = []
    for r, y, v in _split_rows(t):
        period, interval = parse_period(y), parse_interval(v)
        if period and interval:
            area = "Yanbian" if "yanbian" in r.what.lower() else "China"
            rows.append((period.mid.year, *interval, area, r.what, r.source_citation))
    return pd.DataFrame(rows, columns=["year", "low", "high", "area", "what", "source_citation"])


def repatriation_points(directory: Path | None = None) -> pd.DataFrame:
    """Forced repatriations from China, persons per event or year (the undated cumulative NKDB count is
    skipped). Columns: date (middle of the stated period), year, low, high, whole_year (the count covers a
    calendar year, not one event or month), what, source_citation."""
    t = _cited("china_stock_repatriation_women.csv", directory)
    t = t[(t.unit.str.strip() == "persons") & t.what.str.contains("repatriat", case=False)]
    rows = []
    for r, y, v in _split_rows(t):
        period, interval = parse_period(y), parse_interval(v)
        if period and interval:
            year = period.first.year
            whole = (period.first, period.last) == (date(year, 1, 1), date(year, 12, 31))
            rows.append((period.mid, period.mid.year, *interval, whole, r.what, r.source_citation))
    return pd.DataFrame(rows, columns=["date", "year", "low", "high", "whole_year", "what", "source_citation"])


_AT_LEAST = re.compile(r"\bmin(?:\.|imum)|\bat least\b", re.IGNORECASE)  # "min. crossing cost", "at least 500"
_AT_MOST = re.compile(r"\bat most\b", re.IGNORECASE)
_UP_TO = re.compile(r"\bup to\s+([\d,]+(?:\.\d+)?)", re.IGNORECASE)  # "up to 30%": a bound if 30 is the amount


def bound_side(amount: float, *texts: str) -> str:
    """What a printed ``amount`` bounds, from the row's own words (its ``what`` and note): ``"at least"`` ("min.",
    "minimum", "at least"), ``"at most"`` ("at most", or "up to" followed by the amount itself: "up to 30%"; "8600
    ... (up to 14000 on parts of the Tumen)" is not) or ``""`` (the amount itself)."""
    text = " ".join(t for t in texts if isinstance(t, str))
    if _AT_LEAST.search(text):
        return "at least"
    if _AT_MOST.search(text) or any(float(m.replace(",", "")) == amount for m in _UP_TO.findall(text)):
        return "at most"
    return ""


_FEE_IN = re.compile(r"\bcross|broker fee|nk->china", re.IGNORECASE)
_FEE_OUT = re.compile(r"smuggl|reward|seasonal|escape", re.IGNORECASE)  # goods, informers, labour, full route
_BRIBE = re.compile(r"\bbribe to (?:border )?guards", re.IGNORECASE)  # paid to a guard, not a broker's price


def _cny_factor(currency: str, period_text: str) -> tuple[float, str]:
    """CNY per unit of ``currency`` averaged over the period, from the package's daily market rates."""
    if currency == "CNY":
        return 1.0, "none (CNY)"
    p = parse_period(period_text)
    if p is None:
        raise ValueError(f"cannot convert a {currency} amount dated {period_text!r}: date cannot be placed")
    first, last = p.first, p.last
    cny = kpw_per_cny(first, last)
    if currency == "USD":
        f = float(np.mean(kpw_per_usd(first, last) / cny))
        return f, f"USD x {f:.2f} = mean market KPW/USD / KPW/CNY, {first}..{last} (nkborder.inputs.series)"
    f = float(np.mean(1.0 / cny))
    return f, f"KPW x {f:.5f} = mean of 1 / market KPW/CNY, {first}..{last} (nkborder.inputs.series)"


def _priced_rows(directory: Path | None) -> list[tuple[str, str, str, str, str, str, str, str]]:
    """The amounts of ``border_costs.csv`` and ``fees_and_bribes.csv`` as (period, amount, unit, place, what, note,
    source, file); a ``fees_and_bribes.csv`` row dated "2010 / 2012" gives one row per year."""
    costs = read_table("border_costs.csv", ("period", "amount", "currency", "what", "source_id"), directory)
    fees = _cited("fees_and_bribes.csv", directory)
    rows = [(r.period, r.amount, r.currency, r.place if "place" in costs else "", r.what, "", r.source_id,
             "border_costs.csv") for r in costs.itertuples(index=False)]  # fmt: skip
    rows += [(y, r.value, r.unit, "", r.what, getattr(r, "note", ""), r.source_citation, "fees_and_bribes.csv")
             for r in fees.itertuples(index=False) for y in r.year.split(" / ")]  # fmt: skip
    return rows


def broker_fee_points(directory: Path | None = None) -> pd.DataFrame:
    """Fees and guard bribes for crossing the river, converted to CNY, from ``border_costs.csv`` and
    ``fees_and_bribes.csv``.

    Kept: rows about crossing (cost of crossing, broker fee, bribe per crosser). Left out: smugglers' bribes
    for goods, rewards for informers, seasonal labourers' ferry fee, full escape routes to Seoul; a row
    repeating another (same year, amount and currency) is kept once. USD and KPW amounts are converted with
    the market rates of the stated period from :mod:`nkborder.inputs.series` (the package's price data,
    also when ``directory`` is given); see column ``conversion``.
    ``kind`` says what the amount is: ``broker_fee`` (the price of a crossing arranged by a broker, or the cost
    of crossing) or ``guard_bribe`` (a bribe paid to the guards for one crosser, e.g. "bribe to border guards
    per defector"). ``bound`` says what the amount bounds (:func:`bound_side`), e.g. ``"at least"`` for the
    "min. crossing cost after Feb 2010 tightening".
    Columns: year, period, low_cny, high_cny, amount_low, amount_high, currency_original, conversion, place,
    what, kind, bound, source, file.
    """
    rows: dict[tuple, tuple] = {}
    bounds: dict[tuple, str] = {}  # a row repeating another (same year, amount, currency) only adds its bound
    for period, amount, currency, place, what, note, source, file in _priced_rows(directory):
        currency, interval, p = currency.strip().upper(), parse_interval(amount), parse_period(period)
        if currency not in ("CNY", "USD", "KPW") or not interval or not p:
            continue
        if not _FEE_IN.search(what) or _FEE_OUT.search(what):
            continue
        key = (p.mid.year, interval, currency)
        bounds[key] = bounds.get(key) or bound_side(interval[1], what, note)
        if key in rows:
            continue
        factor, how = _cny_factor(currency, period)
        kind = "guard_bribe" if _BRIBE.search(what) else "broker_fee"
        rows[key] = (p.mid.year, period, interval[0] * factor, interval[1] * factor, *interval, currency, how,
                     place, what, kind, source, file)  # fmt: skip
    columns = ["year", "period", "low_cny", "high_cny", "amount_low", "amount_high", "currency_original",
               "conversion", "place", "what", "kind", "source", "file"]  # fmt: skip
    out = pd.DataFrame(list(rows.values()), columns=columns)
    out.insert(columns.index("source"), "bound", [bounds[k] for k in rows])
    return out.sort_values("year", kind="stable").reset_index(drop=True)


def guard_cut_points(directory: Path | None = None) -> pd.DataFrame:
    """Share (0-1) of smugglers' profit taken by guards and security officers, by period.

    Columns: period_start_year, period_end_year (``<NA>`` when open, e.g. "before 2014"), low, high, place,
    source_id, what.
    """
    name = "border_costs.csv"
    t = read_table(name, ("period", "place", "amount", "currency", "what", "source_id"), directory)
    t = t[(t.currency.str.strip() == "share") & t.what.str.contains(r"guard|security officer", case=False)]
    t = t[t.what.str.contains(r"cut|profit", case=False)]
    rows = []
    for r in t.itertuples(index=False):
        if m := re.fullmatch(r"(?:before|pre-?)\s*(\d{4})", r.period.strip(), re.IGNORECASE):
            start, end = pd.NA, int(m.group(1)) - 1
        elif p := parse_period(r.period):
            start, end = p.first.year, p.last.year
        else:
            continue
        rows.append((start, end, *parse_interval(r.amount), r.place, r.source_id, r.what))
    out = pd.DataFrame(rows, columns=["period_start_year", "period_end_year", "low", "high", "place",
                                      "source_id", "what"])  # fmt: skip
    return out.astype({"period_start_year": "Int64", "period_end_year": "Int64"})


def remittance_commission_points(directory: Path | None = None) -> pd.DataFrame:
    """Commission (share 0-1 of the amount sent) taken by brokers who carry remittances into North Korea.

    Columns: year (representative; "2010s" -> 2014), period (as printed), low, high, place, what, bound
    (:func:`bound_side`), source, file. "2010 / 2012" gives one row per year; its 0.30 ("up to 30%", in the
    note) and the 2024 Hyesan 0.70 ("at most") are upper bounds.
    """
    rows = []
    for period, amount, unit, place, what, note, source, file in _priced_rows(directory):
        if not re.search(r"commission", what, re.I) or not re.search(r"remittance", what, re.I):
            continue
        interval, p = parse_interval(amount), parse_period(period)
        scale = {"share": 1.0, "%": 0.01}.get(unit.strip())
        if interval and p and scale:
            low, high = interval[0] * scale, interval[1] * scale
            rows.append((p.mid.year, period, low, high, place, what, bound_side(interval[1], what, note), source,
                         file))
    columns = ["year", "period", "low", "high", "place", "what", "bound", "source", "file"]
    return pd.DataFrame(rows, columns=columns).sort_values("year", kind="stable").reset_index(drop=True)
