"""The monthly person pass: demography, information, intentions and the daily tracking list.

After the census and the household budgets, four monthly phases visit people: demography (everyone alive and
not in South Korea), information and defection (residents), tracking (people in China or detained). A person's
step reads nothing that another person's step of the same phases writes, except what births and deaths add up
(new rows, the per-city counts) and the lists and sums kept in person order, so the pass runs in three parts:

1. :func:`person_rules`, in parallel over people (numba ``prange``; threads: ``NUMBA_NUM_THREADS``, or
   :func:`numba.set_num_threads`): each person's death draw, and for a resident who survives the birth draw,
   information and discontent, the intention and the attempt draw. It writes the person's own attributes and
   the person's outcome (:class:`PassScratch`), nothing shared.
2. :func:`people_month`, in person order: deaths and births (which append rows), the tracking list, the
   planned attempts, and the per-city sums of information, discontent and intention, each added in person
   order, so that they are the same bits with any number of threads.
3. The children born this month, after everyone else, for information only (too young to cross).

The result is that of one loop applying the phases in turn to each person, in the order of the step plan: a
person's deaths and births draw first, then (if still at home) their information and discontent, then their
intention; a newborn takes its mother's discontent of before her update.

The per-person rules are in the submodels: :func:`~nkborder.model.demography.death` and
:func:`~nkborder.model.demography.add_child`; :func:`~nkborder.model.information.fresh_information` (the same
for the members of a household, so computed once per household, except for a smuggler),
:func:`~nkborder.model.information.information` and :func:`~nkborder.model.information.discontent_target`;
:func:`~nkborder.model.defection.attempt_probability`. Their logistic function is
:func:`nkborder.core.fastexp.logistic` (the C library's ``exp``, inlined).

The arrays are taken out of the named tuples once, before the loops: numba otherwise counts references to them
inside a loop with this many branches, which costs more than the work itself. The households of the people a few
rows ahead are prefetched (:mod:`nkborder.core.prefetch`): the children's rows point to scattered households,
and without it the loop waits for memory as soon as the household arrays outgrow the caches.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from nkborder.core import slots as S
from nkborder.core.jit import inner_kernel, inner_parallel_kernel
from nkborder.core.prefetch import AHEAD, prefetch
from nkborder.core.rng import ATTEMPT, ATTEMPT_DAY, BIRTH, BIRTH_SEX, DEATH, RISK, stream_key, uniform
from nkborder.core.state import CityState, Households, KernelParams, People
from nkborder.model.common import set_status
from nkborder.model.defection import CROSS_AGE_DAYS, IntentCoefficients, attempt_probability, intent_coefficients
from nkborder.model.demography import (
    DIES,
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

# A person's outcome of the month (:func:`person_month_rules`): AWAY (dead or in South Korea: not visited), the
# fates DIES and DIES_OF_HUNGER (1, 2: :mod:`nkborder.model.demography`), TRACKED (in China or detained), or AT_HOME
# with any of the flags GIVES_BIRTH, OF_AGE (aged 15-65: has an intention) and ATTEMPTS (plans a crossing).
AWAY, TRACKED, AT_HOME = 0, 3, 4
GIVES_BIRTH, OF_AGE, ATTEMPTS = 8, 16, 32
#: People per block of the parallel person rules (the blocks are shared among the threads).
BLOCK = 4096


class Conditions(NamedTuple):
    """The conditions of the month's first day that the person pass reads, per city (rows of the environment)."""

    contact: np.ndarray  # share of phone calls with kin abroad that get through
    tolerance: np.ndarray  # market tolerance
    risk: np.ndarray  # risk index of a crossing
    coping: np.ndarray  # share of food needs that coping covers


def conditions(env: Environment, day: int) -> Conditions:
    """The person pass's :class:`Conditions` on ``day``."""
    return Conditions(env.contact[day], env.tolerance[day], env.risk[day], env.coping[day])


class PersonLists(NamedTuple):
    """The lists the monthly person pass writes (person indices; each as long as the people arrays)."""

    schedule: np.ndarray  # int64, the month's planned crossings, sorted by day
    schedule_day: np.ndarray  # int64, the day of each
    tracked: np.ndarray  # int64, people in China or detained, in person order


