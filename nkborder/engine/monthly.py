"""The monthly person pass: demography, information, intentions and the daily tracking list in one loop.

After the census and the household budgets, four monthly phases visit people: demography (everyone alive and
not in South Korea), information and defection (residents), tracking (people in China or detained). They read
nothing that another person's step of the same phases writes, so one loop over people applies them in turn to
each person, in the order of the step plan, and gives the same result as four loops: a person's deaths and
births draw first, then (if still at home) their information and discontent, then their intention. Children
born this month are appended to the arrays and visited after everyone else, for information only (as in
separate loops): the loop runs on to the new end of the arrays and skips demography and defection from the
first child's row on. The per-person rules are in the submodels: :func:`~nkborder.model.demography.death` and
:func:`~nkborder.model.demography.add_child`; :func:`~nkborder.model.information.fresh_information` (the same
for the members of a household, so computed once per household, except for a smuggler),
:func:`~nkborder.model.information.information` and :func:`~nkborder.model.information.discontent_target`;
:func:`~nkborder.model.defection.attempt_probability`. Their logistic function is
:func:`nkborder.core.fastexp.logistic` (the C library's ``exp``, inlined).

The arrays are taken out of the named tuples once, before the loop: numba otherwise counts references to them
inside a loop with this many branches, which costs more than the work itself. What a person reads of their
household is copied first into one 32-byte row per household (:data:`HOUSEHOLD_ROW`), and the row of the person a
few rows ahead is prefetched (:mod:`nkborder.core.prefetch`): the children's rows point to scattered households,
and one cache line then serves what five arrays would each have to fetch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.prefetch import AHEAD, prefetch
from nkborder.core.rng import ATTEMPT, ATTEMPT_DAY, BIRTH, BIRTH_SEX, DEATH, RISK, stream_key, uniform
from nkborder.core.state import CityState, Households, KernelParams, People
from nkborder.model.common import set_status
from nkborder.model.defection import CROSS_AGE_DAYS, attempt_probability, intent_coefficients
from nkborder.model.demography import (
    DIES_OF_HUNGER,
    SURVIVES,
    UNDER_5_DAYS,
    VitalRates,
    add_child,
    can_give_birth,
    death,
    hunger_death_probability,
)
from nkborder.model.information import discontent_target, fresh_information, information
from nkborder.model.livelihoods import hunger
from nkborder.model.policy import Environment


class Conditions(NamedTuple):
    """The conditions of the month's first day that the person pass reads, per city (rows of the environment)."""

    contact: np.ndarray  # share of phone calls with kin abroad that get through
    tolerance: np.ndarray  # market tolerance
    risk: np.ndarray  # risk index of a crossing
    coping: np.ndarray  # share of food needs that coping covers


def conditions(env: Environment, day: int) -> Conditions:
    """The person pass's :class:`Conditions` on ``day`` (passing four rows instead of the whole environment keeps
    the kernel's Python wrapper, and so its first compile, smaller)."""
    return Conditions(env.contact[day], env.tolerance[day], env.risk[day], env.coping[day])


#: What the person pass reads of a person's household, as one row per household (32 bytes: half a cache line, and
#: numba's arrays are 32-byte aligned, so a row never straddles two lines). Filled before the loop over people.
HOUSEHOLD_ROW = np.dtype([
    ("kin", np.float64),  # 1.0 if a member is in China or South Korea (monthly census), else 0.0
    ("fresh", np.float64),  # the month's fresh information of the members who do not smuggle
    ("p_hunger", np.float64),  # probability per month that a member at home dies of hunger
    ("hardship", np.float32),  # the household's hardship (the float32 of ``Households.hardship``, unchanged)
    ("own_smuggler", np.int32),  # the smuggler of a household that does not trade (-1: none, or a trader household)
], align=True)


class PersonLists(NamedTuple):
    """The lists the monthly person pass writes (person indices; each as long as the people arrays)."""

    schedule: np.ndarray  # int64, the month's planned crossings, sorted by day
    schedule_day: np.ndarray  # int64, the day of each
    tracked: np.ndarray  # int64, people in China or detained, in person order


