"""The observed series the model is fitted to, as one table of intervals.

Every observation is a row: ``series``, the years it covers (``year_from``..``year_to``), the city it is about
(``""`` for both cities / national), and an interval ``[low, high]`` (a point value has ``low == high``; a
lower bound has ``high = inf``, an upper bound ``low = 0``). ``value`` is the point shown in tables (the
midpoint, or the bound of a one-sided interval). Series and units:

* ``arrivals`` - defectors arriving in South Korea per year, national, persons (``defector_arrivals.csv``).
  The 1998 row counts every arrival up to 1998 (since the 1950s) and is dropped; the series starts in 1999.
* ``women_share`` - share (0-1) of women among arrivals: the yearly split of ``defector_arrivals.csv`` where
  given, else the ``% women`` rows of ``china_stock_repatriation_women.csv``.
* ``broker_fee`` - price of a brokered crossing of the river, CNY (``broker_fee_points`` of kind
  ``broker_fee``: border_costs.csv and fees_and_bribes.csv, USD and KPW converted at market rates of the period).
  A minimum is a lower bound ``[low, inf)``: the "min. crossing cost after Feb 2010 tightening" of 10,000 CNY.
* ``crossing_bribe`` - bribe paid to the guards for letting one crosser pass, CNY (``broker_fee_points`` of kind
  ``guard_bribe``, e.g. 500 CNY per defector in Hoeryong, 2007).
* ``guard_cut`` - guards' share (0-1) of smugglers' profit (``border_costs.csv``); "before 2014" is read as
  2011-2013 (the three years before the change the source reports).
* ``china_stock`` - North Koreans hiding in China, persons, national, as intervals; estimates for Yanbian only
  are a lower bound for China (``[low, inf)``).
* ``repatriated`` - North Koreans repatriated by China in a year, persons, national
  (``china_stock_repatriation_women.csv``: 4,809 in 2002). A count of one event or month is a lower bound of its
  year's (``[low, inf)``), e.g. the mass repatriation of 2023-10-09 (500-600): at least 500 in 2023.
* ``remittance_commission`` - brokers' commission on remittances into North Korea, share 0-1 of the amount sent
  (``remittance_commission_points``: "up to 30%" in 2010 and 2012, 0.20-0.30 "in normal times" in the 2010s,
  placed at 2014 as the loader does); a commission "up to" or "at most" X is an upper bound ``[0, X]``.

A user's ``--observed`` folder of CSV files in the same format replaces the package data; newer years are
used without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nkborder.errors import InputError
from nkborder.inputs import (
    arrivals_south_korea,
    broker_fee_points,
    china_stock_intervals,
    guard_cut_points,
    remittance_commission_points,
    repatriation_points,
    women_share_arrivals,
)

SERIES = ("arrivals", "women_share", "broker_fee", "crossing_bribe", "guard_cut", "remittance_commission",
          "china_stock", "repatriated")
UNITS = {"arrivals": "persons per year (national)", "women_share": "share 0-1", "broker_fee": "CNY",
         "crossing_bribe": "CNY", "guard_cut": "share 0-1", "remittance_commission": "share 0-1",
         "china_stock": "persons (national)", "repatriated": "persons per year (national)"}  # fmt: skip
FIRST_YEAR = 1999  # the first non-cumulative year of the arrivals series
#: Series fitted to a later year than ``--until`` by default: the mass repatriation of 2023 is a lower bound the
#: rules of the closure years must meet (repatriations are neither arrivals nor fees, the out-of-sample test).
LATER_SERIES = {"repatriated": 2023}
OPEN_START_YEARS = 3  # "before YEAR" covers the 3 years before YEAR
COLUMNS = ("series", "year_from", "year_to", "city", "low", "high", "value", "source")
FILES = ("defector_arrivals.csv", "defector_origin.csv", "populations.csv", "china_stock_repatriation_women.csv",
         "border_costs.csv", "fees_and_bribes.csv")  # fmt: skip


@dataclass(frozen=True)
class Targets:
    """Observed intervals, one row per observation (columns :data:`COLUMNS`)."""

    rows: pd.DataFrame

    def __len__(self) -> int:
        return len(self.rows)

    def between(self, first: int, last: int, last_by_series: dict[str, int] | None = None) -> Targets:
        """The rows whose last year lies in ``first..last`` (``last_by_series``: another last year for some
        series, e.g. ``{"repatriated": 2023}``)."""
        ends = self.rows["series"].map(last_by_series or {}).fillna(last)
        keep = (self.rows["year_to"] >= first) & (self.rows["year_to"] <= ends)
        return Targets(self.rows.loc[keep].reset_index(drop=True))

    @property
    def last_year(self) -> int:
        """The last year any row covers."""
        return int(self.rows["year_to"].max())


def check_directory(directory: str | Path | None) -> Path | None:
    """``directory`` as a Path if it is a folder with every file calibration reads; else InputError."""
    if directory is None:
        return None
    path = Path(directory)
    if not path.is_dir():
        raise InputError(str(path), "--observed", "not a directory", "a folder of CSV files like shared/data")
    for name in FILES:
        if not (path / name).is_file():
            raise InputError(str(path / name), "file", "not found", f"a CSV named {name} in {path}")
    return path


def load_targets(directory: str | Path | None = None, first: int = FIRST_YEAR, last: int = 2015,
                 last_by_series: dict[str, int] | None = None) -> Targets:
    """All observed rows whose last year is in ``first..last`` (or ``first..last_by_series[series]``), from
    ``directory`` (default: package data).

    A missing file or column raises :class:`InputError` naming the file and the column.
    """
    d = check_directory(directory)
    parts = [_arrivals(d), _women(d), _fees(d), _guard_cut(d), _commission(d), _stock(d), _repatriated(d)]
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True)
    rows = rows.sort_values(["series", "year_to", "year_from"], key=_series_order, kind="stable")
    return Targets(rows.reset_index(drop=True)).between(first, last, last_by_series)


def arrivals_by_year(directory: str | Path | None = None) -> dict[int, float]:
    """Observed national arrivals in South Korea per year from 1999 (persons; the cumulative 1998 row left out),
    from ``directory`` (default: package data)."""
    rows = _arrivals(check_directory(directory))
    return {int(y): float(v) for y, v in zip(rows["year_to"], rows["value"], strict=True)}


def _repatriated(d: Path | None) -> pd.DataFrame:
    t = repatriation_points(d)
    return _finish(pd.DataFrame({
        "series": "repatriated", "year_from": t["year"], "year_to": t["year"], "city": "",
        "low": t["low"], "high": np.where(t["whole_year"], t["high"], np.inf), "source": t["source_citation"],
    }))  # fmt: skip


def make_targets(records: list[dict]) -> Targets:
    """Targets from dicts with keys series, year_from, year_to, low, high (city, source optional)."""
    rows = pd.DataFrame([{"city": "", "source": "", **r} for r in records])
    return Targets(_finish(rows))


def _series_order(col: pd.Series) -> pd.Series:
    return col.map({s: i for i, s in enumerate(SERIES)}) if col.name == "series" else col


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["low"], df["high"] = df["low"].astype(float), df["high"].astype(float)
    df = df.loc[df["low"].notna() & df["high"].notna()]
    upper = (df["low"] == 0) & (df["high"] > 0)  # "at most": [0, high]
    df["value"] = np.where(np.isinf(df["high"]), df["low"], np.where(upper, df["high"], (df["low"] + df["high"]) / 2))
    df["year_from"], df["year_to"] = df["year_from"].astype("int64"), df["year_to"].astype("int64")
    bad = sorted(set(df["series"]) - set(SERIES))
    if bad:
        raise InputError("targets", "series", f"unknown series {bad}", ", ".join(SERIES))
    return df[list(COLUMNS)]


def _arrivals(d: Path | None) -> pd.DataFrame:
    t = arrivals_south_korea(d)
    t = t.loc[~t["cumulative"]]
    return _finish(pd.DataFrame({
        "series": "arrivals", "year_from": t["year"], "year_to": t["year"], "city": "",
        "low": t["total"], "high": t["total"], "source": t["source_id"],
    }))  # fmt: skip


def _women(d: Path | None) -> pd.DataFrame:
    t = arrivals_south_korea(d)
    t = t.loc[~t["cumulative"] & t["share_female"].notna()]
    split = pd.DataFrame({"year": t["year"], "share": t["share_female"], "source": t["source_id"]})
    extra = women_share_arrivals(d).rename(columns={"source_citation": "source"})
    extra = extra.loc[~extra["year"].isin(split["year"])]
    both = pd.concat([split, extra], ignore_index=True)
    return _finish(pd.DataFrame({
        "series": "women_share", "year_from": both["year"], "year_to": both["year"], "city": "",
        "low": both["share"], "high": both["share"], "source": both["source"],
    }))  # fmt: skip


def _city(place: str) -> str:
    return place if place in ("Hoeryong", "Hyesan") else ""


def _fees(d: Path | None) -> pd.DataFrame:
    t = broker_fee_points(d)
    series = t["kind"].map({"broker_fee": "broker_fee", "guard_bribe": "crossing_bribe"})
    low, high = _bounded(t["low_cny"], t["high_cny"], t["bound"])
    return _finish(pd.DataFrame({
        "series": series, "year_from": t["year"], "year_to": t["year"], "city": t["place"].map(_city),
        "low": low, "high": high, "source": t["source"],
    }))  # fmt: skip


def _bounded(low: pd.Series, high: pd.Series, bound: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The interval a printed amount stands for: ``[low, inf)`` if it is a lower bound ("at least"), ``[0, high]``
    if an upper bound ("at most"), else ``[low, high]`` as printed."""
    return (np.where(bound == "at most", 0.0, low).astype(float),
            np.where(bound == "at least", np.inf, high).astype(float))