class PassScratch(NamedTuple):
    """What :func:`person_rules` hands to the pass in person order, one row per person (reused every month)."""

    outcome: np.ndarray  # int8, the person's outcome (AWAY, DIES, ..., AT_HOME | flags)
    info: np.ndarray  # float64, a resident's information of this month, unrounded (the sums add these)
    attempt_prob: np.ndarray  # float64, the intention of a resident aged 15-65, unrounded
    discontent: np.ndarray  # float32, a resident's new discontent (a mother's is set after her child takes the old)


def allocate_scratch(capacity: int) -> PassScratch:
    """Scratch rows for ``capacity`` people."""
    return PassScratch(np.zeros(capacity, np.int8), np.zeros(capacity), np.zeros(capacity),
                       np.zeros(capacity, np.float32))


class HouseholdMonth(NamedTuple):
    """What the members of each household share this month (one row per household)."""

    kin: np.ndarray  # float64, 1.0 if a member is in China or South Korea
    fresh: np.ndarray  # float64, fresh information of the members who do not smuggle
    own_smuggler: np.ndarray  # int64, the smuggler of a household that does not trade (works the market), or -1
    smuggler_fresh: np.ndarray  # float64, that smuggler's fresh information (market work)
    hunger_death: np.ndarray  # float64, a resident's probability of dying of hunger this month


class InfoCoefficients(NamedTuple):
    """The information and discontent parameters as plain values (kept in registers in a loop over people)."""

    decay: float
    d_intercept: float
    d_info: float
    d_hardship: float
    d_rate: float


class MonthRules(NamedTuple):
    """What the person rules of a month read besides the people and their households."""

    day: int  # the month's first day
    keys: tuple[np.int64, np.int64, np.int64]  # the month's death, birth and attempt streams
    p_birth: float  # probability that a woman aged 18-45 gives birth this month
    death_by_age: np.ndarray  # float64, probability of dying this month by completed years of age
    coef: InfoCoefficients
    intent: IntentCoefficients
    risk: np.ndarray  # float64, the day's risk index per city


@njit(inline="always")
def info_coefficients(kp: KernelParams) -> InfoCoefficients:
    """The fields of ``kp`` that :func:`person_month_rules` reads for information and discontent."""
    return InfoCoefficients(kp.info_decay, kp.discontent_intercept, kp.discontent_info, kp.discontent_hardship,
                            kp.discontent_rate)


