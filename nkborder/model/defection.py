"""Defection: monthly intentions, and the crossing itself on the planned day.

Intention (monthly, residents aged 15-65): the probability of attempting a crossing this month is
``logistic(b0 + b_h hardship + b_d discontent + b_i info + b_k kin_abroad + b_f female - b_r risk_aversion x
risk)``, where ``risk`` is the day's risk index (detection x expected penalty). A person who decides to try
gets a day within the month.

Crossing (daily): the inminban may report the plan first (``inminban_report``: standing surveillance, higher
under a crackdown). The crosser goes to a river sector,
usually one facing their own district (:func:`~nkborder.model.common.choose_sector`), and meets one of the guards
posted there. A person whose household can pay
the broker's fee, or whose kin in South Korea pay it, crosses with a broker (fee split broker : guards :
Chinese guides, detection lower); others cross alone and must bribe a detecting guard. A detecting guard lets
a paying crosser pass with the day's acceptance probability (``bribe_accept``, lower with shorter shifts:
:func:`nkborder.model.policy.shift_bribe_accept`), but under a crackdown may take the money and still turn the
person in. Those not let through are shot in the buffer zone with a small probability, otherwise
detained. Those who pass are in China.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.fastexp import logistic
from nkborder.core.rng import (
    ACCEPT,
    BETRAY,
    BROKER_PICK,
    BROKER_USE,
    DETECT,
    GUARD_PICK,
    KIN_PAY,
    REPORT,
    SECTOR,
    SHOOT,
    stream_key,
    uniform,
)
from nkborder.core.state import Brokers, CityState, Guards, Households, People
from nkborder.model.common import (
    choose_sector,
    detain,
    pay_cny,
    pick_broker,
    pick_guard,
    set_status,
    wealth_cny,
)

CROSS_AGE_DAYS = (15.0 * 365.25, 65.0 * 365.25)


@njit(cache=True, inline="always")
def attempt_probability(
    hardship: float, discontent: float, info: float, kin: float, female: int, risk_aversion: float, risk: float,
    b0: float, b_hardship: float, b_discontent: float, b_info: float, b_kin: float, b_female: float,
    b_risk: float,
) -> float:
    """Probability that a resident aged 15-65 attempts a crossing this month.

    ``kin`` is 1.0 if a household member is in China or South Korea, ``risk`` the month's risk index of the
    city. The monthly person pass (:func:`nkborder.engine.monthly.people_month`) stores it in ``attempt_prob``,
    draws the decision and, for those who try, a day within the month.
    """
    z = (b0 + b_hardship * hardship + b_discontent * discontent + b_info * info + b_kin * kin
         + b_female * female - b_risk * risk_aversion * risk)
    return logistic(z)


@njit(cache=True)
def cross(
    d: int, i: int, seed: np.uint64, people: People, hh: Households, guards: Guards, brokers: Brokers,
    cities: CityState, n_sectors: np.ndarray, detect_self: float, detect_broker: float, fee: float,
    bribe: float, broker_available: float, betray: float, shoot: float, detention_days: float,
    rate: float, inminban_report: float, kin_pay_prob: float, bribe_accept: float,
    broker_share: float, guard_share: float, home_sector_share: float, daily: np.ndarray, sector_rec: np.ndarray,
) -> bool:
    """Person ``i`` tries to cross on day ``d`` (scalars are the day's values for the person's city).

    ``sector_rec`` is this month's row of the per-sector records, ``[sector, SECTOR_SLOT]``.
    Returns True if the person ends the day detained or in China (so the caller tracks them daily).
    """
    c = people.city[i]
    h = people.household[i]
    if uniform(stream_key(seed, REPORT, d), i) < inminban_report:
        detain(people, cities, i, d, detention_days, seed)
        daily[d, c, S.REPORTED_BEFORE_BORDER] += 1
        return True
    daily[d, c, S.CROSSINGS_ATTEMPTED] += 1
    sector = choose_sector(uniform(stream_key(seed, SECTOR, d), i), home_sector_share, hh.district[h],
                           cities.n_districts[c], n_sectors[c])
    rec = sector_rec[guards.sector_start[c] + sector]
    rec[S.SECTOR_ATTEMPTS] += 1
    g = pick_guard(guards, c, sector, stream_key(seed, GUARD_PICK, d), i)
    brokered, kin_pays = False, False
    if uniform(stream_key(seed, BROKER_USE, d), i) < broker_available:
        if wealth_cny(hh, h, rate) >= fee:
            brokered = True
        elif hh.n_south_korea[h] > 0 and uniform(stream_key(seed, KIN_PAY, d), i) < kin_pay_prob:
            brokered, kin_pays = True, True
    if brokered:
        if kin_pays:
            daily[d, c, S.KIN_PAID_CNY] += fee
        else:
            pay_cny(hh, h, fee, rate)
        b = pick_broker(brokers, c, stream_key(seed, BROKER_PICK, d), i)
        brokers.earnings_cny[b] += fee * broker_share
        guards.earnings_cny[g] += fee * guard_share
        rec[S.SECTOR_GUARD_BRIBES_CNY] += fee * guard_share
        daily[d, c, S.CROSSINGS_BROKERED] += 1
        daily[d, c, S.BROKER_FEES_PAID_CNY] += fee
        daily[d, c, S.BROKER_INCOME_CNY] += fee * broker_share
        daily[d, c, S.GUARD_BRIBES_CNY] += fee * guard_share
        daily[d, c, S.GUIDES_INCOME_CNY] += fee * (1.0 - broker_share - guard_share)
    detected = uniform(stream_key(seed, DETECT, d), i) < (detect_broker if brokered else detect_self)
    if detected:
        let_pass = False
        if uniform(stream_key(seed, ACCEPT, d), i) < bribe_accept:
            if brokered:
                let_pass = True
            elif wealth_cny(hh, h, rate) >= bribe:
                pay_cny(hh, h, bribe, rate)
                guards.earnings_cny[g] += bribe
                rec[S.SECTOR_GUARD_BRIBES_CNY] += bribe
                daily[d, c, S.BRIBES_PAID_CNY] += bribe
                daily[d, c, S.GUARD_BRIBES_CNY] += bribe
                let_pass = True
        if let_pass and uniform(stream_key(seed, BETRAY, d), i) < betray:
            let_pass = False
        if not let_pass:
            if uniform(stream_key(seed, SHOOT, d), i) < shoot:
                set_status(people, cities, i, S.DEAD)
                daily[d, c, S.SHOT_AT_BORDER] += 1
                rec[S.SECTOR_SHOT] += 1
                daily[d, c, S.DEATHS] += 1
                return False
            detain(people, cities, i, d, detention_days, seed)
            daily[d, c, S.ARRESTS_AT_BORDER] += 1
            rec[S.SECTOR_ARRESTS] += 1
            return True
    set_status(people, cities, i, S.IN_CHINA)
    people.crossed_day[i] = d
    people.savings_cny[i] = 0.0
    daily[d, c, S.CROSSINGS_SUCCEEDED] += 1
    rec[S.SECTOR_SUCCEEDED] += 1
    return True
