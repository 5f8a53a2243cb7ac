"""Households, inminban and cities of the reference model: plain Python objects, no agents of their own.

A household holds the family's money and its monthly budget (after ``nkborder/model/livelihoods.py``) and
belongs to an inminban and a district; a city holds its market, its river sectors with their guard posts (and
which of them are manned today), its brokers, and the count of its people by status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from nkborder.core import slots as S

if TYPE_CHECKING:
    from reference.agents import Broker, Guard, Person


@dataclass(eq=False)
class Inminban:
    """A neighbourhood unit; ``info`` is its residents' mean outside information at the last census."""

    info: float = 0.0
    info_sum: float = 0.0
    residents: int = 0

    def close_census(self) -> None:
        """Turn the census sums into last month's mean information."""
        self.info = self.info_sum / self.residents if self.residents > 0 else 0.0


@dataclass(eq=False)
class Household:
    """A family: its money (won and yuan), trade, smuggler, donju capital and the monthly census of members."""

    city: City
    inminban: Inminban
    trader: bool
    skill: float
    donju: bool
    district: int = 0  # district of the city, 0-based
    kpw: float = 0.0
    cny: float = 0.0
    smuggler: Person | None = None
    capital_cny: float = 0.0
    income_kpw: float = 0.0
    income_year_kpw: float = 0.0
    hardship: float = 0.0
    smuggle_cny: float = 0.0
    remit_cny: float = 0.0
    n_home: int = 0
    n_china: int = 0
    n_south_korea: int = 0
    n_workers: int = 0

    def start_census(self) -> None:
        """Forget last month's head count."""
        self.n_home = self.n_china = self.n_south_korea = self.n_workers = 0

    def wealth_cny(self, rate: float) -> float:
        """Yuan plus won at the day's rate."""
        return self.cny + self.kpw / rate

    def pay_cny(self, amount: float, rate: float) -> None:
        """Pay ``amount`` CNY: yuan first, the rest in won at the day's rate (the caller checks the means)."""
        from_cny = min(self.cny, amount)
        self.cny -= from_cny
        self.kpw = max(0.0, self.kpw - (amount - from_cny) * rate)

    @property
    def trades(self) -> bool:
        """A trader household with a member of working age at home."""
        return self.trader and self.n_workers > 0

    def budget(self, trade_pool: float, trade_weight: float, t: dict, p, record) -> float | None:
        """Income, food, hardship, spending and saving of the month that ended; returns the income.

        ``t`` holds the day's conditions of the household's city (wage, food cost, rate, tolerance, seizure of
        donju capital, share of food met without money). Returns None for a household with nobody at home (it
        has no budget this month).
        """
        n = self.n_home
        if n == 0:
            self.income_kpw = self.smuggle_cny = self.remit_cny = 0.0
            return None
        rate = t["rate"]
        trades = self.trades
        cash = t["wage"] * (self.n_workers - (1 if trades else 0))
        if trades and trade_weight > 0:
            cash += trade_pool * self.skill / trade_weight
        if self.donju:
            cash += self.run_donju_capital(t, p, record)
        income = cash + (self.smuggle_cny + self.remit_cny) * rate  # smuggling and remittances already banked
        self.kpw += cash
        money = self.kpw + self.cny * rate
        need = n * t["food"]
        to_buy = need * (1.0 - t["coping"])  # the rest from plots, kin and odd work paid in food
        food = min(to_buy, money)
        spend = min(money, food + p.consume_surplus * max(0.0, income - to_buy))
        self.hardship = 1.0 - min(need, money) / need if need > 0 else 0.0  # the share money could not buy
        money -= spend
        self.cny = p.yuan_savings_share * money / rate
        self.kpw = (1.0 - p.yuan_savings_share) * money
        self.income_kpw = income
        self.income_year_kpw += income
        self.smuggle_cny = self.remit_cny = 0.0
        return income

    def run_donju_capital(self, t: dict, p, record) -> float:
        """A donju invests part of his yuan in the market, earns on the capital, and loses the month's seized
        share (crackdowns, the sealed border, trade under state control)."""
        invest = p.donju_invest_share * t["tolerance"] * self.cny
        self.cny -= invest
        self.capital_cny += invest
        earned = self.capital_cny * p.donju_return_month * t["tolerance"] * t["rate"]
        seized = self.capital_cny * t["seizure"]
        self.capital_cny -= seized
        record(self.city.index, S.CONFISCATED_CNY, seized)
        record(self.city.index, S.DONJU_SEIZED_CNY, seized)
        return earned

    def redenominate(self, limit_kpw: float, wiped_share: float) -> float:
        """The 100:1 currency reform: won above the limit is partly wiped out; returns the won wiped."""
        wiped = max(0.0, self.kpw - limit_kpw) * wiped_share
        self.kpw = (self.kpw - wiped) / 100.0
        self.income_kpw /= 100.0
        self.income_year_kpw /= 100.0
        return wiped


