"""Records by place inside a city: river sectors (monthly flows) and districts (yearly snapshots).

Sectors: the kernels add every crossing attempt, outcome, smuggling trip and guard bribe to
``sectors[month, sector, SECTOR_SLOT]`` (sectors numbered across cities, ``Guards.sector_start``).
Districts: at the end of every year :func:`district_snapshot` counts the members of each district's households
by status and averages the residents' hardship, discontent and information. Both become tables with one row per
period, city and place (:func:`sector_table`, :func:`district_table`); counts are in simulated persons with
``_full`` columns rescaled to the full population, like the city tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit

from nkborder.core import slots as S
from nkborder.core.state import Households, People

DISTRICT_COUNTS = ("population", "in_china", "in_south_korea", "detained")
N_DISTRICT = len(S.DISTRICT_NAMES)


@njit(cache=True)
def district_snapshot(people: People, hh: Households, n_cities: int, n_districts: int) -> np.ndarray:
    """``[city, district, DISTRICT_NAMES]`` for the state now: members by status, residents' means.

    A person belongs to the district of their household wherever they are (at home, in China, in South Korea
    or detained at home); the dead and people held in Chinese detention are not counted. Means are over
    residents (NaN for a district with none).
    """
    out = np.zeros((n_cities, n_districts, N_DISTRICT))
    for i in range(people.count[0]):
        s = people.status[i]
        if s == S.DEAD or s == S.DETAINED_IN_CHINA:
            continue
        h = people.household[i]
        c, k = hh.city[h], hh.district[h]
        out[c, k, s] += 1.0  # statuses RESIDENT ... DETAINED are 0 ... 3, the first four columns
        if s == S.RESIDENT:
            out[c, k, 4] += hh.hardship[h]
            out[c, k, 5] += people.discontent[i]
            out[c, k, 6] += people.info[i]
    for c in range(n_cities):
        for k in range(n_districts):
            for j in range(4, N_DISTRICT):
                out[c, k, j] = out[c, k, j] / out[c, k, 0] if out[c, k, 0] > 0 else np.nan
    return out


def sector_table(
    sectors: np.ndarray, months: pd.Series, cities: tuple[str, ...], sector_start: np.ndarray, scale: float
) -> pd.DataFrame:
    """One row per month (``months``: the first day of each, as in the monthly table), city and sector."""
    dates = pd.Series(months).reset_index(drop=True)
    frames = []
    for c, city in enumerate(cities):
        a, b = int(sector_start[c]), int(sector_start[c + 1])
        values = sectors[:, a:b, :].reshape(-1, S.N_SECTOR)
        frame = pd.DataFrame(values, columns=list(S.SECTOR_NAMES))
        frame.insert(0, "sector", np.tile(np.arange(b - a, dtype=np.int64), len(dates)))
        frame.insert(0, "city", city)
        frame.insert(0, "date", np.repeat(dates.to_numpy(), b - a))
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True).sort_values(["date", "city", "sector"], kind="stable")
    return _with_full(out.reset_index(drop=True), S.SECTOR_NAMES, scale)


def district_table(snapshots: dict[int, np.ndarray], cities: tuple[str, ...], n_districts: np.ndarray,
                   scale: float) -> pd.DataFrame:
    """One row per year, city and district with the end-of-year snapshot."""
    frames = []
    for year, snap in sorted(snapshots.items()):
        for c, city in enumerate(cities):
            k = int(n_districts[c])
            frame = pd.DataFrame(snap[c, :k, :], columns=list(S.DISTRICT_NAMES))
            frame.insert(0, "district", np.arange(k, dtype=np.int64))
            frame.insert(0, "city", city)
            frame.insert(0, "year", year)
            frames.append(frame)
    columns = ["year", "city", "district", *S.DISTRICT_NAMES]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out["year"] = out["year"].astype("int64")
    return _with_full(out, DISTRICT_COUNTS, scale)


def _with_full(df: pd.DataFrame, counts: tuple[str, ...], scale: float) -> pd.DataFrame:
    for name in counts:
        df[f"{name}_full"] = df[name] / scale
    return df
