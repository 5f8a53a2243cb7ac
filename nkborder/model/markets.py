"""Markets (daily) and the currency reform.

Daily turnover of a city's jangmadang, in CNY, is the state's tolerance times the sum of: domestic trade
(per resident), official imports sold in the city (its share of China-DPRK trade), smuggled goods (times a
markup) and trade financed by donju capital. It is recorded in CNY and in KPW at the day's rate (the KPW
turnover is shared among trading households at the end of the month). Tolerance falls under crackdowns,
sanctions, state control of trade and the sealed border (:func:`nkborder.model.policy.build_environment`).
The 2009 redenomination wipes won cash above the exchange limit and divides the rest by 100.
"""

from __future__ import annotations

import numpy as np

from nkborder.core import slots as S
from nkborder.core.jit import inner_kernel
from nkborder.core.state import CityState, Households


@inner_kernel
def markets_day(
    d: int, cities: CityState, tolerance: np.ndarray, trade_cny: np.ndarray, rate: np.ndarray,
    cny_per_resident: float, smuggled_markup: float, donju_turnover: float, daily: np.ndarray,
) -> None:
    """Market turnover of day ``d`` for every city (per-city arrays hold the day's values)."""
    for c in range(cities.turnover_month_kpw.shape[0]):
        residents = cities.status_counts[c, S.RESIDENT]
        cny = tolerance[c] * (cny_per_resident * residents + trade_cny[c]
                              + smuggled_markup * cities.smuggled_today_cny[c]
                              + donju_turnover * cities.donju_capital[c])
        cities.turnover_month_kpw[c] += cny * rate[c]
        cities.smuggled_today_cny[c] = 0.0
        daily[d, c, S.MARKET_TURNOVER_KPW] = cny * rate[c]
        daily[d, c, S.MARKET_TURNOVER_CNY] = cny


@inner_kernel
def redenominate(
    d: int, c: int, hh: Households, cities: CityState, limit_kpw: float, wiped_share: float,
    old_rate: float, daily: np.ndarray,
) -> None:
    """Redenomination 100:1 for city ``c``: won above ``limit_kpw`` per household is (partly) wiped out."""
    for h in range(cities.household_start[c], cities.household_start[c + 1]):
        excess = max(0.0, hh.kpw[h] - limit_kpw)
        wiped = excess * wiped_share
        daily[d, c, S.CONFISCATED_CNY] += wiped / old_rate
        hh.kpw[h] = (hh.kpw[h] - wiped) / 100.0
        hh.income_kpw[h] /= 100.0
        hh.income_year_kpw[h] /= 100.0
    cities.turnover_month_kpw[c] /= 100.0