@dataclass(eq=False)
class City:
    """A city: households, guard posts, brokers, the market, and its people counted by status."""

    index: int
    name: str
    n_sectors: int
    guards_per_sector: int
    n_districts: int
    first_sector: int  # index of the city's first sector in the model's per-sector records
    households: list[Household] = field(default_factory=list)
    posts: list[Guard] = field(default_factory=list)  # post k < base_posts: sector k // guards_per_sector
    on_duty: int = 0  # posts manned today
    manned_posts: list[int] = field(default_factory=list)  # today's manned posts
    manned_by_sector: list[list[int]] = field(default_factory=list)  # today's manned posts of each sector
    brokers: list[Broker] = field(default_factory=list)
    commission: float = 0.25  # the month's remittance commission (``brokers.commission_rate``)
    counts: list[int] = field(default_factory=lambda: [0] * S.N_STATUS)  # people by status (core.slots)
    turnover_month_kpw: float = 0.0
    smuggled_today_cny: float = 0.0
    donju_capital: float = 0.0

    def budgets(self, t: dict, p, record) -> dict[int, float]:
        """Every household's budget for the month that ended; returns the city's monthly means by slot."""
        weight = sum(h.skill for h in self.households if h.trades)  # those who trade
        pool = self.turnover_month_kpw * p.trade_margin
        incomes: list[float] = []
        persons, hardship, hunger = [0, 0], [0.0, 0.0], [0.0, 0.0]  # [not trading, trading]
        wealth, capital = 0.0, 0.0
        for h in self.households:
            trades = h.trades  # before the budget (it does not change n_workers)
            income = h.budget(pool, weight, t, p, record)
            if income is None:
                continue
            incomes.append(income)
            persons[trades] += h.n_home
            hardship[trades] += h.hardship * h.n_home
            hunger[trades] += max(0.0, h.hardship - t["coping"]) * h.n_home
            wealth += h.wealth_cny(t["rate"])
            if h.donju:
                capital += h.capital_cny
        self.turnover_month_kpw = 0.0
        self.donju_capital = capital
        means = {S.DONJU_CAPITAL_CNY: capital}
        if incomes:
            means[S.INCOME_MEAN_KPW] = sum(incomes) / len(incomes)
            means[S.INCOME_GINI] = gini(incomes)
            means[S.HARDSHIP_MEAN] = sum(hardship) / sum(persons)
            means[S.HUNGER_MEAN] = sum(hunger) / sum(persons)
            means[S.WEALTH_MEAN_CNY] = wealth / len(incomes)
        if persons[0] > 0:
            means[S.HARDSHIP_NONTRADER_MEAN] = hardship[0] / persons[0]
            means[S.HUNGER_NONTRADER_MEAN] = hunger[0] / persons[0]
        if persons[1] > 0:
            means[S.HARDSHIP_TRADER_MEAN] = hardship[1] / persons[1]
            means[S.HUNGER_TRADER_MEAN] = hunger[1] / persons[1]
        return means

    def choose_sector(self, rng, district: int, home_share: float) -> int:
        """The sector a person of ``district`` goes to: usually one facing the district, else any sector.

        The city lies along the river: district ``k`` of ``D`` faces sectors ``k S / D`` up to
        ``(k + 1) S / D`` (at least one).
        """
        if rng.random() < home_share:
            first = district * self.n_sectors // self.n_districts
            last = max(first + 1, (district + 1) * self.n_sectors // self.n_districts)
            return rng.choice(range(first, last))
        return rng.choice(range(self.n_sectors))

    @property
    def base_posts(self) -> int:
        """Posts at the 2006 density: ``guards_per_sector`` in every sector; any further posts come after them."""
        return self.n_sectors * self.guards_per_sector

    def post_sector_and_level(self, post: int) -> tuple[int, int]:
        """Sector of a post and its level there (0 = the sector's first post); extra post ``j`` (counted from
        ``base_posts``) is in sector ``j mod n_sectors``, above the sector's posts at the 2006 density."""
        per = self.guards_per_sector
        if post < self.base_posts:
            return post // per, post % per
        j = post - self.base_posts
        return j % self.n_sectors, per + j // self.n_sectors

    def post_guards(self, troops: float) -> None:
        """Man ``round(base_posts x troops)`` posts today (at least one per sector, at most all posts), level by
        level across the sectors: every sector's first post, then every sector's second, ..."""
        on_duty = min(len(self.posts), max(self.n_sectors, round(self.base_posts * troops)))
        if on_duty == self.on_duty:
            return
        self.on_duty = on_duty
        ranked = sorted(range(len(self.posts)), key=lambda k: self.post_sector_and_level(k)[::-1])
        self.manned_posts = ranked[:self.on_duty]
        self.manned_by_sector = [[] for _ in range(self.n_sectors)]
        for k in sorted(self.manned_posts):
            self.manned_by_sector[self.post_sector_and_level(k)[0]].append(k)

    def is_manned(self, post: int) -> bool:
        """Whether ``post`` is manned today."""
        return post in self.manned_by_sector[self.post_sector_and_level(post)[0]]

    def find_broker(self, rng, day: int, open_share: float, p) -> Broker | None:
        """``brokers.find_broker``: one of ``broker_tries`` brokers asked (with replacement) who is in place, has
        an open route and room this month; None if nobody can guarantee a route."""
        for _ in range(int(p.broker_tries)):
            broker = self.brokers[int(rng.random() * len(self.brokers))]
            if broker.booked < p.broker_capacity_month and broker.present(day, open_share):
                return broker
        return None

    def brokers_month(self, day: int, open_share: float, p) -> float:
        """A new month (``engine.month.brokers_step``): no bookings; the commission from the brokers who can
        work (``brokers.commission_rate``)."""
        for broker in self.brokers:
            broker.booked = 0
        self.commission = p.commission_base + (p.commission_max - p.commission_base) * (
            1.0 - self.working_brokers(day, open_share) / max(len(self.brokers), 1))
        return self.commission

    def working_brokers(self, day: int, open_share: float) -> int:
        """Brokers in place with an open route (``brokers.working_brokers``)."""
        return sum(1 for broker in self.brokers if broker.present(day, open_share))

    def guard_at(self, sector: int, rng) -> Guard:
        """One of the guards on duty at ``sector``."""
        manned = self.manned_by_sector[sector]
        return self.posts[manned[int(rng.random() * len(manned))]]

    def market_day(self, tolerance: float, trade_cny: float, rate: float, p) -> float:
        """The day's market turnover in won: domestic trade, official imports, smuggled goods, donju trade."""
        cny = tolerance * (p.market_cny_per_capita_day * self.counts[S.RESIDENT] + trade_cny
                           + p.smuggled_markup * self.smuggled_today_cny
                           + p.donju_turnover_per_cny * self.donju_capital)
        self.turnover_month_kpw += cny * rate
        self.smuggled_today_cny = 0.0
        return cny * rate


def gini(values: list[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), float(x.sum())
    if n == 0 or total <= 0:
        return 0.0
    return float(2.0 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1.0) / n)
