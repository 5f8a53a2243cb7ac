"""Lists of agents the daily phases visit: smugglers at home, and people in China or detained.

The monthly person pass (:func:`nkborder.engine.monthly.people_month`) lists the people in China or detained;
:func:`track` adds the month's new cases to that list.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.state import Households, People


@njit(cache=True, inline="always")
def track(people: People, active: np.ndarray, n_active: int, i: int) -> int:
    """Add person ``i`` to the daily list unless already on it; returns the new length."""
    if people.listed[i] == 0:
        if n_active >= active.shape[0]:
            raise IndexError("daily tracking list is full")
        people.listed[i] = 1
        active[n_active] = i
        n_active += 1
    return n_active


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
