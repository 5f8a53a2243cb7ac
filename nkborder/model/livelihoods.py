"""Livelihoods (monthly): who is at home, remittances from South Korea, and the household budget.

A household's monthly income (KPW) = state wages of its working members + its share of last month's market
turnover if it trades + returns on donju capital + smuggling profit + remittances received. Hardship is the
share of food needs (rice price x grain need, higher in famine) that income and savings could not buy: the
economic pressure that drives discontent and intentions. Part of the food needs is met without money
(``coping``: kitchen plots, kin, odd work paid in food; lost in a famine), so the household buys only the rest,
and its hunger, the share of food needs met neither way, is ``max(0, hardship - coping)``: hunger, not
hardship, kills (:mod:`nkborder.model.demography`). A share of the surplus is spent, the rest saved, split
between won and yuan. Donju lose a share of their capital
to seizures each month (crackdowns, the sealed border and trade under state control).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.prefetch import AHEAD, prefetch
from nkborder.core.rng import REMIT, REMIT_BROKER, stream_key, uniform
from nkborder.core.state import Brokers, CityState, Households, KernelParams, People
from nkborder.model.common import pick_broker
from nkborder.model.policy import Environment

WORK_AGE_DAYS = (17.0 * 365.25, 60.0 * 365.25)
#: Ages (days) at which a person can smuggle: the same 18-55 as the smugglers chosen at initialisation.
SMUGGLER_AGE_DAYS = (18.0 * 365.25, 55.0 * 365.25)


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
def hand_over_smuggling(people: People, hh: Households, day: int) -> None:
    """A household keeps its smuggling when its smuggler can no longer do it.

    A smuggler who has died, is in China or South Korea (or held in Chinese detention), or has turned 55 on
    ``day`` gives the household's trips to its first member (in person order: the chain of
    ``hh.first_member`` and ``people.next_member``) at home and aged 18-55, as at initialisation; with no such
    member the household keeps its smuggler (who may come back). Smuggling is a household's livelihood
    ("Traders like Lee Suk-jeong ... built entire livelihoods on this flow of goods", seed-hyesan-2024), not
    one person's: without the hand-over the smugglers of 1995 would age, die and leave and the river trade would
    shrink for that reason alone.
    """
    for h in range(hh.smuggler.shape[0]):
        s = hh.smuggler[h]
        if s < 0:
            continue
        gone = people.status[s] != S.RESIDENT and people.status[s] != S.DETAINED
        if not (gone or day - people.birth_day[s] >= SMUGGLER_AGE_DAYS[1]):
            continue
        i = hh.first_member[h]  # the household's members in person order
        while i >= 0:
            age = day - people.birth_day[i]
            if people.status[i] == S.RESIDENT and SMUGGLER_AGE_DAYS[0] <= age < SMUGGLER_AGE_DAYS[1]:
                hh.smuggler[h] = i
                break
            i = people.next_member[i]


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
    month: int, day: int, hh: Households, cities: CityState, env: Environment, kp: KernelParams,
    daily: np.ndarray, monthly: np.ndarray, incomes: np.ndarray, n_live_out: np.ndarray,
) -> None:
    """Income, food, hardship, hunger, spending and saving of every household for the month that just ended.

    Reads the environment of ``day`` per city: food cost (KPW per person-month), state wage (KPW per month),
    exchange rate (KPW per CNY), market tolerance, the month's seizure of donju capital and the share of food
    needs met without money (``coping``). ``hh.hardship`` is the share of the food needs that the household's
    money could not buy; its hunger, the share not met at all, is ``max(0, hardship - coping)``
    (:func:`hunger`). Writes the month's income mean, hardship and hunger (all households, those that trade and
    those that do not), wealth and donju capital per city into ``monthly[month]``, and the incomes of the
    households at home of city ``c`` into ``incomes[household_start[c]:][:n_live_out[c]]`` (the caller computes
    their Gini with NumPy's faster sort).
    """
    # the parameters as values before the loop (a field of the record may be reloaded after each store to an array)
    trade_margin, invest_share, donju_return = kp.trade_margin, kp.donju_invest_share, kp.donju_return_month
    consume_surplus, yuan_share = kp.consume_surplus, kp.yuan_savings_share
    n_c = cities.household_start.shape[0] - 1
    for c in range(n_c):
        food_cost, wage, rate = env.food_cost_kpw[day, c], env.wage_kpw[day, c], env.kpw_per_cny[day, c]
        tolerance, seizure, coping = env.tolerance[day, c], env.seizure[day, c], env.coping[day, c]
        a, b = cities.household_start[c], cities.household_start[c + 1]
        weight = 0.0
        for h in range(a, b):  # households that trade: a trader household with a working-age member at home
            if hh.trader[h] == 1 and hh.n_workers[h] > 0:
                weight += hh.skill[h]
        trade_pool = cities.turnover_month_kpw[c] * trade_margin
        city_incomes = incomes[a:b]
        n_live, capital, wealth_sum = 0, 0.0, 0.0
        persons = np.zeros(2)  # [not trading, trading]
        hardship_sum = np.zeros(2)
        hunger_sum = np.zeros(2)
        for h in range(a, b):
            n = hh.n_home[h]
            if n == 0:
                hh.income_kpw[h] = 0.0
                hh.smuggle_cny[h] = 0.0
                hh.remit_cny[h] = 0.0
                continue
            trades = hh.trader[h] == 1 and hh.n_workers[h] > 0
            cash = wage * (hh.n_workers[h] - (1 if trades else 0))
            if trades and weight > 0:
                cash += trade_pool * hh.skill[h] / weight
            if hh.donju[h]:
                invest = invest_share * tolerance * hh.cny[h]
                hh.cny[h] -= invest
                hh.capital_cny[h] += invest
                cash += hh.capital_cny[h] * donju_return * tolerance * rate
                seized = hh.capital_cny[h] * seizure
                hh.capital_cny[h] -= seized
                daily[day, c, S.CONFISCATED_CNY] += seized
                daily[day, c, S.DONJU_SEIZED_CNY] += seized
                capital += hh.capital_cny[h]
            income = cash + (hh.smuggle_cny[h] + hh.remit_cny[h]) * rate  # the latter are already banked
            hh.kpw[h] += cash
            money = hh.kpw[h] + hh.cny[h] * rate
            need = n * food_cost
            to_buy = need * (1.0 - coping)  # the rest comes from plots, kin and odd work paid in food
            food = min(to_buy, money)
            spend = min(money, food + consume_surplus * max(0.0, income - to_buy))
            hh.hardship[h] = 1.0 - min(need, money) / need if need > 0 else 0.0
            money -= spend
            hh.cny[h] = yuan_share * money / rate
            hh.kpw[h] = (1.0 - yuan_share) * money
            hh.income_kpw[h] = income
            hh.income_year_kpw[h] += income
            hh.smuggle_cny[h] = 0.0
            hh.remit_cny[h] = 0.0
            city_incomes[n_live] = income
            n_live += 1
            k = 1 if trades else 0
            persons[k] += n
            hardship_sum[k] += hh.hardship[h] * n
            hunger_sum[k] += hunger(hh.hardship[h], coping) * n
            wealth_sum += money / rate
        cities.turnover_month_kpw[c] = 0.0
        cities.donju_capital[c] = capital
        n_live_out[c] = n_live
        if n_live > 0:
            monthly[month, c, S.INCOME_MEAN_KPW] = city_incomes[:n_live].mean()
            monthly[month, c, S.HARDSHIP_MEAN] = hardship_sum.sum() / persons.sum()
            monthly[month, c, S.HUNGER_MEAN] = hunger_sum.sum() / persons.sum()
            monthly[month, c, S.WEALTH_MEAN_CNY] = wealth_sum / n_live
        for k, (hardship_slot, hunger_slot) in enumerate(((S.HARDSHIP_NONTRADER_MEAN, S.HUNGER_NONTRADER_MEAN),
                                                          (S.HARDSHIP_TRADER_MEAN, S.HUNGER_TRADER_MEAN))):
            if persons[k] > 0:
                monthly[month, c, hardship_slot] = hardship_sum[k] / persons[k]
                monthly[month, c, hunger_slot] = hunger_sum[k] / persons[k]
        monthly[month, c, S.DONJU_CAPITAL_CNY] = capital


@njit(cache=True, inline="always")
def hunger(hardship: float, coping: float) -> float:
    """Share of a household's food needs met neither by money nor by coping: ``max(0, hardship - coping)``."""
    return max(0.0, hardship - coping)


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all); NumPy, not a kernel."""
    x = np.sort(values)
    n = x.shape[0]
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * np.sum(ranks * x)) / (n * total) - (n + 1.0) / n)
