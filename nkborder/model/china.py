"""China and detention (daily), for everyone hiding in China or detained.

Detained people go home on their release day. People hiding in China save part of their earnings; each day
they may be caught and repatriated (then detained under the punishment regime of the day), go home of their own
accord (common while no route onward existed), or, once the onward fee is paid (from savings, by kin
already in South Korea, or on credit from a broker to be repaid after arrival), leave for South Korea with the
day's onward hazard. Arrivals in a year are therefore people who crossed months or years earlier.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.engine import slots as S
from nkborder.engine.rng import CAPTURE, KIN_PAY, ONWARD, RETURN, stream_key, uniform
from nkborder.engine.state import CityState, Households, People
from nkborder.model.common import detain, set_status


@njit(cache=True)
def abroad_and_detained_day(
    d: int, seed: np.uint64, people: People, hh: Households, cities: CityState, active: np.ndarray,
    n_active: int, capture: np.ndarray, return_home: np.ndarray, onward: np.ndarray, onward_fee: np.ndarray,
    detention_days: np.ndarray, china_saving_cny_day: float, kin_pay_prob: float, onward_credit: float,
    daily: np.ndarray,
) -> None:
    """One day for every tracked person; per-city arrays hold the day's values."""
    key_c = stream_key(seed, CAPTURE, d)
    key_r = stream_key(seed, RETURN, d)
    key_o = stream_key(seed, ONWARD, d)
    key_k = stream_key(seed, KIN_PAY + 100, d)
    for k in range(n_active):
        i = active[k]
        s = people.status[i]
        c = people.city[i]
        if s == S.DETAINED:
            if d >= people.release_day[i]:
                set_status(people, cities, i, S.RESIDENT)
                daily[d, c, S.RELEASED] += 1
            continue
        if s != S.IN_CHINA or people.crossed_day[i] == d:
            continue
        people.savings_cny[i] += china_saving_cny_day
        if uniform(key_c, i) < capture[c]:
            detain(people, cities, i, d, detention_days[c], seed)
            daily[d, c, S.REPATRIATED] += 1
            continue
        h = people.household[i]
        if uniform(key_r, i) < return_home[c]:
            set_status(people, cities, i, S.RESIDENT)
            hh.cny[h] += people.savings_cny[i]
            people.savings_cny[i] = 0.0
            daily[d, c, S.RETURNED_FROM_CHINA] += 1
            continue
        if uniform(key_o, i) >= onward[c]:
            continue
        fee = onward_fee[c]
        if people.savings_cny[i] >= fee:
            people.savings_cny[i] -= fee
        elif hh.n_south_korea[h] > 0 and uniform(key_k, i) < kin_pay_prob:
            daily[d, c, S.KIN_PAID_CNY] += fee
        elif uniform(key_k, i + people.status.shape[0]) >= onward_credit:
            continue
        daily[d, c, S.ONWARD_FEES_CNY] += fee
        set_status(people, cities, i, S.IN_SOUTH_KOREA)
        daily[d, c, S.ARRIVALS_SOUTH_KOREA] += 1
        if people.female[i]:
            daily[d, c, S.ARRIVALS_FEMALE] += 1
