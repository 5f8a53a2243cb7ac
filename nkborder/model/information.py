"""Information and discontent (monthly).

Outside information (0-1) decays and is renewed by phone calls with kin abroad (cut by surveillance), by market
work (traders and smugglers, scaled by market tolerance) and by what the inminban shares (its members' mean
from last month). Discontent moves toward logistic(a + b_info x info + b_hardship x hardship): "with frequent
access to news from the outside world, discontentment over the country's system there is also high"
(seed-hoeryong-2007).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.engine import slots as S
from nkborder.engine.state import CityState, Households, People
from nkborder.model.common import logistic


@njit(cache=True)
def information_and_discontent(
    month: int, people: People, hh: Households, cities: CityState, contact: np.ndarray,
    tolerance: np.ndarray, decay: float, w_kin: float, w_market: float, w_inminban: float,
    d_intercept: float, d_info: float, d_hardship: float, d_rate: float, monthly: np.ndarray,
) -> None:
    """Update every resident's information and discontent; write their city means into ``monthly[month]``."""
    n_c = monthly.shape[1]
    info_sum = np.zeros(n_c)
    disc_sum = np.zeros(n_c)
    count = np.zeros(n_c)
    for i in range(people.count[0]):
        if people.status[i] != S.RESIDENT:
            continue
        h = people.household[i]
        c = people.city[i]
        kin = 1.0 if hh.n_china[h] + hh.n_south_korea[h] > 0 else 0.0
        works_market = 1.0 if (hh.trader[h] == 1 or hh.smuggler[h] == i) else 0.0
        fresh = (w_kin * kin * contact[c] + w_market * works_market * tolerance[c]
                 + w_inminban * cities.inminban_info[hh.inminban[h]])
        info = decay * people.info[i] + (1.0 - decay) * min(1.0, fresh)
        target = logistic(d_intercept + d_info * info + d_hardship * hh.hardship[h])
        people.info[i] = info
        people.discontent[i] += d_rate * (target - people.discontent[i])
        info_sum[c] += info
        disc_sum[c] += people.discontent[i]
        count[c] += 1.0
    for c in range(n_c):
        if count[c] > 0:
            monthly[month, c, S.INFO_MEAN] = info_sum[c] / count[c]
            monthly[month, c, S.DISCONTENT_MEAN] = disc_sum[c] / count[c]
