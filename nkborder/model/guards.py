"""Border guards (daily): who is on duty, pay, rotation between sectors and discharge at the end of service.

Each guard holds a post slot on a sector of his city. A city has ``n_sectors x slots_per_sector`` slots at the
2006 density (``m_per_guard``) and, when a scenario raises the ``troops`` lever above 1, extra slots for the
highest troop level of the run. Each day ``round(initial slots x troops)`` slots are manned (at least one per
sector), in a fixed manning order: level by level across the sectors (every sector's first slot, then every
sector's second, ...). A guard in an unmanned slot is not posted: he takes no money, is never met, and his
service and rotation clocks stand still.

A guard on duty draws his state pay every day (``guard_pay_kpw_month``, in CNY at the day's rate; data/
border_security.csv, 2013). On his rotation day he swaps slots with the holder of a random manned slot of the
same city (rotation every 3-6 months: data/border_security.csv). At the end of his service his bribes, cuts and
fee shares and, apart, his pay are recorded (the "5 million won before discharge" of seed-hoeryong-2007 is a
check on their sum), and a recruit with nothing takes his slot, paying the posting bribe of the day
(``posting_bribe_kpw``; data/border_security.csv, 2013), money that leaves the model.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.jit import inner_kernel
from nkborder.core.rng import ROTATE, ROTATE_EXTRA, stream_key, uniform
from nkborder.core.state import Guards
from nkborder.model.common import base_slots, city_sectors, rank_of_slot, slot_of_rank


@njit(cache=True, inline="always")
def slots_for_troops(base: int, troops: float) -> int:
    """Slots manned at troop level ``troops`` in a city with ``base`` slots at the 2006 density (before bounds)."""
    return int(np.rint(base * troops))


@njit(cache=True, inline="always")
def post_guards(guards: Guards, troops: np.ndarray) -> None:
    """Set ``on_duty[c]``, the slots manned today in each city, from the day's ``troops`` lever per city.

    ``round(base slots x troops)``, at least one slot per sector and at most the slots allocated.
    """
    for c in range(guards.on_duty.shape[0]):
        n_sectors = city_sectors(guards, c)
        n_slots = guards.city_slot_start[c + 1] - guards.city_slot_start[c]
        guards.on_duty[c] = min(n_slots, max(n_sectors, slots_for_troops(base_slots(guards, c), troops[c])))


@njit(cache=True, inline="always")
def slot_manned(guards: Guards, c: int, slot: int) -> bool:
    """Whether ``slot`` (of city ``c``) is manned today: its manning rank is below ``on_duty[c]``.

    While every slot at the 2006 density is manned (``troops`` at 1 or more), those slots all rank below
    ``on_duty[c]`` and an extra slot's rank is its offset, so the offset answers without the division of
    :func:`~nkborder.model.common.rank_of_slot` (this check runs for every guard every day).
    """
    offset = slot - guards.city_slot_start[c]
    if guards.on_duty[c] >= base_slots(guards, c):
        return offset < guards.on_duty[c]
    return rank_of_slot(guards, c, offset) < guards.on_duty[c]


@njit(cache=True, inline="always")
def kth_manned_slot(guards: Guards, c: int, k: int) -> int:
    """The ``k``-th of the ``on_duty[c]`` manned slots of city ``c`` (global slot index), for rotation.

    While all slots at the 2006 density are manned they come first, in storage order (the draw of a run without
    extra troops), then the extra ones; with fewer guards on duty (``troops`` below 1) the manned slots are taken
    in manning order.
    """
    a = guards.city_slot_start[c]
    if guards.on_duty[c] >= base_slots(guards, c):
        return a + k
    return a + slot_of_rank(guards, c, k)


@inner_kernel
def guards_day(
    d: int, seed: np.uint64, guards: Guards, rotation_days: float, service_days: float, pay_cny: np.ndarray,
    posting_bribe_cny: np.ndarray, daily: np.ndarray,
) -> None:
    """Pay, discharge and rotate the guards on duty on day ``d``; the clocks of those not posted stand still.

    ``pay_cny`` (a guard's pay for the day) and ``posting_bribe_cny`` (a recruit's bribe) are per city, in CNY.
    """
    key = stream_key(seed, ROTATE, d)
    key_extra = stream_key(seed, ROTATE_EXTRA, d)
    n = guards.city.shape[0]
    n_first = 0  # the guards at the 2006 density, stored before the extra ones
    for c in range(guards.on_duty.shape[0]):
        n_first += base_slots(guards, c)
    # the day's pay per city is added up in guard order in a local (stored when the city changes, and at the end):
    # the same sum as adding to the record each time, without a store and reload per guard
    cur, pay_sum = -1, 0.0
    for g in range(n):
        c = guards.city[g]
        if not slot_manned(guards, c, guards.slot[g]):
            guards.service_end[g] += 1
            guards.next_rotation[g] += 1
            continue
        if c != cur:
            if cur >= 0:
                daily[d, cur, S.GUARD_PAY_CNY] = pay_sum
            cur = c
            pay_sum = daily[d, c, S.GUARD_PAY_CNY]
        if d >= guards.service_end[g]:
            discharge(d, g, c, guards, service_days, posting_bribe_cny[c], daily)
        guards.pay_cny[g] += pay_cny[c]
        pay_sum += pay_cny[c]
        if d >= guards.next_rotation[g]:
            rkey, offset = (key, n_first) if g < n_first else (key_extra, n)
            rotate(guards, g, c, kth_manned_slot(guards, c, int(uniform(rkey, g) * guards.on_duty[c])))
            guards.next_rotation[g] = d + int(rotation_days * (0.5 + uniform(rkey, g + offset)))
    if cur >= 0:
        daily[d, cur, S.GUARD_PAY_CNY] = pay_sum


@njit(cache=True, inline="always")
def discharge(
    d: int, g: int, c: int, guards: Guards, service_days: float, posting_bribe: float, daily: np.ndarray
) -> None:
    """Guard ``g`` leaves: his earnings and pay are recorded; a recruit who paid ``posting_bribe`` takes over."""
    daily[d, c, S.GUARDS_DISCHARGED] += 1
    daily[d, c, S.GUARD_SERVICE_EARNINGS_CNY] += guards.earnings_cny[g]
    daily[d, c, S.GUARD_SERVICE_PAY_CNY] += guards.pay_cny[g]
    daily[d, c, S.GUARD_POSTING_BRIBES_CNY] += posting_bribe
    guards.earnings_cny[g] = 0.0
    guards.pay_cny[g] = 0.0
    guards.service_end[g] = d + int(service_days)


@njit(cache=True, inline="always")
def rotate(guards: Guards, g: int, c: int, other_slot: int) -> None:
    """Guard ``g`` swaps slots with the holder of ``other_slot`` (possibly himself)."""
    other = guards.slot_guard[other_slot]
    mine = guards.slot[g]
    guards.slot_guard[mine] = other
    guards.slot[other] = mine
    guards.slot_guard[other_slot] = g
    guards.slot[g] = other_slot
