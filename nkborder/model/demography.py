"""Demography (monthly): deaths at a flat hazard plus famine excess, births to women aged 18-45.

Mortality is age-independent (an assumption; ODD "Submodels: demography"); people over 85 die. A newborn joins
its mother's household, with a risk aversion drawn as the median of three uniforms, which is Beta(2, 2) like
the initial population's.

The rules for one person are :func:`dies`, :func:`can_give_birth` and :func:`add_child`; the monthly person pass
(:func:`nkborder.engine.monthly.people_month`) applies them to everyone alive and not in South Korea.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.rng import uniform
from nkborder.core.state import CityState, People, reset_person

BIRTH_AGE_DAYS = (18.0 * 365.25, 45.0 * 365.25)
MAX_AGE_DAYS = 85.0 * 365.25
FEMALE_AT_BIRTH = 0.49  # assumption (about 105 boys per 100 girls)


@njit(cache=True, inline="always")
def death_probability(death_rate: float, famine_death: np.ndarray) -> np.ndarray:
    """Probability of dying this month per city: ``death_rate`` plus ``famine_death`` (per year, per city)."""
    return 1.0 - np.exp(-(death_rate + famine_death) / 12.0)


@njit(cache=True, inline="always")
def dies(key_d: np.int64, i: int, age: int, p_death: float) -> bool:
    """Whether person ``i``, ``age`` days old, dies this month (``key_d``: the month's death stream)."""
    return age >= MAX_AGE_DAYS or uniform(key_d, i) < p_death


@njit(cache=True, inline="always")
def can_give_birth(female: int, age: int) -> bool:
    """Whether a resident may give birth: a woman aged 18-45 (``age`` in days)."""
    return female != 0 and BIRTH_AGE_DAYS[0] <= age < BIRTH_AGE_DAYS[1]


@njit(cache=True)
def add_child(
    people: People, cities: CityState, i: int, u: float, day: int, days_in_month: int, fertility: float,
    key_s: np.int64, key_r: np.int64, daily: np.ndarray,
) -> bool:
    """Mother ``i`` gives birth this month (``u`` < ``fertility`` / 12 was her draw); False if there is no room.

    The child is appended to the people arrays with every attribute at its declared fill
    (:data:`~nkborder.core.state.PEOPLE_FIELDS`), then put in the mother's household, with her discontent; its
    birth day falls within the month.
    """
    j = people.count[0]
    capacity = people.status.shape[0]
    if j >= capacity:
        return False
    c = people.city[i]
    people.count[0] = j + 1
    reset_person(people, j)
    people.city[j] = c
    people.household[j] = people.household[i]
    people.female[j] = 1 if uniform(key_s, i) < FEMALE_AT_BIRTH else 0
    people.birth_day[j] = day + int(u * 12.0 / fertility * days_in_month) % days_in_month
    people.status[j] = S.RESIDENT
    people.risk_aversion[j] = _median3(uniform(key_r, i), uniform(key_r, i + capacity),
                                       uniform(key_r, i + 2 * capacity))
    people.discontent[j] = people.discontent[i]
    cities.status_counts[c, S.RESIDENT] += 1
    daily[day, c, S.BIRTHS] += 1
    return True


@njit(cache=True)
def _median3(a: float, b: float, c: float) -> float:
    """Median of three numbers (of three uniforms: a Beta(2, 2) draw)."""
    return max(min(a, b), min(max(a, b), c))
