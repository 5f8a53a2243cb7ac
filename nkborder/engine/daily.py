"""The daily kernel: every day of one month, phases in the order of :data:`~nkborder.engine.plan.DAILY_PHASES`."""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.state import Brokers, CityState, Guards, Households, KernelParams, People
from nkborder.core.tracking import track
from nkborder.model.china import abroad_and_detained_day
from nkborder.model.defection import cross
from nkborder.model.guards import guards_day, post_guards
from nkborder.model.markets import markets_day, redenominate
from nkborder.model.policy import Environment
from nkborder.model.smuggling import smuggling_day


@njit(cache=True)
def run_days(
    d0: int, d1: int, seed: np.uint64, people: People, hh: Households, guards: Guards, brokers: Brokers,
    cities: CityState, env: Environment, kp: KernelParams, n_sectors: np.ndarray, schedule: np.ndarray,
    schedule_day: np.ndarray, n_scheduled: int, smugglers: np.ndarray, active: np.ndarray, n_active: int,
    daily: np.ndarray, sector_rec: np.ndarray,
) -> int:
    """Run days ``d0`` to ``d1 - 1``; ``schedule`` is sorted by ``schedule_day``. Returns the new ``n_active``.

    ``sector_rec`` is the month's per-sector record, ``[sector, SECTOR_SLOT]``, added to by the kernels.
    """
    n_c = cities.status_counts.shape[0]
    ptr = 0
    for d in range(d0, d1):
        # state
        post_guards(guards, env.troops[d])
        for c in range(n_c):
            if env.reform[d, c] > 0.0:
                redenominate(d, c, hh, cities, kp.redenomination_limit_kpw, env.reform[d, c],
                             env.kpw_per_cny[max(d - 1, 0), c], daily)
        # smuggling
        n_active = smuggling_day(
            d, seed, people, hh, guards, cities, smugglers, n_sectors, env.trip_rate[d], env.detect_self[d],
            env.smuggler_arrest[d], env.guard_cut[d], env.kpw_per_cny[d], kp.cargo_cny, kp.smuggling_margin,
            kp.release_bribe_cny, kp.smuggler_detention_days, kp.home_sector_share, active, n_active, daily,
            sector_rec,
        )
        # defection
        while ptr < n_scheduled and schedule_day[ptr] <= d:
            i = schedule[ptr]
            ptr += 1
            if people.status[i] != S.RESIDENT:
                continue
            c = people.city[i]
            tracked = cross(
                d, i, seed, people, hh, guards, brokers, cities, n_sectors, env.detect_self[d, c],
                env.detect_broker[d, c], env.broker_fee_cny[d, c], env.bribe_cny[d, c],
                env.broker_available[d, c], env.betray[d, c], env.shoot[d, c], env.detention_days[d, c],
                env.crackdown[d, c], env.kpw_per_cny[d, c], kp.inminban_report, kp.kin_pay_prob,
                env.bribe_accept[d, c], kp.broker_share, kp.guard_share_of_fee, kp.home_sector_share, daily, sector_rec,
            )
            if tracked:
                n_active = track(people, active, n_active, i)
        # china
        abroad_and_detained_day(d, seed, people, hh, cities, active, n_active, env, kp, daily)
        # guards
        guards_day(d, seed, guards, kp.guard_rotation_days, kp.guard_service_years * 365.25,
                   env.guard_pay_cny_day[d], env.posting_bribe_cny[d], daily)
        # markets
        markets_day(d, cities, env.tolerance[d], env.trade_cny_day[d], env.kpw_per_cny[d],
                    kp.market_cny_per_capita_day, kp.smuggled_markup, kp.donju_turnover_per_cny, daily)
        # record
        for c in range(n_c):
            for s in range(S.N_STATUS):
                daily[d, c, S.FIRST_STOCK + s] = cities.status_counts[c, s]
            daily[d, c, S.GUARDS_ON_DUTY] = guards.on_duty[c]
    return n_active