def _guard_cut(d: Path | None) -> pd.DataFrame:
    t = guard_cut_points(d)
    end = t["period_end_year"].astype("int64")
    start = t["period_start_year"].fillna(end - (OPEN_START_YEARS - 1)).astype("int64")
    return _finish(pd.DataFrame({
        "series": "guard_cut", "year_from": start, "year_to": end, "city": t["place"].map(_city),
        "low": t["low"], "high": t["high"], "source": t["source_id"],
    }))  # fmt: skip


def _commission(d: Path | None) -> pd.DataFrame:
    t = remittance_commission_points(d)
    low, high = _bounded(t["low"], t["high"], t["bound"])
    return _finish(pd.DataFrame({
        "series": "remittance_commission", "year_from": t["year"], "year_to": t["year"], "city": t["place"].map(_city),
        "low": low, "high": high, "source": t["source"],
    }))  # fmt: skip


def _stock(d: Path | None) -> pd.DataFrame:
    t = china_stock_intervals(d)
    high = np.where(t["area"] == "Yanbian", np.inf, t["high"])
    return _finish(pd.DataFrame({
        "series": "china_stock", "year_from": t["year"], "year_to": t["year"], "city": "",
        "low": t["low"], "high": high, "source": t["source_citation"],
    }))  # fmt: skip
