"""China and detention (daily), for everyone hiding in China, held in Chinese detention, or detained at home.

Detained people go home on their release day. People hiding in China save part of their earnings; each day
they may be caught (then held in Chinese detention until China hands them over: a daily hazard of mean
``china_detention_days``, stopped while North Korea's border is sealed unless it takes its citizens back, or all
at once in a mass repatriation; handed over, they are detained at home under the day's punishment of repatriated
people, ``repatriation_detention_days``),
go home of their own accord (``return_rate``, fading as the onward route develops: common while no route
onward existed; and ``steady_return_rate``, for everyone, settled or not, whatever the route), or, once the
onward fee is paid (from savings, by kin already in South Korea, or on credit from a broker to be repaid after
arrival), leave for South Korea with the day's onward hazard (stopped for the most part by China's movement
controls and closed borders of 2020-2023). A share ``direct_escape_share`` of crossers has the journey on to
South Korea arranged with the crossing (the "full escape NK->Seoul" sold as one package,
data/fees_and_bribes.csv: 2007): on the crossing day they leave at once, with the same fee and the route and
closure factors of the onward hazard. Everyone else's arrival comes months or years after the crossing.

Settling. A newcomer in China is *transient*; with a hazard per year that depends on sex
(``settle_rate_female``, ``settle_rate_male``) the person *settles* (for most women: married or sold into a
Chinese household; for men: steady work). The settling time is an exponential duration drawn once per stay
(on the day of the crossing, kept in ``People.settle_days``): a person is settled on day ``d`` when
``d - crossed_day`` has reached it. A settled person is caught less often (capture hazard x
``settled_capture_factor``), does not go home with ``return_rate`` (only with ``steady_return_rate``), and
leaves for South Korea with the smaller hazard ``settled_onward_rate`` (times the same route development and
closure factors as the onward hazard). So the stock in China can be large while arrivals stay moderate,
arrivals lag crossings by years, and they become more female as the settled (mostly women) leave.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.jit import inner_kernel
from nkborder.core.prefetch import AHEAD, prefetch
from nkborder.core.rng import (
    CAPTURE,
    DIRECT_ESCAPE,
    ONWARD,
    ONWARD_KIN_PAY,
    REPATRIATE,
    RETURN,
    RETURN_STEADY,
    SETTLE,
    stream_key,
    uniform,
)
from nkborder.core.state import CityState, Households, KernelParams, People
from nkborder.model.common import detain, set_status
from nkborder.model.policy import Environment

#: Arrivals who left North Korea before this year are counted apart (``arrivals_south_korea_left_before_2020``):
#: "In 2023, fewer than 200 made it - most of whom were already living outside the country" (seed-hyesan-2024).
LEFT_BEFORE_YEAR = 2020.0


@njit(cache=True, inline="always")
def settling_days(people: People, i: int, seed: np.uint64, rate_female: float, rate_male: float) -> float:
    """Days person ``i``, who crossed on ``crossed_day``, stays a newcomer in China before settling (inf: never).

    The settling time is ``-ln(1 - u) / rate`` years (exponential, ``rate`` per year by sex), ``u`` drawn from
    the person's index and crossing day; it is drawn on the crossing day and kept for the whole stay.
    """
    rate = rate_female if people.female[i] else rate_male
    if rate <= 0.0:
        return np.inf
    u = uniform(stream_key(seed, SETTLE, max(people.crossed_day[i], 0)), i)
    return -np.log(1.0 - u) / rate * 365.25


@njit(cache=True, inline="always")
def release_detained(people: People, cities: CityState, i: int, d: int, daily: np.ndarray) -> None:
    """Person ``i``, detained at home, goes home on day ``d``, the release day."""
    set_status(people, cities, i, S.RESIDENT)
    daily[d, people.city[i], S.RELEASED] += 1


@njit(cache=True, inline="always")
def release_due(d: int, people: People, cities: CityState, releases: np.ndarray, k: int, daily: np.ndarray) -> int:
    """Release on day ``d`` the people of ``releases`` (detained at home when the month began, sorted by release
    day) from entry ``k`` on whose release day has come; returns the next entry to look at.

    The same releases as checking each of them every day (:func:`abroad_and_detained_day`), without visiting
    the ones whose day is still to come: a release touches only the person and integer counts, so the order
    of the day's releases and of the rest of the day's China phase does not matter.
    """
    while k < releases.shape[0] and people.release_day[releases[k]] <= d:
        i = releases[k]
        if people.status[i] == S.DETAINED:
            release_detained(people, cities, i, d, daily)
        k += 1
    return k


@njit(cache=True, inline="always")
def go_onward(people: People, hh: Households, cities: CityState, i: int, d: int, fee: float, key_k: np.uint64,
              kp: KernelParams, year: np.ndarray, daily: np.ndarray) -> None:
    """Person ``i``, in China, leaves for South Korea on day ``d`` if the onward ``fee`` (CNY) is paid: from
    the person's savings if they cover it, else by kin in South Korea (``kin_pay_prob``), else on a broker's
    credit (``onward_credit``); otherwise the person stays."""
    c, h = people.city[i], people.household[i]
    if people.savings_cny[i] >= fee:
        people.savings_cny[i] -= fee
    elif hh.n_south_korea[h] > 0 and uniform(key_k, i) < kp.kin_pay_prob:
        daily[d, c, S.KIN_PAID_CNY] += fee
    elif uniform(key_k, i + people.status.shape[0]) >= kp.onward_credit:
        return
    daily[d, c, S.ONWARD_FEES_CNY] += fee
    set_status(people, cities, i, S.IN_SOUTH_KOREA)
    daily[d, c, S.ARRIVALS_SOUTH_KOREA] += 1
    if people.female[i]:
        daily[d, c, S.ARRIVALS_FEMALE] += 1
    if year[people.crossed_day[i], c] < LEFT_BEFORE_YEAR:
        daily[d, c, S.ARRIVALS_LEFT_BEFORE_2020] += 1


@njit(cache=True, inline="always")
def _prefetch_person(people: People, i: int) -> None:
    """Start loading what :func:`abroad_and_detained_day` reads of person ``i`` every day (tracked people are
    scattered): not the release day (the list rarely holds someone detained at home) nor the household (read
    only on a return home or an onward journey)."""
    prefetch(people.status, i)
    prefetch(people.city, i)
    prefetch(people.crossed_day, i)
    prefetch(people.settle_days, i)
    prefetch(people.savings_cny, i)


@inner_kernel
def abroad_and_detained_day(
    d: int, seed: np.uint64, people: People, hh: Households, cities: CityState, active: np.ndarray,
    n_active: int, env: Environment, kp: KernelParams, daily: np.ndarray,
) -> None:
    """One day for every tracked person, under the day's conditions ``env`` (row ``d``) and parameters ``kp``."""
    key_c = stream_key(seed, CAPTURE, d)
    key_r = stream_key(seed, RETURN, d)
    key_o = stream_key(seed, ONWARD, d)
    key_k = stream_key(seed, ONWARD_KIN_PAY, d)
    key_p = stream_key(seed, REPATRIATE, d)
    capture, return_home, onward, onward_fee = env.capture[d], env.return_home[d], env.onward[d], env.onward_fee_cny[d]
    repatriate, mass, detention_days, year = (env.repatriate[d], env.mass_repatriation[d],
                                              env.repatriation_detention_days[d], env.year)
    saving = kp.china_wage_cny_day * kp.china_savings_share
    settled_onward_ratio = kp.settled_onward_rate / kp.onward_rate
    full_onward = kp.onward_rate / 365.25  # the onward hazard with the route developed and nothing closed
    key_x = stream_key(seed, DIRECT_ESCAPE, d)
    key_s = stream_key(seed, RETURN_STEADY, d)
    steady_return = kp.steady_return_rate / 365.25  # daily chance that anyone in China goes home, route or not
    for k in range(n_active):
        _prefetch_person(people, active[min(k + AHEAD, n_active - 1)])
        i = active[k]
        s = people.status[i]
        c = people.city[i]
        if s == S.DETAINED:
            if d >= people.release_day[i]:
                release_detained(people, cities, i, d, daily)
            continue
        if s == S.DETAINED_IN_CHINA:
            if uniform(key_p, i) < 1.0 - (1.0 - repatriate[c]) * (1.0 - mass[c]):
                detain(people, cities, i, d, detention_days[c], seed)
                daily[d, c, S.REPATRIATED] += 1
                if people.female[i]:
                    daily[d, c, S.REPATRIATED_FEMALE] += 1
            continue
        if s != S.IN_CHINA:
            continue
        if people.crossed_day[i] == d:  # crossed today: the day in China starts tomorrow
            people.settle_days[i] = settling_days(people, i, seed, kp.settle_rate_female, kp.settle_rate_male)
            if kp.direct_escape_share > 0.0 and uniform(key_x, i) < kp.direct_escape_share * onward[c] / full_onward:
                go_onward(people, hh, cities, i, d, onward_fee[c], key_k, kp, year, daily)
            continue
        people.savings_cny[i] += saving
        home = (d - people.crossed_day[i]) >= people.settle_days[i]  # settled
        if uniform(key_c, i) < (capture[c] * kp.settled_capture_factor if home else capture[c]):
            set_status(people, cities, i, S.DETAINED_IN_CHINA)
            daily[d, c, S.CAUGHT_IN_CHINA] += 1
            continue
        if ((not home and uniform(key_r, i) < return_home[c])
                or (steady_return > 0.0 and uniform(key_s, i) < steady_return)):
            set_status(people, cities, i, S.RESIDENT)
            hh.cny[people.household[i]] += people.savings_cny[i]
            people.savings_cny[i] = 0.0
            daily[d, c, S.RETURNED_FROM_CHINA] += 1
            continue
        if uniform(key_o, i) < (onward[c] * settled_onward_ratio if home else onward[c]):
            go_onward(people, hh, cities, i, d, onward_fee[c], key_k, kp, year, daily)