@njit(cache=True)
def people_month(
    month: int, day: int, days_in_month: int, seed: np.uint64, people: People, hh: Households, cities: CityState,
    today: Conditions, kp: KernelParams, vital: VitalRates, lists: PersonLists, scratch: PassScratch,
    daily: np.ndarray, monthly: np.ndarray, threads: int,
) -> tuple[int, int, int]:
    """Deaths and births, information and discontent, intentions, and the list of people in China or detained.

    Uses the conditions of ``day`` (the month's first day), ``today``. Writes the planned attempts into
    ``lists.schedule`` and ``lists.schedule_day`` sorted by day (ties in person order), the people in China or
    detained into ``lists.tracked`` (person order), the month's means of information, discontent and intention
    into ``monthly[month]``, and deaths, births and phone contacts into ``daily[day]``. Returns (births that found
    no room, attempts planned, people tracked). With ``threads`` > 1 (numba's threads of the caller) the person
    rules run first for everyone, in parallel (:func:`person_rules`, into ``scratch``), then the pass in person
    order (:func:`ordered_pass`); with one thread they run inside that pass. Both give the same bits.
    """
    keys = (stream_key(seed, DEATH, month), stream_key(seed, BIRTH, month), stream_key(seed, ATTEMPT, month))
    key_s = stream_key(seed, BIRTH_SEX, month)
    key_r = stream_key(seed, RISK, month)
    key_t = stream_key(seed, ATTEMPT_DAY, month)
    p_birth = vital.fertility / 12.0
    contact, tolerance = today.contact, today.tolerance
    w_kin, w_market, w_inminban = kp.info_kin, kp.info_market, kp.info_inminban
    n_china, n_south_korea, trader, smuggler, inminban, hardship = (hh.n_china, hh.n_south_korea, hh.trader,
                                                                    hh.smuggler, hh.inminban, hh.hardship)
    inminban_info, hh_city = cities.inminban_info, hh.city
    n_h = hh_city.shape[0]
    n_c = monthly.shape[1]
    n_home = hh.n_home
    calls = np.zeros(n_c)  # the month's phone contacts with kin abroad that got through, per city
    shared = HouseholdMonth(np.empty(n_h), np.empty(n_h), np.empty(n_h, np.int64), np.empty(n_h), np.empty(n_h))
    kin_of, fresh_of, own_smuggler, smuggler_fresh, hunger_of = (shared.kin, shared.fresh, shared.own_smuggler,
                                                                 shared.smuggler_fresh, shared.hunger_death)
    # the household pass: its sum of calls is added to in household order
    for h in range(n_h):
        c = hh_city[h]
        kin = 1.0 if n_china[h] + n_south_korea[h] > 0 else 0.0
        works_market = 1.0 if trader[h] == 1 else 0.0
        kin_of[h] = kin
        if kin > 0.0 and n_home[h] > 0:
            calls[c] += contact[c]
        fresh_of[h] = fresh_information(kin, works_market, contact[c], tolerance[c], inminban_info[inminban[h]],
                                        w_kin, w_market, w_inminban)
        own_smuggler[h] = -1 if trader[h] == 1 else smuggler[h]
        smuggler_fresh[h] = fresh_information(kin, 1.0, contact[c], tolerance[c], inminban_info[inminban[h]], w_kin,
                                              w_market, w_inminban)
        hunger_of[h] = hunger_death_probability(kp.hunger_death_rate, hunger(hardship[h], today.coping[c]))
    for c in range(n_c):
        daily[day, c, S.PHONE_CONTACTS] += calls[c]
    n = people.count[0]  # rows from n on are this month's newborns: information only (too young to cross)
    rules = MonthRules(day, keys, p_birth, vital.death_by_age, info_coefficients(kp), intent_coefficients(kp),
                       today.risk)
    if threads > 1:
        person_rules(n, rules, people.status, people.listed, people.city, people.household, people.birth_day,
                     people.female, people.risk_aversion, people.info, people.discontent, people.attempt_prob,
                     hh.hardship, kin_of, fresh_of, own_smuggler, smuggler_fresh, hunger_of,
                     scratch.outcome, scratch.info, scratch.attempt_prob, scratch.discontent)
    sums = np.zeros((n_c, 5))  # information, discontent, residents, intention, residents aged 15-65
    lost, k, n_tracked = ordered_pass(n, threads > 1, rules, days_in_month, people, hh.hardship, cities, shared,
                                      scratch, lists, key_s, key_r, key_t, daily, sums)
    for c in range(n_c):
        if sums[c, 2] > 0:
            monthly[month, c, S.INFO_MEAN] = sums[c, 0] / sums[c, 2]
            monthly[month, c, S.DISCONTENT_MEAN] = sums[c, 1] / sums[c, 2]
        if sums[c, 4] > 0:
            monthly[month, c, S.INTENT_MEAN] = sums[c, 3] / sums[c, 4]
    _sort_by_day(lists.schedule, lists.schedule_day, k, day, days_in_month)
    return lost, k, n_tracked


