"""Frames like the engine's, a run's record, and child processes, shared by the store tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

CITIES = ["Hoeryong", "Hyesan"]
RUN = {
    "scenario_name": "history", "scenario_text": 'name = "history"\n', "params": {"detect_base": 0.3, "n": 4},
    "seed": 7, "scale": 0.05, "start": date(1995, 1, 1), "end": date(1997, 12, 31), "code_version": "0.1.0",
}

def frame(key: str, periods: pd.Index | np.ndarray, seed: int = 0, n_extra: int = 3) -> pd.DataFrame:
    """A wide table like the engine's: key, city, then indicators of mixed dtypes in no alphabetical order."""
    rng = np.random.default_rng(seed)
    n = len(periods) * len(CITIES)
    df = pd.DataFrame({key: np.repeat(np.asarray(periods), len(CITIES)), "city": CITIES * len(periods)})
    df["city"] = df["city"].astype(str)
    df["population"] = rng.integers(1_000, 2_000, n).astype(np.int64)
    df["crossings_attempted"] = rng.poisson(3.0, n).astype(np.float64)
    df["income_gini"] = rng.random(n)
    df.loc[1, "income_gini"] = np.nan
    df["closed"] = rng.random(n) < 0.5
    df["arrests_at_border"] = rng.integers(0, 9, n).astype(np.int32)
    for i in range(n_extra):
        df[f"z_extra_{i}"] = rng.normal(size=n)
    df["a_last"] = rng.random(n) * 1e9
    return df

def yearly(seed: int = 0, **kw: int) -> pd.DataFrame:
    return frame("year", np.arange(1995, 1998, dtype=np.int64), seed, **kw)

def monthly(seed: int = 0) -> pd.DataFrame:
    return frame("date", pd.date_range("1995-01-01", "1997-12-01", freq="MS"), seed)

def daily(seed: int = 0) -> pd.DataFrame:
    return frame("date", pd.date_range("1995-01-01", "1997-12-31", freq="D"), seed)

def sectors(seed: int = 0, n_sectors: int = 4) -> pd.DataFrame:
    """Like the engine's per-sector table: one row per month, city and sector (date, city, sector order)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("1995-01-01", "1996-12-01", freq="MS")
    n = len(months) * len(CITIES) * n_sectors
    df = pd.DataFrame({
        "date": np.repeat(months.to_numpy(), len(CITIES) * n_sectors),
        "city": np.tile(np.repeat(CITIES, n_sectors), len(months)),
        "sector": np.tile(np.arange(n_sectors, dtype=np.int64), len(months) * len(CITIES)),
    })
    df["city"] = df["city"].astype(str)
    df["crossings_attempted"] = rng.poisson(2.0, n).astype(np.float64)
    df["crossings_succeeded"] = rng.integers(0, 3, n).astype(np.int64)
    df["arrests_at_border"] = rng.random(n)
    df.loc[3, "arrests_at_border"] = np.nan
    df["closed"] = rng.random(n) < 0.3
    return df

def districts(seed: int = 0, n_districts: int = 3) -> pd.DataFrame:
    """Like the engine's per-district table: one row per year, city and district."""
    rng = np.random.default_rng(seed)
    years = np.arange(1995, 1998, dtype=np.int64)
    n = len(years) * len(CITIES) * n_districts
    df = pd.DataFrame({
        "year": np.repeat(years, len(CITIES) * n_districts),
        "city": np.tile(np.repeat(CITIES, n_districts), len(years)),
        "district": np.tile(np.arange(n_districts, dtype=np.int64), len(years) * len(CITIES)),
    })
    df["city"] = df["city"].astype(str)
    df["population"] = rng.integers(100, 900, n).astype(np.int64)
    df["discontent_mean"] = rng.random(n)
    df["hardship_mean"] = rng.random(n)
    df.loc[2, "hardship_mean"] = np.nan
    df["info_mean"] = rng.random(n)
    return df

def run_in_child(code: str, db: Path, **kw) -> subprocess.Popen:
    """Start a Python process running ``code`` with ``DB`` bound to the results file path."""
    src = f"from pathlib import Path\nDB = Path({str(db)!r})\n" + textwrap.dedent(code)
    return subprocess.Popen([sys.executable, "-c", src], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)

def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
