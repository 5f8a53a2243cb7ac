"""Lists of agents the daily phases visit: smugglers at home, and people in China or detained."""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.engine import slots as S
from nkborder.engine.state import Households, People


@njit(cache=True)
def tracked_people(people: People, capacity: int) -> tuple[np.ndarray, int]:
    """Everyone in China or detained, in a buffer of ``capacity`` with room for the month's new cases."""
    out = np.empty(capacity, np.int64)
    k = 0
    for i in range(people.count[0]):
        s = people.status[i]
        if s == S.IN_CHINA or s == S.DETAINED:
            out[k] = i
            k += 1
    return out, k


@njit(cache=True)
def resident_smugglers(people: People, hh: Households) -> np.ndarray:
    """Person indices of the households' smugglers who are at home."""
    out = np.empty(hh.smuggler.shape[0], np.int64)
    k = 0
    for h in range(hh.smuggler.shape[0]):
        i = hh.smuggler[h]
        if i >= 0 and people.status[i] == S.RESIDENT:
            out[k] = i
            k += 1
    return out[:k]
