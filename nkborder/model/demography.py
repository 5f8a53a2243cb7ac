"""Demography (monthly): deaths by age and from hunger, births to women aged 18-45.

The death rate grows with age (Gompertz: ``scale x exp(mortality_age_slope x age)``, plus
``infant_death_rate`` in the first year of life); ``scale`` is set so that the initial population's crude death
rate is ``death_rate``. People over 85 die. A resident also dies of hunger at the yearly rate
``hunger_death_rate x hardship^2`` of their household (hardship of the month that ended): famine deaths follow
hunger rather than a calendar. A newborn joins its mother's household, with a risk aversion drawn as the median
of three uniforms, which is Beta(2, 2) like the initial population's.

The rules for one person are :func:`death`, :func:`can_give_birth` and :func:`add_child`; the monthly person pass
(:func:`nkborder.engine.monthly.people_month`) applies them to everyone alive and not in South Korea, with the
run's :class:`VitalRates` (:func:`vital_rates`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.rng import uniform
from nkborder.core.state import CityState, People, reset_person
from nkborder.params import Params

BIRTH_AGE_DAYS = (18.0 * 365.25, 45.0 * 365.25)
MAX_AGE_DAYS = 85.0 * 365.25
FEMALE_AT_BIRTH = 0.49  # assumption (about 105 boys per 100 girls)
UNDER_5_DAYS = 5.0 * 365.25
SURVIVES, DIES, DIES_OF_HUNGER = 0, 1, 2


class VitalRates(NamedTuple):
    """Birth and death rates of a run, fixed at its start."""

    fertility: float  # births per woman aged 18-45 per year
    death_by_age: np.ndarray  # probability of dying in a month by completed years of age 0-85, hunger apart


def vital_rates(params: Params, female: np.ndarray, birth_day: np.ndarray) -> VitalRates:
    """Fertility and monthly death probabilities by age that give ``birth_rate`` and ``death_rate`` (per person
    per year) in the initial population (``female``, ``birth_day``: its rows; day 0 is the run's start)."""
    age = -birth_day / 365.25
    women = np.sum((female == 1) & (age * 365.25 >= BIRTH_AGE_DAYS[0]) & (age * 365.25 < BIRTH_AGE_DAYS[1]))
    fertility = params.birth_rate * len(age) / max(1, women)
    infants = np.mean(age < 1.0) if len(age) else 0.0
    gompertz = np.mean(np.exp(params.mortality_age_slope * age)) if len(age) else 1.0
    scale = max(0.0, params.death_rate - params.infant_death_rate * infants) / gompertz
    years = np.arange(int(MAX_AGE_DAYS / 365.25) + 1) + 0.5
    hazard = scale * np.exp(params.mortality_age_slope * years) + np.where(years < 1.0, params.infant_death_rate, 0.0)
    return VitalRates(float(fertility), -np.expm1(-hazard / 12.0))


@njit(cache=True, inline="always")
def hunger_death_probability(hunger_death_rate: float, hardship: float) -> float:
    """Probability of dying of hunger this month for a resident of a household with ``hardship`` (0-1)."""
    return -np.expm1(-hunger_death_rate * hardship * hardship / 12.0) if hardship > 0.0 else 0.0


@njit(cache=True, inline="always")
def death(key_d: np.int64, i: int, age: int, death_by_age: np.ndarray, p_hunger: float) -> int:
    """Whether person ``i``, ``age`` days old, dies this month: :data:`SURVIVES`, :data:`DIES` (age-dependent
    causes, or the age limit) or :data:`DIES_OF_HUNGER` (``key_d``: the month's death stream; ``p_hunger``: 0
    for people away from home)."""
    if age >= MAX_AGE_DAYS:
        return DIES
    p_age = death_by_age[min(max(int(age / 365.25), 0), death_by_age.shape[0] - 1)]
    u = uniform(key_d, i)
    if u < p_age:
        return DIES
    if u < p_age + (1.0 - p_age) * p_hunger:
        return DIES_OF_HUNGER
    return SURVIVES


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
    (:data:`~nkborder.core.state.PEOPLE_FIELDS`), then put in the mother's household (last in its chain of
    members, ``next_member``), with her discontent; its birth day falls within the month.
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
    last = i  # the household's last member, found from the mother: the child, the highest row, follows them
    while people.next_member[last] >= 0:
        last = people.next_member[last]
    people.next_member[last] = j
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
