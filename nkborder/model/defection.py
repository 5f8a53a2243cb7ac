"""Defection: monthly intentions, and the crossing itself on the planned day.

Intention (monthly, residents aged 15-65): the probability of attempting a crossing this month is
``logistic(b0 + b_h hardship + b_d discontent + b_i info + b_k kin_abroad + b_f female - b_r risk_aversion x
risk)``, where ``risk`` is the day's risk index (detection x expected penalty). A person who decides to try
gets a day within the month.

Crossing (daily): under a crackdown the inminban may report the plan first. A person whose household can pay
the broker's fee, or whose kin in South Korea pay it, crosses with a broker (fee split broker : guards :
Chinese guides, detection lower); others cross alone and must bribe a detecting guard. A detecting guard lets
a paying crosser pass with probability ``bribe_accept``, but under a crackdown may take the money and still
turn the person in. Those not let through are shot in the buffer zone with a small probability, otherwise
detained. Those who pass are in China.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.engine import slots as S
from nkborder.engine.rng import (
    ACCEPT,
    ATTEMPT,
    ATTEMPT_DAY,
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
from nkborder.engine.state import Brokers, CityState, Guards, Households, People
from nkborder.model.common import detain, logistic, pay_cny, pick_broker, pick_guard, set_status, wealth_cny

CROSS_AGE_DAYS = (15.0 * 365.25, 65.0 * 365.25)


@njit(cache=True)
def plan_attempts(
    month: int, day: int, days_in_month: int, seed: np.uint64, people: People, hh: Households,
    risk: np.ndarray, b0: float, b_hardship: float, b_discontent: float, b_info: float, b_kin: float,
    b_female: float, b_risk: float, schedule: np.ndarray, schedule_day: np.ndarray, monthly: np.ndarray,
) -> int:
    """Decide who attempts a crossing this month and on which day; returns the number scheduled."""
    key = stream_key(seed, ATTEMPT, month)
    key_day = stream_key(seed, ATTEMPT_DAY, month)
    n_c = monthly.shape[1]
    p_sum = np.zeros(n_c)
    count = np.zeros(n_c)
    k = 0
    for i in range(people.count[0]):
        if people.status[i] != S.RESIDENT:
            continue
        age = day - people.birth_day[i]
        if not CROSS_AGE_DAYS[0] <= age < CROSS_AGE_DAYS[1]:
            continue
        h = people.household[i]
        c = people.city[i]
        kin = 1.0 if hh.n_china[h] + hh.n_south_korea[h] > 0 else 0.0
        z = (b0 + b_hardship * hh.hardship[h] + b_discontent * people.discontent[i] + b_info * people.info[i]
             + b_kin * kin + b_female * people.female[i] - b_risk * people.risk_aversion[i] * risk[c])
        p = logistic(z)
        people.attempt_prob[i] = p
        p_sum[c] += p
        count[c] += 1.0
        if uniform(key, i) < p:
            schedule[k] = i
            schedule_day[k] = day + int(uniform(key_day, i) * days_in_month)
            k += 1
    for c in range(n_c):
        if count[c] > 0:
            monthly[month, c, S.INTENT_MEAN] = p_sum[c] / count[c]
    return k


@njit(cache=True)
def cross(
    d: int, i: int, seed: np.uint64, people: People, hh: Households, guards: Guards, brokers: Brokers,
    cities: CityState, n_sectors: np.ndarray, detect_self: float, detect_broker: float, fee: float,
    bribe: float, broker_available: float, betray: float, shoot: float, detention_days: float,
    crackdown: float, rate: float, inminban_report: float, kin_pay_prob: float, bribe_accept: float,
    broker_share: float, guard_share: float, daily: np.ndarray,
) -> bool:
    """Person ``i`` tries to cross on day ``d`` (scalars are the day's values for the person's city).

    Returns True if the person ends the day detained or in China (so the caller tracks them daily).
    """
    c = people.city[i]
    h = people.household[i]
    if uniform(stream_key(seed, REPORT, d), i) < inminban_report * crackdown:
        detain(people, cities, i, d, detention_days, seed)
        daily[d, c, S.REPORTED_BEFORE_BORDER] += 1
        return True
    daily[d, c, S.CROSSINGS_ATTEMPTED] += 1
    sector = int(uniform(stream_key(seed, SECTOR, d), i) * n_sectors[c])
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
                daily[d, c, S.BRIBES_PAID_CNY] += bribe
                daily[d, c, S.GUARD_BRIBES_CNY] += bribe
                let_pass = True
        if let_pass and uniform(stream_key(seed, BETRAY, d), i) < betray:
            let_pass = False
        if not let_pass:
            if uniform(stream_key(seed, SHOOT, d), i) < shoot:
                set_status(people, cities, i, S.DEAD)
                daily[d, c, S.SHOT_AT_BORDER] += 1
                daily[d, c, S.DEATHS] += 1
                return False
            detain(people, cities, i, d, detention_days, seed)
            daily[d, c, S.ARRESTS_AT_BORDER] += 1
            return True
    set_status(people, cities, i, S.IN_CHINA)
    people.crossed_day[i] = d
    people.savings_cny[i] = 0.0
    daily[d, c, S.CROSSINGS_SUCCEEDED] += 1
    return True