@inner_kernel
def ordered_pass(
    n: int, from_scratch: bool, rules: MonthRules, days_in_month: int, people: People, hardship: np.ndarray,
    cities: CityState, shared: HouseholdMonth, scratch: PassScratch, lists: PersonLists, key_s: np.int64,
    key_r: np.int64, key_t: np.int64, daily: np.ndarray, sums: np.ndarray,
) -> tuple[int, np.int64, int]:
    """The person pass in person order: deaths and births, the lists, and the per-city ``sums``.

    Each person's rules come from ``scratch`` (``from_scratch``: :func:`person_rules` ran first) or run here
    (:func:`person_month_rules`); then the person's death is recorded, a mother gives birth (the child is
    appended and takes her old discontent), people in China or detained are listed, planned attempts get their
    day, and a resident's information, discontent and intention are added to their city's ``sums``
    (information, discontent, residents, intention, residents aged 15-65), in person order so that the sums are
    the same bits with any number of threads. This month's newborns come last, for information only.
    Returns (births that found no room, attempts planned, people tracked); the attempts are not yet sorted.
    """
    day, keys = rules.day, rules.keys
    status, listed, city, household, birth_day = (people.status, people.listed, people.city, people.household,
                                                  people.birth_day)
    female, risk_aversion, info_of, discontent_of, attempt_prob = (people.female, people.risk_aversion,
                                                                  people.info, people.discontent,
                                                                  people.attempt_prob)
    kin_of, fresh_of, own_smuggler, smuggler_fresh, hunger_of = (shared.kin, shared.fresh, shared.own_smuggler,
                                                                 shared.smuggler_fresh, shared.hunger_death)
    outcome, info_now, p_now, new_discontent = scratch.outcome, scratch.info, scratch.attempt_prob, scratch.discontent
    schedule, schedule_day, tracked = lists.schedule, lists.schedule_day, lists.tracked
    fertility = rules.p_birth * 12.0
    # the current city's sums are kept in locals
    cur = -1
    s_info, s_disc, s_n, s_p, s_pn = 0.0, 0.0, 0.0, 0.0, 0.0
    # k is an int64 from the start: a literal 0 would make numba compile _sort_by_day a second time, for that type
    lost, k, n_tracked = 0, np.int64(0), 0
    for i in range(n):
        if from_scratch:
            o, info, p, discontent = outcome[i], info_now[i], p_now[i], new_discontent[i]
        else:
            prefetch_household(household, i, n, kin_of, fresh_of, own_smuggler, hardship, hunger_of)
            o, info, p, discontent = person_month_rules(
                i, rules, status, listed, city, household, birth_day, female, risk_aversion, info_of,
                discontent_of, attempt_prob, hardship, kin_of, fresh_of, own_smuggler, smuggler_fresh, hunger_of)
        if o == AWAY:
            continue
        c = city[i]
        if DIES <= o <= DIES_OF_HUNGER:
            set_status(people, cities, i, S.DEAD)
            daily[day, c, S.DEATHS] += 1
            if o == DIES_OF_HUNGER:
                daily[day, c, S.DEATHS_HUNGER] += 1
            if day - birth_day[i] < UNDER_5_DAYS:
                daily[day, c, S.DEATHS_UNDER_5] += 1
            continue
        if o == TRACKED:
            tracked[n_tracked] = i
            n_tracked += 1
            continue
        if o & GIVES_BIRTH:
            if not add_child(people, cities, i, uniform(keys[1], i), day, days_in_month, fertility, key_s, key_r,
                             daily):
                lost += 1
            discontent_of[i] = discontent
        if c != cur:
            if cur >= 0:
                sums[cur, 0], sums[cur, 1], sums[cur, 2], sums[cur, 3], sums[cur, 4] = s_info, s_disc, s_n, s_p, s_pn
            cur = c
            s_info, s_disc, s_n, s_p, s_pn = sums[c, 0], sums[c, 1], sums[c, 2], sums[c, 3], sums[c, 4]
        s_info += info
        s_disc += discontent
        s_n += 1.0
        if o & OF_AGE:
            s_p += p
            s_pn += 1.0
            if o & ATTEMPTS:
                schedule[k] = i
                schedule_day[k] = day + int(uniform(key_t, i) * days_in_month)
                k += 1
    # this month's newborns, in person order after everyone else: information only
    for i in range(n, people.count[0]):
        c = city[i]
        if c != cur:
            if cur >= 0:
                sums[cur, 0], sums[cur, 1], sums[cur, 2], sums[cur, 3], sums[cur, 4] = s_info, s_disc, s_n, s_p, s_pn
            cur = c
            s_info, s_disc, s_n, s_p, s_pn = sums[c, 0], sums[c, 1], sums[c, 2], sums[c, 3], sums[c, 4]
        h = household[i]
        s_info += inform(i, h, smuggler_fresh[h] if own_smuggler[h] == i else fresh_of[h], info_of, discontent_of,
                         hardship, rules.coef)
        s_disc += discontent_of[i]
        s_n += 1.0
    if cur >= 0:
        sums[cur, 0], sums[cur, 1], sums[cur, 2], sums[cur, 3], sums[cur, 4] = s_info, s_disc, s_n, s_p, s_pn
    return lost, k, n_tracked


