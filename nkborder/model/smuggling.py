"""Smuggling (daily): smugglers carry goods across the river at a sector; the guard on duty may detect them.

The sector is chosen like a crosser's (usually one facing the smuggler's district).

A detected smuggler is arrested with the day's arrest probability (higher under control pressure); an
arrested smuggler who can pay the release bribe pays it to the guard and loses the cargo, one who cannot is
detained. Under a crackdown a detected smuggler is dealt with, with probability equal to the crackdown's
intensity, by state security (the joint inspection group) instead of the guard: a release costs
:data:`SECURITY_RELEASE_FACTOR` times the guard's bribe, and the release money or the cut goes to state
security, not to the guards (the purification dried up the guards' income: "border
patrollers have lost their source of money", seed-hoeryong-2007); a crackdown also cuts the trips
(``crackdown_trade_stop``). A detected smuggler who is not arrested pays the guard his cut of the profit ("a
guard may detect them, take a share of the profit or arrest them"). Undetected trips keep the whole profit.
Delivered cargo feeds the city's market.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.jit import inner_kernel
from nkborder.core.rng import (
    SECURITY,
    TRIP,
    TRIP_ARREST,
    TRIP_DETECT,
    TRIP_GUARD_PICK,
    TRIP_SECTOR,
    stream_key,
    uniform,
)
from nkborder.core.state import CityState, Guards, Households, KernelParams, People
from nkborder.core.tracking import track
from nkborder.model.common import choose_sector, detain, pay_cny, pick_guard, wealth_cny
from nkborder.model.policy import Environment

#: A release bought from state security costs this many times the guards' release bribe: "1000-5000 CNY
#: (5000-10000 if handed to state security)" (data/border_costs.csv: 2013, nkeconwatch-2013), midpoints 7,500 / 3,000.
SECURITY_RELEASE_FACTOR = 2.5


@njit(cache=True, inline="always")
def take(amount: float, to_security: bool, g: int, d: int, c: int, guards: Guards, daily: np.ndarray,
         rec: np.ndarray) -> None:
    """Money (CNY) taken from a detected smuggler: by state security in a crackdown, else by guard ``g``."""
    if to_security:
        daily[d, c, S.SECURITY_BRIBES_CNY] += amount
    else:
        guards.earnings_cny[g] += amount
        rec[S.SECTOR_GUARD_BRIBES_CNY] += amount
        daily[d, c, S.GUARD_BRIBES_CNY] += amount


@inner_kernel
def smuggling_day(
    d: int, seed: np.uint64, people: People, hh: Households, guards: Guards, cities: CityState,
    smugglers: np.ndarray, smuggler_city: np.ndarray, n_sectors: np.ndarray, env: Environment, kp: KernelParams,
    active: np.ndarray, n_active: int, daily: np.ndarray, sector_rec: np.ndarray,
) -> int:
    """All smuggling trips of day ``d`` under the day's conditions ``env``. Returns the new ``n_active``.

    ``smuggler_city`` is the city of each of ``smugglers``; ``sector_rec`` is this month's row of the per-sector
    records, ``[sector, SECTOR_SLOT]``.
    """
    key_t = stream_key(seed, TRIP, d)
    key_s = stream_key(seed, TRIP_SECTOR, d)
    key_g = stream_key(seed, TRIP_GUARD_PICK, d)
    key_d = stream_key(seed, TRIP_DETECT, d)
    key_a = stream_key(seed, TRIP_ARREST, d)
    key_h = stream_key(seed, SECURITY, d)
    trip_rate, detect, arrest = env.trip_rate[d], env.detect_self[d], env.smuggler_arrest[d]
    guard_cut, rate, crackdown = env.guard_cut[d], env.kpw_per_cny[d], env.crackdown[d]
    cargo, margin, home_sector_share = env.cargo_cny[d], kp.smuggling_margin, kp.home_sector_share
    for k in range(smugglers.shape[0]):
        i = smugglers[k]
        c = smuggler_city[k]
        # the trip draw before the status check: it needs only the index and the city, listed in order, and on
        # most days a smuggler makes no trip, so the status (scattered over the people arrays) is read for trips
        # only; a draw is a hash of (day, person), so its place among the checks changes nothing
        if uniform(key_t, i) >= trip_rate[c]:
            continue
        if people.status[i] != S.RESIDENT:
            continue
        h = people.household[i]
        daily[d, c, S.SMUGGLING_TRIPS] += 1
        sector = choose_sector(uniform(key_s, i), home_sector_share, hh.district[h], cities.n_districts[c],
                               n_sectors[c])
        rec = sector_rec[guards.sector_start[c] + sector]
        rec[S.SECTOR_SMUGGLING_TRIPS] += 1
        cargo_cny = cargo[c]
        profit = cargo_cny * margin
        if uniform(key_d, i) < detect[c]:
            g = pick_guard(guards, c, sector, key_g, i)
            to_security = uniform(key_h, i) < crackdown[c]
            if uniform(key_a, i) < arrest[c]:
                daily[d, c, S.SMUGGLING_ARRESTS] += 1
                rec[S.SECTOR_SMUGGLING_ARRESTS] += 1
                release = kp.release_bribe_cny * (SECURITY_RELEASE_FACTOR if to_security else 1.0)
                if wealth_cny(hh, h, rate[c]) >= release:
                    pay_cny(hh, h, release, rate[c])
                    daily[d, c, S.BRIBES_PAID_CNY] += release
                    take(release, to_security, g, d, c, guards, daily, rec)
                else:
                    detain(people, cities, i, d, kp.smuggler_detention_days, seed)
                    n_active = track(people, active, n_active, i)
                continue
            cut = profit * guard_cut[c]
            daily[d, c, S.SMUGGLING_CUT_CNY] += cut
            take(cut, to_security, g, d, c, guards, daily, rec)
            profit -= cut
        hh.cny[h] += profit
        hh.smuggle_cny[h] += profit
        cities.smuggled_today_cny[c] += cargo_cny
        daily[d, c, S.SMUGGLING_VOLUME_CNY] += cargo_cny
        rec[S.SECTOR_SMUGGLING_VOLUME_CNY] += cargo_cny
        daily[d, c, S.SMUGGLING_PROFIT_CNY] += profit
    return n_active
