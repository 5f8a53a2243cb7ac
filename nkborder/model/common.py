"""Small kernel helpers shared by the submodels: status changes, payments, choosing a sector, a guard, a broker."""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.rng import DETENTION, stream_key, uniform
from nkborder.core.state import Brokers, CityState, Guards, Households, People


@njit(cache=True, inline="always")
def set_status(people: People, cities: CityState, i: int, new: int) -> None:
    """Move person ``i`` to status ``new`` and keep the per-city status counts exact."""
    c = people.city[i]
    cities.status_counts[c, people.status[i]] -= 1
    cities.status_counts[c, new] += 1
    people.status[i] = new


@njit(cache=True, inline="always")
def wealth_cny(hh: Households, h: int, kpw_per_cny: float) -> float:
    """A household's money in yuan: its yuan plus its won at the day's market rate."""
    return hh.cny[h] + hh.kpw[h] / kpw_per_cny


@njit(cache=True, inline="always")
def pay_cny(hh: Households, h: int, amount: float, kpw_per_cny: float) -> None:
    """Take ``amount`` CNY from household ``h``: yuan first, then won at the day's rate (caller checks it can)."""
    from_cny = min(hh.cny[h], amount)
    hh.cny[h] -= from_cny
    rest_kpw = (amount - from_cny) * kpw_per_cny
    hh.kpw[h] = max(0.0, hh.kpw[h] - rest_kpw)


@njit(cache=True, inline="always")
def city_sectors(guards: Guards, c: int) -> int:
    """River sectors of city ``c``."""
    return guards.sector_start[c + 1] - guards.sector_start[c]


@njit(cache=True, inline="always")
def base_slots(guards: Guards, c: int) -> int:
    """Post slots of city ``c`` at the 2006 density: sectors x ``slots_per_sector`` (the first slots of the city)."""
    return city_sectors(guards, c) * guards.slots_per_sector[c]


@njit(cache=True, inline="always")
def slot_of_rank(guards: Guards, c: int, rank: int) -> int:
    """Offset in city ``c``'s slots of the slot manned ``rank``-th (0-based).

    Slots are manned level by level across the ``S`` sectors: rank ``level x S + sector``. A level below
    ``per`` (``slots_per_sector``) is a slot at the 2006 density, stored sector by sector (offset ``sector x
    per + level``); the extra slots for a higher troop level are stored after them in manning order, so their
    offset is their rank.
    """
    n_sectors = city_sectors(guards, c)
    per = guards.slots_per_sector[c]
    if rank >= n_sectors * per:
        return rank
    return (rank % n_sectors) * per + rank // n_sectors


@njit(cache=True, inline="always")
def rank_of_slot(guards: Guards, c: int, offset: int) -> int:
    """The manning rank of the slot at ``offset`` in city ``c``'s slots (the inverse of :func:`slot_of_rank`)."""
    n_sectors = city_sectors(guards, c)
    per = guards.slots_per_sector[c]
    if offset >= n_sectors * per:
        return offset
    return (offset % per) * n_sectors + offset // per


@njit(cache=True, inline="always")
def pick_guard(guards: Guards, c: int, sector: int, key: np.uint64, i: int) -> int:
    """The guard on duty at ``sector`` of city ``c``: one of the sector's manned slots, drawn with ``key``.

    The sector has ``(on_duty - 1 - sector) // S + 1`` manned slots (levels; :func:`slot_of_rank`); with all
    slots at the 2006 density manned and none above, the draw is that of a fixed ``slots_per_sector``.
    """
    n_sectors = city_sectors(guards, c)
    level = int(uniform(key, i) * ((guards.on_duty[c] - 1 - sector) // n_sectors + 1))
    return guards.slot_guard[guards.city_slot_start[c] + slot_of_rank(guards, c, level * n_sectors + sector)]


@njit(cache=True, inline="always")
def choose_sector(u: float, home_share: float, district: int, n_districts: int, n_sectors: int) -> int:
    """The river sector (0-based, of the city) a person of ``district`` uses, from one uniform draw ``u``.

    With probability ``home_share`` one of the sectors facing the district (district ``k`` of ``D`` faces
    sectors ``k S / D`` up to ``(k + 1) S / D``, at least one), otherwise any sector of the city, uniformly.
    """
    if u < home_share:
        lo = district * n_sectors // n_districts
        hi = max(lo + 1, (district + 1) * n_sectors // n_districts)
        return lo + int(u / home_share * (hi - lo))
    return int((u - home_share) / (1.0 - home_share) * n_sectors)


@njit(cache=True, inline="always")
def pick_broker(brokers: Brokers, c: int, key: np.uint64, i: int) -> int:
    """A broker of city ``c``, drawn with ``key``."""
    a = brokers.city_start[c]
    n = brokers.city_start[c + 1] - a
    return a + int(uniform(key, i) * n)


@njit(cache=True, inline="always")
def exp_days(mean_days: float, u: float) -> int:
    """An exponential duration in whole days (at least 1) from a uniform draw ``u``."""
    return 1 + int(-mean_days * np.log(1.0 - u))


@njit(cache=True, inline="always")
def detain(people: People, cities: CityState, i: int, d: int, mean_days: float, seed: np.uint64) -> None:
    """Detain person ``i`` on day ``d`` for an exponential term of mean ``mean_days``."""
    set_status(people, cities, i, S.DETAINED)
    people.release_day[i] = d + exp_days(mean_days, uniform(stream_key(seed, DETENTION, d), i))
