"""Defection: monthly intentions, and the crossing itself on the planned day.

Intention (monthly, residents aged 15-65): the probability of attempting a crossing this month is
``logistic(b0 + b_h hardship + b_d discontent + b_i info + b_k kin_abroad + b_f female - b_r risk_aversion x
risk)``, where ``risk`` is the day's risk index (detection x expected penalty). A person who decides to try
gets a day within the month.

Crossing (daily): the inminban may report the plan first (``inminban_report``: standing
surveillance, higher under a crackdown). The would-be crosser then looks
for a broker who can guarantee a route (:func:`nkborder.model.brokers.find_broker`); when nobody can, the
attempt is given up with probability ``no_route_give_up``, otherwise the person crosses alone. The crosser goes
to a river sector, usually one facing their own district (:func:`~nkborder.model.common.choose_sector`), and
meets one of the guards posted there. With a broker found, the broker's price (the posted fee, more if the
broker is exposed) is paid by the household, or by kin in South Korea, or borrowed (:func:`pay_for_crossing`);
it is split broker : guards : Chinese guides and the crossing is less often detected; a detecting guard lets
the broker's client pass with the day's acceptance probability (``bribe_accept``, lower with shorter shifts:
:func:`nkborder.model.policy.shift_bribe_accept`). Others cross alone and arrange their passage with the guard
beforehand: if he agrees (``bribe_accept``) and the crosser can pay his bribe (paid the same ways), the guard
takes it and lets him cross ("The border patrollers normally received 500 yuan ... per defector for allowing
them to cross the river", seed-hoeryong-2007; "safely crossing without bribing guards impossible since 2000",
data/fees_and_bribes.csv: 2000). A lone crosser without an arrangement tries to slip across and is arrested if
detected. A paid guard may still turn the person in (``betray``: the order of 2007, and more under tighter
control). Those not let through are shot in the buffer zone with a small probability, otherwise detained; a
brokered crosser's arrest exposes the broker. Those who pass are in China.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.fastexp import logistic
from nkborder.core.jit import inner_kernel
from nkborder.core.rng import (
    ACCEPT,
    BETRAY,
    BROKER_USE,
    CREDIT,
    DETECT,
    GUARD_PICK,
    KIN_PAY,
    REPORT,
    SECTOR,
    SHOOT,
    stream_key,
    uniform,
)
from nkborder.core.state import Brokers, CityState, Guards, Households, KernelParams, People
from nkborder.model.brokers import broker_price, client_arrested, exposure_on, find_broker
from nkborder.model.common import choose_sector, detain, pay_cny, pick_guard, set_status, wealth_cny
from nkborder.model.policy import Environment

CROSS_AGE_DAYS = (15.0 * 365.25, 65.0 * 365.25)


class IntentCoefficients(NamedTuple):
    """The ``intent_*`` parameters as plain values, which a loop can keep in registers (a field of the parameters'
    record is read through a pointer, which LLVM may reload after each store to an array)."""

    intent_intercept: float
    intent_hardship: float
    intent_discontent: float
    intent_info: float
    intent_kin: float
    intent_female: float
    intent_risk: float


@njit(inline="always")
def intent_coefficients(kp: KernelParams) -> IntentCoefficients:
    """The ``intent_*`` fields of ``kp``, for :func:`attempt_probability` in a loop over people."""
    return IntentCoefficients(kp.intent_intercept, kp.intent_hardship, kp.intent_discontent, kp.intent_info,
                              kp.intent_kin, kp.intent_female, kp.intent_risk)


@njit(cache=True, inline="always")
def attempt_probability(
    hardship: float, discontent: float, info: float, kin: float, female: int, risk_aversion: float, risk: float,
    kp: KernelParams | IntentCoefficients,
) -> float:
    """Probability that a resident aged 15-65 attempts a crossing this month.

    ``kin`` is 1.0 if a household member is in China or South Korea, ``risk`` the month's risk index of the
    city; the coefficients are the ``intent_*`` fields of ``kp`` (the parameters, or their
    :func:`intent_coefficients`). The monthly person pass
    (:func:`nkborder.engine.monthly.people_month`) stores it in ``attempt_prob``, draws the decision and, for
    those who try, a day within the month.
    """
    z = (kp.intent_intercept + kp.intent_hardship * hardship + kp.intent_discontent * discontent
         + kp.intent_info * info + kp.intent_kin * kin + kp.intent_female * female
         - kp.intent_risk * risk_aversion * risk)
    return logistic(z)


@inner_kernel
def cross(
    d: int, i: int, seed: np.uint64, people: People, hh: Households, guards: Guards, brokers: Brokers,
    cities: CityState, n_sectors: np.ndarray, env: Environment, kp: KernelParams, daily: np.ndarray,
    sector_rec: np.ndarray,
) -> bool:
    """Person ``i`` tries to cross on day ``d``, under the day's conditions ``env`` of the person's city.

    ``sector_rec`` is this month's row of the per-sector records, ``[sector, SECTOR_SLOT]``.
    Returns True if the person ends the day detained or in China (so the caller tracks them daily).
    """
    c = people.city[i]
    h = people.household[i]
    rate = env.kpw_per_cny[d, c]
    if uniform(stream_key(seed, REPORT, d), i) < env.inminban_report[d, c]:
        detain(people, cities, i, d, env.detention_days[d, c], seed)
        daily[d, c, S.REPORTED_BEFORE_BORDER] += 1
        return True
    b = find_broker(brokers, c, d, seed, i, env.broker_available[d, c], kp.broker_capacity_month, kp.broker_tries)
    if b < 0 and uniform(stream_key(seed, BROKER_USE, d), i) < kp.no_route_give_up:
        daily[d, c, S.ATTEMPTS_NO_ROUTE] += 1
        return False
    daily[d, c, S.CROSSINGS_ATTEMPTED] += 1
    sector = choose_sector(uniform(stream_key(seed, SECTOR, d), i), kp.home_sector_share, hh.district[h],
                           cities.n_districts[c], n_sectors[c])
    rec = sector_rec[guards.sector_start[c] + sector]
    rec[S.SECTOR_ATTEMPTS] += 1
    g = pick_guard(guards, c, sector, stream_key(seed, GUARD_PICK, d), i)
    brokered, fee = False, 0.0
    if b >= 0:
        fee = broker_price(env.broker_fee_cny[d, c], exposure_on(brokers, b, d, kp.broker_memory_days),
                           kp.broker_exposure_premium)
        brokered = pay_for_crossing(d, i, seed, hh, h, fee, rate, kp, daily, 0)
    if brokered:
        to_broker, to_guard, to_guides = fee_split(fee, env.bribe_cny[d, c], kp.broker_share, kp.guard_share_of_fee)
        brokers.booked[b] += 1
        brokers.earnings_cny[b] += to_broker
        guards.earnings_cny[g] += to_guard
        rec[S.SECTOR_GUARD_BRIBES_CNY] += to_guard
        daily[d, c, S.CROSSINGS_BROKERED] += 1
        daily[d, c, S.BROKER_FEES_PAID_CNY] += fee
        daily[d, c, S.BROKER_INCOME_CNY] += to_broker
        daily[d, c, S.GUARD_BRIBES_CNY] += to_guard
        daily[d, c, S.GUARD_BRIBES_CROSSERS_CNY] += to_guard
        daily[d, c, S.GUIDES_INCOME_CNY] += to_guides
    accepts = uniform(stream_key(seed, ACCEPT, d), i) < env.bribe_accept[d, c]
    arranged = False
    if not brokered and accepts:
        bribe = env.bribe_cny[d, c]
        arranged = pay_for_crossing(d, i, seed, hh, h, bribe, rate, kp, daily, 1)
        if arranged:
            guards.earnings_cny[g] += bribe
            rec[S.SECTOR_GUARD_BRIBES_CNY] += bribe
            daily[d, c, S.BRIBES_PAID_CNY] += bribe
            daily[d, c, S.GUARD_BRIBES_CNY] += bribe
            daily[d, c, S.GUARD_BRIBES_CROSSERS_CNY] += bribe
    detect = env.detect_broker[d, c] if brokered else env.detect_self[d, c]
    if arranged or uniform(stream_key(seed, DETECT, d), i) < detect:
        let_pass = arranged or (brokered and accepts)
        if let_pass and uniform(stream_key(seed, BETRAY, d), i) < env.betray[d, c]:
            let_pass = False
            daily[d, c, S.ARRESTS_AFTER_BRIBE] += 1
        if not let_pass:
            if brokered:
                client_arrested(brokers, b, d, seed, i, kp.broker_catch_prob, kp.broker_memory_days,
                                kp.broker_out_days, daily)
            if uniform(stream_key(seed, SHOOT, d), i) < env.shoot[d, c]:
                set_status(people, cities, i, S.DEAD)
                daily[d, c, S.SHOT_AT_BORDER] += 1
                rec[S.SECTOR_SHOT] += 1
                daily[d, c, S.DEATHS] += 1
                return False
            detain(people, cities, i, d, env.detention_days[d, c], seed)
            daily[d, c, S.ARRESTS_AT_BORDER] += 1
            rec[S.SECTOR_ARRESTS] += 1
            return True
    set_status(people, cities, i, S.IN_CHINA)
    people.crossed_day[i] = d
    people.savings_cny[i] = 0.0
    daily[d, c, S.CROSSINGS_SUCCEEDED] += 1
    rec[S.SECTOR_SUCCEEDED] += 1
    return True


@njit(cache=True, inline="always")
def fee_split(fee: float, bribe: float, broker_share: float, guard_share: float) -> tuple[float, float, float]:
    """A brokered fee (CNY) split into the broker's, the guard's and the Chinese guides' parts.

    The split is ``broker_share : guard_share : rest`` (4:3:3, dailynk-border-costs), except that the guard takes
    at least the bribe a lone crosser would pay him (at most the whole fee): he lets nobody across for less ("500
    yuan ... per defector for allowing them to cross the river", seed-hoeryong-2007), and the broker and the
    guides share the rest in their 4:3 proportion.
    """
    guard = max(guard_share * fee, min(bribe, fee))
    rest = fee - guard
    broker = rest * broker_share / (1.0 - guard_share)
    return broker, guard, rest - broker


@njit(cache=True, inline="always")
def pay_for_crossing(
    d: int, i: int, seed: np.uint64, hh: Households, h: int, amount: float, rate: float, kp: KernelParams,
    daily: np.ndarray, what: int,
) -> bool:
    """Person ``i`` of household ``h`` pays ``amount`` CNY (``what``: 0 a broker's fee, 1 a guard's bribe).

    The household pays if it can; otherwise kin in South Korea pay it with ``kin_pay_prob``; otherwise the
    crosser borrows it with ``crossing_credit`` (repaid outside the model, from work in China or after arrival).
    Returns False if nobody pays.
    """
    c = hh.city[h]
    if wealth_cny(hh, h, rate) >= amount:
        pay_cny(hh, h, amount, rate)
        return True
    if hh.n_south_korea[h] > 0 and uniform(stream_key(seed, KIN_PAY, d), 2 * i + what) < kp.kin_pay_prob:
        daily[d, c, S.KIN_PAID_CNY] += amount
        daily[d, c, S.CROSSINGS_KIN_PAID] += 1
        return True
    if uniform(stream_key(seed, CREDIT, d), 2 * i + what) < kp.crossing_credit:
        daily[d, c, S.CROSSINGS_ON_CREDIT] += 1
        return True
    return False
