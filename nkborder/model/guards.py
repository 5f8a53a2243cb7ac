"""Border guards (daily): rotation between sectors and discharge at the end of service.

Each guard holds a post slot on a sector of his city. On his rotation day he swaps slots with a random guard of
the same city (rotation every 3-6 months: data/border_security.csv). At the end of his service his earnings
from bribes, cuts and fee shares are recorded (the "5 million won before discharge" of seed-hoeryong-2007 is
a check on that number) and a new recruit with no earnings takes his slot.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.engine import slots as S
from nkborder.engine.rng import ROTATE, stream_key, uniform
from nkborder.engine.state import Guards


@njit(cache=True)
def guards_day(
    d: int, seed: np.uint64, guards: Guards, rotation_days: float, service_days: float, daily: np.ndarray
) -> None:
    """Discharge and rotate the guards due on day ``d``."""
    key = stream_key(seed, ROTATE, d)
    n = guards.city.shape[0]
    for g in range(n):
        c = guards.city[g]
        if d >= guards.service_end[g]:
            daily[d, c, S.GUARDS_DISCHARGED] += 1
            daily[d, c, S.GUARD_SERVICE_EARNINGS_CNY] += guards.earnings_cny[g]
            guards.earnings_cny[g] = 0.0
            guards.service_end[g] = d + int(service_days)
        if d >= guards.next_rotation[g]:
            a = guards.city_slot_start[c]
            n_slots = guards.city_slot_start[c + 1] - a
            other_slot = a + int(uniform(key, g) * n_slots)
            other = guards.slot_guard[other_slot]
            mine = guards.slot[g]
            guards.slot_guard[mine] = other
            guards.slot[other] = mine
            guards.slot_guard[other_slot] = g
            guards.slot[g] = other_slot
            guards.next_rotation[g] = d + int(rotation_days * (0.5 + uniform(key, g + n)))
