"""Brokers (daily and monthly): who can guarantee a route, at what price, and who gets caught.

A broker of a city works on a day if his place is not empty (a caught broker's place stays empty for
``broker_out_days``), if his route is open (while the border is sealed only a share ``broker_available`` of the
brokers keep a route: a fixed set, drawn once per broker) and if he has guaranteed fewer than
``broker_capacity_month`` crossings this month. A would-be crosser asks up to ``broker_tries`` brokers of the
city; when none of them works, nobody can guarantee a route ("Escapees report being unable to find anyone who can
guarantee a route out", seed-hyesan-2024).

A broker's price is the day's posted fee (which follows the brokers' risk:
:func:`nkborder.model.policy.crossing_prices_cny`) times ``1 + broker_exposure_premium x exposure``, where his
exposure counts his clients arrested, decaying with ``broker_memory_days``. When a client is arrested the broker
is caught with probability ``broker_catch_prob x exposure`` (at most 1). The remittance commission of the month
rises from ``commission_base`` to ``commission_max`` with the share of the city's brokers who cannot work
(":func:`commission_rate`): the dangers they now face).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.rng import BROKER_CAUGHT, BROKER_OPEN, BROKER_SEARCH, stream_key, uniform
from nkborder.core.state import Brokers


@njit(cache=True, inline="always")
def route_open(seed: np.uint64, b: int, open_share: float) -> bool:
    """Whether broker ``b``'s route is open when a share ``open_share`` of the routes are (the same brokers
    keep theirs whatever the day: one draw per broker)."""
    return uniform(stream_key(seed, BROKER_OPEN, 0), b) < open_share


@njit(cache=True, inline="always")
def broker_present(brokers: Brokers, b: int, d: int, seed: np.uint64, open_share: float) -> bool:
    """Broker ``b`` is in place on day ``d`` (not caught) and his route is open."""
    return d >= brokers.out_until[b] and route_open(seed, b, open_share)


@njit(cache=True, inline="always")
def find_broker(
    brokers: Brokers, c: int, d: int, seed: np.uint64, i: int, open_share: float, capacity: float, tries: float
) -> int:
    """A broker of city ``c`` who can guarantee person ``i``'s crossing on day ``d``, or -1 if none of the
    ``tries`` brokers asked (drawn with replacement) can."""
    a = brokers.city_start[c]
    n = brokers.city_start[c + 1] - a
    key = stream_key(seed, BROKER_SEARCH, d)
    n_tries = int(tries)
    for k in range(n_tries):
        b = a + int(uniform(key, i * n_tries + k) * n)
        if brokers.booked[b] < capacity and broker_present(brokers, b, d, seed, open_share):
            return b
    return -1


@njit(cache=True, inline="always")
def exposure_on(brokers: Brokers, b: int, d: int, memory_days: float) -> float:
    """Broker ``b``'s exposure on day ``d`` (decayed since it was last brought up to date, which it now is)."""
    elapsed = d - brokers.exposure_day[b]
    if elapsed > 0:
        brokers.exposure[b] *= np.exp(-elapsed / memory_days)
        brokers.exposure_day[b] = d
    return brokers.exposure[b]


@njit(cache=True, inline="always")
def broker_price(posted_fee: float, exposure: float, premium: float) -> float:
    """What a broker with ``exposure`` asks for a crossing, CNY: the posted fee x (1 + premium x exposure)."""
    return posted_fee * (1.0 + premium * exposure)


@njit(cache=True, inline="always")
def client_arrested(
    brokers: Brokers, b: int, d: int, seed: np.uint64, i: int, catch_prob: float, memory_days: float,
    out_days: float, daily: np.ndarray,
) -> None:
    """Broker ``b``'s client ``i`` was arrested on day ``d``: his exposure grows by one and he may be caught."""
    exposure = exposure_on(brokers, b, d, memory_days) + 1.0
    brokers.exposure[b] = exposure
    if uniform(stream_key(seed, BROKER_CAUGHT, d), i) < catch_prob * exposure:
        brokers.out_until[b] = d + int(out_days)
        brokers.exposure[b] = 0.0  # the one who takes his place starts unknown to the police
        daily[d, brokers.city[b], S.BROKERS_CAUGHT] += 1


@njit(cache=True, inline="always")
def working_brokers(brokers: Brokers, d: int, seed: np.uint64, open_share: np.ndarray, out: np.ndarray) -> None:
    """Brokers in place with an open route on day ``d``, per city, into ``out`` (``open_share`` per city)."""
    out[:] = 0
    for b in range(brokers.city.shape[0]):
        c = brokers.city[b]
        if broker_present(brokers, b, d, seed, open_share[c]):
            out[c] += 1


@njit(cache=True)
def commission_rate(working: float, total: float, base: float, top: float) -> float:
    """Remittance commission when ``working`` of a city's ``total`` brokers can work: ``base`` when all can,
    rising linearly to ``top`` when none can."""
    return base + (top - base) * (1.0 - working / max(total, 1.0))