@njit(cache=True)
def people_month(
    month: int, day: int, days_in_month: int, seed: np.uint64, people: People, hh: Households, cities: CityState,
    today: Conditions, kp: KernelParams, vital: VitalRates, lists: PersonLists, daily: np.ndarray,
    monthly: np.ndarray,
) -> tuple[int, int, int]:
    """Deaths and births, information and discontent, intentions, and the list of people in China or detained.

    Uses the conditions of ``day`` (the month's first day), ``today``. Writes the planned attempts into
    ``lists.schedule`` and ``lists.schedule_day`` sorted by day (ties in person order), the people in China or
    detained into ``lists.tracked`` (person order), the month's means of information, discontent and intention
    into ``monthly[month]``, and deaths, births and phone contacts into ``daily[day]``. Returns (births that found
    no room, attempts planned, people tracked).
    """
    schedule, schedule_day, tracked = lists.schedule, lists.schedule_day, lists.tracked
    key_d = stream_key(seed, DEATH, month)
    key_b = stream_key(seed, BIRTH, month)
    key_s = stream_key(seed, BIRTH_SEX, month)
    key_r = stream_key(seed, RISK, month)
    key_a = stream_key(seed, ATTEMPT, month)
    key_t = stream_key(seed, ATTEMPT_DAY, month)
    fertility, death_by_age, hunger_rate = vital.fertility, vital.death_by_age, kp.hunger_death_rate
    p_birth = fertility / 12.0
    contact, tolerance, risk, coping = today.contact, today.tolerance, today.risk, today.coping
    decay, w_kin, w_market, w_inminban = kp.info_decay, kp.info_kin, kp.info_market, kp.info_inminban
    d_intercept, d_info, d_hardship, d_rate = (kp.discontent_intercept, kp.discontent_info,
                                               kp.discontent_hardship, kp.discontent_rate)
    intent = intent_coefficients(kp)
    # the arrays, taken out of the named tuples once (keeps numba's reference counting out of the loop)
    status, listed, city, household, birth_day = (people.status, people.listed, people.city, people.household,
                                                  people.birth_day)
    female, risk_aversion, info_of, discontent_of, attempt_prob = (people.female, people.risk_aversion,
                                                                  people.info, people.discontent,
                                                                  people.attempt_prob)
    n_china, n_south_korea, trader, smuggler, inminban, hardship = (hh.n_china, hh.n_south_korea, hh.trader,
                                                                    hh.smuggler, hh.inminban, hh.hardship)
    # what members of a household share: kin abroad and the fresh information of those who do not smuggle;
    # the smuggler of a household that does not trade gets more (market work), so is computed on its own
    inminban_info, hh_city = cities.inminban_info, hh.city
    n_h = hh_city.shape[0]
    n_c = monthly.shape[1]
    n_home = hh.n_home
    calls = np.zeros(n_c)  # the month's phone contacts with kin abroad that got through, per city
    rows = np.empty(n_h, HOUSEHOLD_ROW)
    for h in range(n_h):
        c = hh_city[h]
        kin = 1.0 if n_china[h] + n_south_korea[h] > 0 else 0.0
        works_market = 1.0 if trader[h] == 1 else 0.0
        if kin > 0.0 and n_home[h] > 0:
            calls[c] += contact[c]
        row = rows[h]
        row.kin = kin
        row.fresh = fresh_information(kin, works_market, contact[c], tolerance[c], inminban_info[inminban[h]],
                                      w_kin, w_market, w_inminban)
        row.p_hunger = hunger_death_probability(hunger_rate, hunger(hardship[h], coping[c]))
        row.hardship = hardship[h]
        row.own_smuggler = -1 if trader[h] == 1 else smuggler[h]
    for c in range(n_c):
        daily[day, c, S.PHONE_CONTACTS] += calls[c]
    # per-city sums, each added to in person order; the current city's are kept in locals
    sums = np.zeros((n_c, 5))  # information, discontent, residents, intention, residents aged 15-65
    cur = -1
    s_info, s_disc, s_n, s_p, s_pn = 0.0, 0.0, 0.0, 0.0, 0.0
    # k is an int64 from the start: a literal 0 would make numba compile _sort_by_day a second time, for that type
    lost, k, n_tracked = 0, np.int64(0), 0
    n = people.count[0]  # rows from n on are this month's newborns: information only (too young to cross)
    count = n
    for i in range(status.shape[0]):
        if i >= count:
            break
        # the household of the person AHEAD rows on, into the cache (newborns' households are scattered)
        prefetch(rows, household[min(i + AHEAD, count - 1)])
        if i < n:
            s = status[i]
            listed[i] = 0
            if s == S.DEAD or s == S.IN_SOUTH_KOREA:
                continue
            c = city[i]
            age = day - birth_day[i]
            # demography
            fate = death(key_d, i, age, death_by_age, rows[household[i]].p_hunger if s == S.RESIDENT else 0.0)
            if fate != SURVIVES:
                set_status(people, cities, i, S.DEAD)
                daily[day, c, S.DEATHS] += 1
                if fate == DIES_OF_HUNGER:
                    daily[day, c, S.DEATHS_HUNGER] += 1
                if age < UNDER_5_DAYS:
                    daily[day, c, S.DEATHS_UNDER_5] += 1
                continue
            if s != S.RESIDENT:
                # tracking
                tracked[n_tracked] = i
                listed[i] = 1
                n_tracked += 1
                continue
            # everyone's birth draw first: it is rarely below p_birth, while whether a resident may give birth
            # (a woman of 18-45) is a coin toss from one person to the next that the CPU cannot predict
            u = uniform(key_b, i)
            if u < p_birth and can_give_birth(female[i], age):
                if not add_child(people, cities, i, u, day, days_in_month, fertility, key_s, key_r, daily):
                    lost += 1
                count = people.count[0]
        else:
            c = city[i]
            age = day - birth_day[i]
        # information
        if c != cur:
            if cur >= 0:
                sums[cur, 0], sums[cur, 1], sums[cur, 2], sums[cur, 3], sums[cur, 4] = s_info, s_disc, s_n, s_p, s_pn
            cur = c
            s_info, s_disc, s_n, s_p, s_pn = sums[c, 0], sums[c, 1], sums[c, 2], sums[c, 3], sums[c, 4]
        h = household[i]
        row = rows[h]
        kin = row.kin
        fresh = row.fresh
        if row.own_smuggler == i:
            fresh = fresh_information(kin, 1.0, contact[c], tolerance[c], inminban_info[inminban[h]], w_kin,
                                      w_market, w_inminban)
        info = information(info_of[i], fresh, decay)
        target = discontent_target(info, row.hardship, d_intercept, d_info, d_hardship)
        info_of[i] = info
        discontent_of[i] += d_rate * (target - discontent_of[i])
        s_info += info
        s_disc += discontent_of[i]
        s_n += 1.0
        # defection
        if CROSS_AGE_DAYS[0] <= age < CROSS_AGE_DAYS[1]:
            p = attempt_probability(row.hardship, discontent_of[i], info_of[i], kin, female[i], risk_aversion[i],
                                    risk[c], intent)
            attempt_prob[i] = p
            s_p += p
            s_pn += 1.0
            if uniform(key_a, i) < p:
                schedule[k] = i
                schedule_day[k] = day + int(uniform(key_t, i) * days_in_month)
                k += 1
    if cur >= 0:
        sums[cur, 0], sums[cur, 1], sums[cur, 2], sums[cur, 3], sums[cur, 4] = s_info, s_disc, s_n, s_p, s_pn
    for c in range(n_c):
        if sums[c, 2] > 0:
            monthly[month, c, S.INFO_MEAN] = sums[c, 0] / sums[c, 2]
            monthly[month, c, S.DISCONTENT_MEAN] = sums[c, 1] / sums[c, 2]
        if sums[c, 4] > 0:
            monthly[month, c, S.INTENT_MEAN] = sums[c, 3] / sums[c, 4]
    _sort_by_day(schedule, schedule_day, k, day, days_in_month)
    return lost, k, n_tracked


@njit(cache=True)
def _sort_by_day(schedule: np.ndarray, schedule_day: np.ndarray, k: int, day: int, days_in_month: int) -> None:
    """Sort the first ``k`` planned attempts by day, keeping person order within a day (a counting sort)."""
    start = np.zeros(days_in_month + 1, np.int64)
    for j in range(k):
        start[schedule_day[j] - day + 1] += 1
    for d in range(days_in_month):
        start[d + 1] += start[d]
    people = schedule[:k].copy()
    days = schedule_day[:k].copy()
    for j in range(k):
        pos = start[days[j] - day]
        schedule[pos] = people[j]
        schedule_day[pos] = days[j]
        start[days[j] - day] += 1
