"""Demography (monthly): deaths at a flat hazard plus famine excess, births to women aged 18-45.

Mortality is age-independent (an assumption; ODD "Submodels: demography"); people over 85 die. A newborn joins
its mother's household, with a risk aversion drawn as the median of three uniforms, which is Beta(2, 2) like
the initial population's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.engine import slots as S
from nkborder.engine.rng import BIRTH, BIRTH_SEX, DEATH, RISK, stream_key, uniform
from nkborder.engine.state import CityState, People
from nkborder.model.common import set_status

BIRTH_AGE_DAYS = (18.0 * 365.25, 45.0 * 365.25)
MAX_AGE_DAYS = 85.0 * 365.25
FEMALE_AT_BIRTH = 0.49  # assumption (about 105 boys per 100 girls)


@njit(cache=True)
def births_and_deaths(
    month: int, day: int, days_in_month: int, seed: np.uint64, people: People, cities: CityState,
    death_rate: float, famine_death: np.ndarray, fertility: float, daily: np.ndarray,
) -> int:
    """Deaths and births of one month; returns how many births found no room (should be 0).

    ``death_rate`` and ``fertility`` (births per woman aged 18-45) are per year; ``famine_death`` is the extra
    death rate per year per city on ``day``.
    """
    key_d = stream_key(seed, DEATH, month)
    key_b = stream_key(seed, BIRTH, month)
    key_s = stream_key(seed, BIRTH_SEX, month)
    key_r = stream_key(seed, RISK, month)
    n = people.count[0]
    capacity = people.status.shape[0]
    lost = 0
    p_death_city = 1.0 - np.exp(-(death_rate + famine_death) / 12.0)  # per city, once a month
    for i in range(n):
        s = people.status[i]
        if s == S.DEAD or s == S.IN_SOUTH_KOREA:
            continue
        c = people.city[i]
        age = day - people.birth_day[i]
        if age >= MAX_AGE_DAYS or uniform(key_d, i) < p_death_city[c]:
            set_status(people, cities, i, S.DEAD)
            daily[day, c, S.DEATHS] += 1
            continue
        if s != S.RESIDENT or not people.female[i] or not BIRTH_AGE_DAYS[0] <= age < BIRTH_AGE_DAYS[1]:
            continue
        u = uniform(key_b, i)
        if u >= fertility / 12.0:
            continue
        j = people.count[0]
        if j >= capacity:
            lost += 1
            continue
        people.count[0] = j + 1
        people.city[j] = c
        people.household[j] = people.household[i]
        people.female[j] = 1 if uniform(key_s, i) < FEMALE_AT_BIRTH else 0
        people.birth_day[j] = day + int(u * 12.0 / fertility * days_in_month) % days_in_month
        people.status[j] = S.RESIDENT
        people.release_day[j] = -1
        people.risk_aversion[j] = _median3(uniform(key_r, i), uniform(key_r, i + capacity),
                                           uniform(key_r, i + 2 * capacity))
        people.info[j] = 0.0
        people.discontent[j] = people.discontent[i]
        people.attempt_prob[j] = 0.0
        people.savings_cny[j] = 0.0
        people.crossed_day[j] = -1
        people.listed[j] = 0
        cities.status_counts[c, S.RESIDENT] += 1
        daily[day, c, S.BIRTHS] += 1
    return lost


@njit(cache=True)
def _median3(a: float, b: float, c: float) -> float:
    """Median of three numbers (of three uniforms: a Beta(2, 2) draw)."""
    return max(min(a, b), min(max(a, b), c))
