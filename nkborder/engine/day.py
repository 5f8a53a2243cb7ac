"""The daily steps: one kernel per submodel, all with the signature ``step(d, today)``.

:data:`~nkborder.engine.plan.PLAN` lists them in the order they run; :func:`~nkborder.engine.daily.run_days`
calls them in that order for every day of a month. Each step reads what it needs from :class:`DayContext` and
calls its submodel's kernel (``nkborder.model``). The steps are inlined into the daily loop (numba
``inline="always"``): compiled on their own, each would spend seconds on the wide :class:`DayContext`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.state import Brokers, CityState, Guards, Households, KernelParams, People
from nkborder.core.tracking import track
from nkborder.model.brokers import working_brokers
from nkborder.model.china import abroad_and_detained_day, release_due
from nkborder.model.defection import cross
from nkborder.model.guards import guards_day, post_guards
from nkborder.model.markets import markets_day, redenominate
from nkborder.model.policy import Environment
from nkborder.model.smuggling import smuggling_day

SCHEDULE_NEXT, N_ACTIVE, RELEASE_NEXT = 0, 1, 2  # the three counters of DayContext.counters


class DayContext(NamedTuple):
    """Everything the daily steps read and write during one month."""

    seed: np.uint64
    people: People
    hh: Households
    guards: Guards
    brokers: Brokers
    cities: CityState
    env: Environment
    kp: KernelParams
    n_sectors: np.ndarray  # int32[n_cities]
    schedule: np.ndarray  # the month's planned crossings: person indices, sorted by day
    schedule_day: np.ndarray  # the day of each
    smugglers: np.ndarray  # the smugglers at home
    smuggler_city: np.ndarray  # the city of each
    active: np.ndarray  # the daily tracking list (people in China or detained, and today's new cases)
    releases: np.ndarray  # the people detained at home on the month's first day, by release day
    counters: np.ndarray  # int64[3]: next entry of the schedule, length of the tracking list, next release
    daily: np.ndarray  # [day, city, S.DAILY slot]
    sector_rec: np.ndarray  # the month's [sector, S.SECTOR slot]


@njit(inline="always")
def state_step(d: int, w: DayContext) -> None:
    """Policy of the day: the guards on duty, and the currency reform on its day."""
    post_guards(w.guards, w.env.troops[d])
    for c in range(w.cities.status_counts.shape[0]):
        if w.env.reform[d, c] > 0.0:
            redenominate(d, c, w.hh, w.cities, w.kp.redenomination_limit_kpw, w.env.reform[d, c],
                         w.env.kpw_per_cny[max(d - 1, 0), c], w.daily)


@njit(inline="always")
def smuggling_step(d: int, w: DayContext) -> None:
    """Smuggling trips, detection, cuts and arrests."""
    w.counters[N_ACTIVE] = smuggling_day(d, w.seed, w.people, w.hh, w.guards, w.cities, w.smugglers, w.smuggler_city,
                                         w.n_sectors, w.env, w.kp, w.active, w.counters[N_ACTIVE], w.daily,
                                         w.sector_rec)


@njit(inline="always")
def defection_step(d: int, w: DayContext) -> None:
    """The crossings planned for the day: a route, brokers, guards, fees and bribes, arrests."""
    people = w.people
    ptr = w.counters[SCHEDULE_NEXT]
    n_active = w.counters[N_ACTIVE]
    while ptr < w.schedule.shape[0] and w.schedule_day[ptr] <= d:
        i = w.schedule[ptr]
        ptr += 1
        if people.status[i] != S.RESIDENT:
            continue
        if cross(d, i, w.seed, people, w.hh, w.guards, w.brokers, w.cities, w.n_sectors, w.env, w.kp, w.daily,
                 w.sector_rec):
            n_active = track(people, w.active, n_active, i)
    w.counters[SCHEDULE_NEXT] = ptr
    w.counters[N_ACTIVE] = n_active


@njit(inline="always")
def china_step(d: int, w: DayContext) -> None:
    """People in China: capture, return, onward journey; releases from detention."""
    w.counters[RELEASE_NEXT] = release_due(d, w.people, w.cities, w.releases, w.counters[RELEASE_NEXT], w.daily)
    abroad_and_detained_day(d, w.seed, w.people, w.hh, w.cities, w.active, w.counters[N_ACTIVE], w.env, w.kp,
                            w.daily)


@njit(inline="always")
def guards_step(d: int, w: DayContext) -> None:
    """Guards on duty: pay, discharge and rotation."""
    kp = w.kp
    guards_day(d, w.seed, w.guards, kp.guard_rotation_days, kp.guard_service_years * 365.25,
               w.env.guard_pay_cny_day[d], w.env.posting_bribe_cny[d], w.daily)


@njit(inline="always")
def markets_step(d: int, w: DayContext) -> None:
    """Market turnover."""
    kp = w.kp
    markets_day(d, w.cities, w.env.tolerance[d], w.env.trade_cny_day[d], w.env.kpw_per_cny[d],
                kp.market_cny_per_capita_day, kp.smuggled_markup, kp.donju_turnover_per_cny, w.daily)


@njit(inline="always")
def record_step(d: int, w: DayContext) -> None:
    """End-of-day stocks by status, the guards on duty and the brokers able to guarantee a route."""
    for c in range(w.cities.status_counts.shape[0]):
        for s in range(S.N_STATUS):
            w.daily[d, c, S.FIRST_STOCK + s] = w.cities.status_counts[c, s]
        w.daily[d, c, S.GUARDS_ON_DUTY] = w.guards.on_duty[c]
    working_brokers(w.brokers, d, w.seed, w.env.broker_available[d], w.daily[d, :, S.BROKERS_WORKING])