@inner_parallel_kernel
def person_rules(
    n: int, rules: MonthRules,
    status: np.ndarray, listed: np.ndarray, city: np.ndarray, household: np.ndarray, birth_day: np.ndarray,
    female: np.ndarray, risk_aversion: np.ndarray, info_of: np.ndarray, discontent_of: np.ndarray,
    attempt_prob: np.ndarray, hardship: np.ndarray,
    kin_of: np.ndarray, fresh_of: np.ndarray, own_smuggler: np.ndarray, smuggler_fresh: np.ndarray,
    hunger_of: np.ndarray,
    outcome: np.ndarray, info_now: np.ndarray, p_now: np.ndarray, new_discontent: np.ndarray,
) -> None:
    """:func:`person_rules_block` for people ``0..n-1``, the blocks in parallel.

    The arrays come one by one, not in their named tuples: numba 0.68 drops writes in a ``prange`` body to
    arrays unpacked from a named tuple in the same function. The loop body is one call, so that numba's parallel
    passes see a small body (a shorter first compile than with the rules inlined in it).
    """
    # numba passes only scalars and arrays into a prange body: the rules go in field by field
    day, (key_d, key_b, key_a), p_birth, death_by_age, risk = (rules.day, rules.keys, rules.p_birth,
                                                               rules.death_by_age, rules.risk)
    decay, d_intercept, d_info, d_hardship, d_rate = rules.coef
    b0, b_hardship, b_discontent, b_info, b_kin, b_female, b_risk = rules.intent
    for b in prange((n + BLOCK - 1) // BLOCK):
        own_rules = MonthRules(day, (key_d, key_b, key_a), p_birth, death_by_age,
                               InfoCoefficients(decay, d_intercept, d_info, d_hardship, d_rate),
                               IntentCoefficients(b0, b_hardship, b_discontent, b_info, b_kin, b_female, b_risk),
                               risk)
        person_rules_block(b * BLOCK, min(n, (b + 1) * BLOCK), n, own_rules, status, listed, city, household,
                           birth_day, female, risk_aversion, info_of, discontent_of, attempt_prob, hardship, kin_of,
                           fresh_of, own_smuggler, smuggler_fresh, hunger_of, outcome, info_now, p_now,
                           new_discontent)


@inner_kernel
def person_rules_block(
    lo: int, hi: int, n: int, rules: MonthRules,
    status: np.ndarray, listed: np.ndarray, city: np.ndarray, household: np.ndarray, birth_day: np.ndarray,
    female: np.ndarray, risk_aversion: np.ndarray, info_of: np.ndarray, discontent_of: np.ndarray,
    attempt_prob: np.ndarray, hardship: np.ndarray,
    kin_of: np.ndarray, fresh_of: np.ndarray, own_smuggler: np.ndarray, smuggler_fresh: np.ndarray,
    hunger_of: np.ndarray,
    outcome: np.ndarray, info_now: np.ndarray, p_now: np.ndarray, new_discontent: np.ndarray,
) -> None:
    """:func:`person_month_rules` for people ``lo..hi-1`` (of ``n``), into the scratch rows (the last four)."""
    for i in range(lo, hi):
        prefetch_household(household, i, n, kin_of, fresh_of, own_smuggler, hardship, hunger_of)
        outcome[i], info_now[i], p_now[i], new_discontent[i] = person_month_rules(
            i, rules, status, listed, city, household, birth_day, female, risk_aversion, info_of, discontent_of,
            attempt_prob, hardship, kin_of, fresh_of, own_smuggler, smuggler_fresh, hunger_of)


@njit(inline="always")
def prefetch_household(
    household: np.ndarray, i: int, n: int, kin_of: np.ndarray, fresh_of: np.ndarray, own_smuggler: np.ndarray,
    hardship: np.ndarray, hunger_of: np.ndarray,
) -> None:
    """Start loading the household of the person ``AHEAD`` rows after ``i`` (newborns' households are scattered)."""
    ahead = household[min(i + AHEAD, n - 1)]
    prefetch(kin_of, ahead)
    prefetch(fresh_of, ahead)
    prefetch(own_smuggler, ahead)
    prefetch(hardship, ahead)
    prefetch(hunger_of, ahead)


@njit(inline="always")
def person_month_rules(
    i: int, rules: MonthRules,
    status: np.ndarray, listed: np.ndarray, city: np.ndarray, household: np.ndarray, birth_day: np.ndarray,
    female: np.ndarray, risk_aversion: np.ndarray, info_of: np.ndarray, discontent_of: np.ndarray,
    attempt_prob: np.ndarray, hardship: np.ndarray,
    kin_of: np.ndarray, fresh_of: np.ndarray, own_smuggler: np.ndarray, smuggler_fresh: np.ndarray,
    hunger_of: np.ndarray,
) -> tuple[int, float, float, np.float32]:
    """Person ``i``'s rules of the month that read and write only the person's own row and household.

    The death draw (``keys``: the month's death, birth and attempt streams); for a resident who survives, the
    birth draw, information and discontent, and for those aged 15-65 the intention (``attempt_prob``, with the
    day's ``risk`` index per city) and the attempt draw. Clears ``listed``, or sets it for a person in China or
    detained. Returns (outcome, new information, intention, new discontent), the two floats unrounded (the arrays
    keep float32) and 0.0 where they do not apply. A mother keeps her old discontent in ``discontent_of`` for
    her child: the caller writes the new one after the birth. Every draw is counter-based per person, so the
    result does not depend on the order people are visited in.
    """
    day, keys = rules.day, rules.keys
    s = status[i]
    listed[i] = 0
    if s == S.DEAD or s == S.IN_SOUTH_KOREA:
        return AWAY, 0.0, 0.0, np.float32(0.0)
    h = household[i]
    age = day - birth_day[i]
    fate = death(keys[0], i, age, rules.death_by_age, hunger_of[h] if s == S.RESIDENT else 0.0)
    if fate != SURVIVES:
        return fate, 0.0, 0.0, np.float32(0.0)
    if s != S.RESIDENT:
        listed[i] = 1
        return TRACKED, 0.0, 0.0, np.float32(0.0)
    o = AT_HOME
    if can_give_birth(female[i], age) and uniform(keys[1], i) < rules.p_birth:
        o |= GIVES_BIRTH
    old_discontent = discontent_of[i]
    info = inform(i, h, smuggler_fresh[h] if own_smuggler[h] == i else fresh_of[h], info_of, discontent_of,
                  hardship, rules.coef)
    p = 0.0
    if CROSS_AGE_DAYS[0] <= age < CROSS_AGE_DAYS[1]:
        p = attempt_probability(hardship[h], discontent_of[i], info_of[i], kin_of[h], female[i], risk_aversion[i],
                                rules.risk[city[i]], rules.intent)
        attempt_prob[i] = p
        o |= OF_AGE
        if uniform(keys[2], i) < p:
            o |= ATTEMPTS
    discontent = discontent_of[i]
    if o & GIVES_BIRTH:
        discontent_of[i] = old_discontent
    return o, info, p, discontent


@njit(inline="always")
def inform(
    i: int, h: int, fresh: float, info_of: np.ndarray, discontent_of: np.ndarray, hardship: np.ndarray,
    coef: InfoCoefficients,
) -> float:
    """Resident ``i`` of household ``h``, reached by ``fresh`` information this month, updates information and
    discontent; returns the new information unrounded (``info_of`` keeps it as float32)."""
    info = information(info_of[i], fresh, coef.decay)
    target = discontent_target(info, hardship[h], coef.d_intercept, coef.d_info, coef.d_hardship)
    info_of[i] = info
    discontent_of[i] += coef.d_rate * (target - discontent_of[i])
    return info


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
