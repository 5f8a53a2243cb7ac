"""Livelihoods (monthly): who is at home, remittances from South Korea, and the household budget.

A household's monthly income (KPW) = state wages of its working members + its share of last month's market
turnover if it trades + returns on donju capital + smuggling profit + remittances received. Food costs
(rice price x grain need, higher in famine) come first; hardship is the share of food needs that income and
savings could not cover. A share of the surplus is spent, the rest saved, split between won and yuan.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.prefetch import AHEAD, prefetch
from nkborder.core.rng import REMIT, REMIT_BROKER, stream_key, uniform
from nkborder.core.state import Brokers, CityState, Households, People
from nkborder.model.common import pick_broker

WORK_AGE_DAYS = (17.0 * 365.25, 60.0 * 365.25)


@njit(cache=True)
def census(people: People, hh: Households, cities: CityState, day: int, south_korea: np.ndarray) -> int:
    """Count each household's members by status and the mean outside information of each inminban.

    Also lists the people in South Korea (in person order) in ``south_korea``, for :func:`remittances`; returns
    how many there are.
    """
    hh.n_home[:] = 0
    hh.n_china[:] = 0
    hh.n_south_korea[:] = 0
    hh.n_workers[:] = 0
    ib_sum = np.zeros(cities.inminban_info.shape[0])
    ib_n = np.zeros(cities.inminban_info.shape[0])
    n_south_korea = 0
    n = people.count[0]
    household, status, birth_day, info = people.household, people.status, people.birth_day, people.info
    n_home, n_workers, n_china, inminban = hh.n_home, hh.n_workers, hh.n_china, hh.inminban
    for i in range(n):
        ahead = household[min(i + AHEAD, n - 1)]  # children's households are scattered: fetch them early
        prefetch(n_home, ahead)
        prefetch(n_workers, ahead)
        prefetch(inminban, ahead)
        h = household[i]
        s = status[i]
        if s == S.RESIDENT:
            n_home[h] += 1
            age = day - birth_day[i]
            n_workers[h] += (WORK_AGE_DAYS[0] <= age) & (age < WORK_AGE_DAYS[1])  # no branch: ages are mixed
            ib = inminban[h]
            ib_sum[ib] += info[i]
            ib_n[ib] += 1.0
        elif s == S.IN_CHINA:
            n_china[h] += 1
        elif s == S.IN_SOUTH_KOREA:
            hh.n_south_korea[h] += 1
            south_korea[n_south_korea] = i
            n_south_korea += 1
    for ib in range(ib_sum.shape[0]):
        cities.inminban_info[ib] = ib_sum[ib] / ib_n[ib] if ib_n[ib] > 0 else 0.0
    return n_south_korea


@njit(cache=True)
def remittances(
    month: int, day: int, seed: np.uint64, people: People, hh: Households, brokers: Brokers,
    commission: np.ndarray, contact: np.ndarray, remit_prob: float, remit_cny: float, daily: np.ndarray,
    south_korea: np.ndarray,
) -> None:
    """Defectors in South Korea (``south_korea``: the census's list) send money home through a broker.

    ``commission`` and ``contact`` are the day's values per city (surveillance and closure raise the first and
    cut the second). Money leaves the sender (outside the model), the commission enters a broker's account, the
    rest the household's yuan.
    """
    key = stream_key(seed, REMIT, month)
    key_b = stream_key(seed, REMIT_BROKER, month)
    for i in south_korea:
        h = people.household[i]
        if hh.n_home[h] == 0:
            continue
        c = people.city[i]
        if uniform(key, i) >= remit_prob * contact[c]:
            continue
        fee = remit_cny * commission[c]
        b = pick_broker(brokers, c, key_b, i)
        brokers.earnings_cny[b] += fee
        hh.cny[h] += remit_cny - fee
        hh.remit_cny[h] += remit_cny - fee
        daily[day, c, S.REMITTANCES_GROSS_CNY] += remit_cny
        daily[day, c, S.REMITTANCES_CNY] += remit_cny - fee
        daily[day, c, S.BROKER_COMMISSION_CNY] += fee
        daily[day, c, S.BROKER_INCOME_CNY] += fee


@njit(cache=True)
def household_budgets(
    month: int, day: int, hh: Households, cities: CityState, food_cost: np.ndarray, wage: np.ndarray,
    rate: np.ndarray, tolerance: np.ndarray, crackdown: np.ndarray, trade_margin: float,
    donju_invest: float, donju_return: float, confiscation: float, consume_surplus: float, yuan_share: float,
    daily: np.ndarray, monthly: np.ndarray, incomes: np.ndarray, n_live_out: np.ndarray,
) -> None:
    """Income, food, hardship, spending and saving of every household for the month that just ended.

    Per-city arguments (``food_cost`` KPW per person-month, ``wage`` KPW per month, ``rate`` KPW per CNY,
    ``tolerance``, ``crackdown``) are the values on ``day``. Writes the month's income mean, hardship, wealth and
    donju capital per city into ``monthly[month]``, and the incomes of the households at home of city ``c`` into
    ``incomes[household_start[c]:][:n_live_out[c]]`` (the caller computes their Gini with NumPy's faster sort).
    """
    n_c = cities.household_start.shape[0] - 1
    for c in range(n_c):
        a, b = cities.household_start[c], cities.household_start[c + 1]
        weight = 0.0
        for h in range(a, b):  # households that trade: a trader household with a working-age member at home
            if hh.trader[h] == 1 and hh.n_workers[h] > 0:
                weight += hh.skill[h]
        trade_pool = cities.turnover_month_kpw[c] * trade_margin
        city_incomes = incomes[a:b]
        n_live, persons, hardship_sum, wealth_sum, capital = 0, 0, 0.0, 0.0, 0.0
        for h in range(a, b):
            n = hh.n_home[h]
            if n == 0:
                hh.income_kpw[h] = 0.0
                hh.smuggle_cny[h] = 0.0
                hh.remit_cny[h] = 0.0
                continue
            trades = hh.trader[h] == 1 and hh.n_workers[h] > 0
            cash = wage[c] * (hh.n_workers[h] - (1 if trades else 0))
            if trades and weight > 0:
                cash += trade_pool * hh.skill[h] / weight
            if hh.donju[h]:
                invest = donju_invest * tolerance[c] * hh.cny[h]
                hh.cny[h] -= invest
                hh.capital_cny[h] += invest
                cash += hh.capital_cny[h] * donju_return * tolerance[c] * rate[c]
                seized = hh.capital_cny[h] * confiscation * crackdown[c]
                hh.capital_cny[h] -= seized
                daily[day, c, S.CONFISCATED_CNY] += seized
                capital += hh.capital_cny[h]
            income = cash + (hh.smuggle_cny[h] + hh.remit_cny[h]) * rate[c]  # the latter are already banked
            hh.kpw[h] += cash
            money = hh.kpw[h] + hh.cny[h] * rate[c]
            need = n * food_cost[c]
            food = min(need, money)
            spend = min(money, food + consume_surplus * max(0.0, income - need))
            money -= spend
            hh.cny[h] = yuan_share * money / rate[c]
            hh.kpw[h] = (1.0 - yuan_share) * money
            hh.hardship[h] = 1.0 - food / need if need > 0 else 0.0
            hh.income_kpw[h] = income
            hh.income_year_kpw[h] += income
            hh.smuggle_cny[h] = 0.0
            hh.remit_cny[h] = 0.0
            city_incomes[n_live] = income
            n_live += 1
            persons += n
            hardship_sum += hh.hardship[h] * n
            wealth_sum += money / rate[c]
        cities.turnover_month_kpw[c] = 0.0
        cities.donju_capital[c] = capital
        n_live_out[c] = n_live
        if n_live > 0:
            monthly[month, c, S.INCOME_MEAN_KPW] = city_incomes[:n_live].mean()
            monthly[month, c, S.HARDSHIP_MEAN] = hardship_sum / persons
            monthly[month, c, S.WEALTH_MEAN_CNY] = wealth_sum / n_live
        monthly[month, c, S.DONJU_CAPITAL_CNY] = capital


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all); NumPy, not a kernel."""
    x = np.sort(values)
    n = x.shape[0]
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * np.sum(ranks * x)) / (n * total) - (n + 1.0) / n)
