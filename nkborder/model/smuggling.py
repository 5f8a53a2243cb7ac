"""Smuggling (daily): smugglers carry goods across the river at a sector; the guard on duty may detect them.

The sector is chosen like a crosser's (usually one facing the smuggler's district).

A detected smuggler is arrested with the day's arrest probability (higher under control pressure); an
arrested smuggler who can pay the release bribe pays it to the guard and loses the cargo, one who cannot is
detained. A detected smuggler who is not arrested pays the guard his cut of the profit ("a guard may detect
them, take a share of the profit or arrest them"). Undetected trips keep the whole profit. Delivered cargo
feeds the city's market.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.prefetch import AHEAD, prefetch
from nkborder.core.rng import TRIP, TRIP_ARREST, TRIP_DETECT, TRIP_GUARD_PICK, TRIP_SECTOR, stream_key, uniform
from nkborder.core.state import CityState, Guards, Households, People
from nkborder.core.tracking import track
from nkborder.model.common import choose_sector, detain, pay_cny, pick_guard, wealth_cny


@njit(cache=True)
def smuggling_day(
    d: int, seed: np.uint64, people: People, hh: Households, guards: Guards, cities: CityState,
    smugglers: np.ndarray, n_sectors: np.ndarray, trip_rate: np.ndarray, detect: np.ndarray,
    arrest: np.ndarray, guard_cut: np.ndarray, rate: np.ndarray, cargo_cny: float, margin: float,
    release_bribe: float, detention_days: float, home_sector_share: float, active: np.ndarray, n_active: int,
    daily: np.ndarray, sector_rec: np.ndarray,
) -> int:
    """All smuggling trips of day ``d``; per-city arrays hold the day's values. Returns the new ``n_active``.

    ``sector_rec`` is this month's row of the per-sector records, ``[sector, SECTOR_SLOT]``.
    """
    key_t = stream_key(seed, TRIP, d)
    key_s = stream_key(seed, TRIP_SECTOR, d)
    key_g = stream_key(seed, TRIP_GUARD_PICK, d)
    key_d = stream_key(seed, TRIP_DETECT, d)
    key_a = stream_key(seed, TRIP_ARREST, d)
    n = smugglers.shape[0]
    for k in range(n):
        ahead = smugglers[min(k + AHEAD, n - 1)]  # smugglers are scattered over the people arrays
        prefetch(people.status, ahead)
        prefetch(people.city, ahead)
        i = smugglers[k]
        if people.status[i] != S.RESIDENT:
            continue
        c = people.city[i]
        if uniform(key_t, i) >= trip_rate[c]:
            continue
        h = people.household[i]
        daily[d, c, S.SMUGGLING_TRIPS] += 1
        sector = choose_sector(uniform(key_s, i), home_sector_share, hh.district[h], cities.n_districts[c],
                               n_sectors[c])
        rec = sector_rec[guards.sector_start[c] + sector]
        rec[S.SECTOR_SMUGGLING_TRIPS] += 1
        profit = cargo_cny * margin
        if uniform(key_d, i) < detect[c]:
            g = pick_guard(guards, c, sector, key_g, i)
            if uniform(key_a, i) < arrest[c]:
                daily[d, c, S.SMUGGLING_ARRESTS] += 1
                rec[S.SECTOR_SMUGGLING_ARRESTS] += 1
                if wealth_cny(hh, h, rate[c]) >= release_bribe:
                    pay_cny(hh, h, release_bribe, rate[c])
                    guards.earnings_cny[g] += release_bribe
                    rec[S.SECTOR_GUARD_BRIBES_CNY] += release_bribe
                    daily[d, c, S.BRIBES_PAID_CNY] += release_bribe
                    daily[d, c, S.GUARD_BRIBES_CNY] += release_bribe
                else:
                    detain(people, cities, i, d, detention_days, seed)
                    n_active = track(people, active, n_active, i)
                continue
            cut = profit * guard_cut[c]
            guards.earnings_cny[g] += cut
            rec[S.SECTOR_GUARD_BRIBES_CNY] += cut
            daily[d, c, S.SMUGGLING_CUT_CNY] += cut
            daily[d, c, S.GUARD_BRIBES_CNY] += cut
            profit -= cut
        hh.cny[h] += profit
        hh.smuggle_cny[h] += profit
        cities.smuggled_today_cny[c] += cargo_cny
        daily[d, c, S.SMUGGLING_VOLUME_CNY] += cargo_cny
        rec[S.SECTOR_SMUGGLING_VOLUME_CNY] += cargo_cny
        daily[d, c, S.SMUGGLING_PROFIT_CNY] += profit
    return n_active
