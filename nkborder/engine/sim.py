"""A simulation run: scenario + parameters + seed -> state -> monthly and daily phases -> raw records.

``Simulation(scenario, params, seed, scale).run(progress)`` returns :class:`RawRecords` (arrays);
:mod:`nkborder.engine.record` turns them into the daily, monthly and yearly tables users see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nkborder.core import slots as S
from nkborder.core.rng import seed_key
from nkborder.core.state import kernel_params
from nkborder.core.tracking import resident_smugglers
from nkborder.engine.daily import run_days
from nkborder.engine.monthly import people_month
from nkborder.engine.places import district_snapshot
from nkborder.model.demography import BIRTH_AGE_DAYS
from nkborder.model.livelihoods import census, gini, household_budgets, remittances
from nkborder.model.policy import DAYS_PER_MONTH, Environment, build_environment
from nkborder.model.population import Population, build_population
from nkborder.params import Params
from nkborder.scenarios import Scenario

INITIAL_SAVINGS_MONTHS = 2.0  # assumption: households start with two months of food costs in savings
Progress = Callable[[dt.date, int, int], None]


@dataclass
class RawRecords:
    """What a run produced, as arrays indexed [period, city, indicator]."""

    start: dt.date
    cities: tuple[str, ...]
    daily: np.ndarray  # [day, city, S.DAILY slot]
    monthly: np.ndarray  # [month, city, S.MONTHLY slot]
    month_start_days: np.ndarray  # day index of each month's first day
    yearly_gini: dict[int, np.ndarray]  # year -> Gini of annual household income per city
    env: Environment
    lost_births: int
    sectors: np.ndarray  # [month, sector, S.SECTOR slot], sectors numbered across cities
    sector_start: np.ndarray  # first sector of each city, int[n_cities + 1]
    districts: dict[int, np.ndarray]  # year -> [city, district, S.DISTRICT_NAMES] at the end of the year
    n_districts: np.ndarray  # districts per city


class Simulation:
    """One run of the model. Build it, then call :meth:`run` once."""

    def __init__(self, scenario: Scenario, params: Params, seed: int = 0, scale: float = 1.0) -> None:
        if not 0.0 < scale <= 20.0:
            raise ValueError(f"scale {scale} outside (0, 20]")
        self.scenario, self.params, self.seed, self.scale = scenario, params, seed, scale
        self.n_days = (scenario.end - scenario.start).days + 1
        env = build_environment(scenario, params)
        self.env = env._replace(trade_cny_day=env.trade_cny_day * scale)
        self.pop: Population = build_population(params, scenario.cities, scale, seed, self.n_days,
                                                env.troops.max(axis=0))
        self.kp = kernel_params(params)
        self.key = seed_key(seed)
        self.month_starts = _month_starts(scenario.start, self.n_days)
        n_c = len(scenario.cities)
        self.daily = np.zeros((self.n_days, n_c, S.N_DAILY))
        self.monthly = np.full((len(self.month_starts), n_c, S.N_MONTHLY), np.nan)
        self.sectors = np.zeros((len(self.month_starts), int(self.pop.guards.sector_start[-1]), S.N_SECTOR))
        self.district_years: dict[int, np.ndarray] = {}
        self._initial_conditions()

    def _initial_conditions(self) -> None:
        """Savings, last month's market turnover and the fertility that gives the crude birth rate."""
        pop, env, p = self.pop, self.env, self.params
        hh, people = pop.households, pop.people
        n0 = int(people.count[0])
        members = np.bincount(people.household[:n0], minlength=len(hh.city))
        hh.kpw[:] = INITIAL_SAVINGS_MONTHS * members * env.food_cost_kpw[0, hh.city]
        residents = pop.cities.status_counts[:, S.RESIDENT]
        daily_cny = env.tolerance[0] * (p.market_cny_per_capita_day * residents + env.trade_cny_day[0])
        pop.cities.turnover_month_kpw[:] = daily_cny * env.kpw_per_cny[0] * DAYS_PER_MONTH
        age = -people.birth_day[:n0]
        women = np.sum((people.female[:n0] == 1) & (age >= BIRTH_AGE_DAYS[0]) & (age < BIRTH_AGE_DAYS[1]))
        self.fertility = p.birth_rate * n0 / max(1, women)

    def run(self, progress: Progress | None = None) -> RawRecords:
        """Run every month of the scenario; ``progress(date, days_done, n_days)`` is called after each month."""
        pop, env, kp, key = self.pop, self.env, self.kp, self.key
        people, hh, cities = pop.people, pop.households, pop.cities
        yearly_gini: dict[int, np.ndarray] = {}
        lost = 0
        incomes = np.empty(len(hh.city))
        n_live = np.zeros(len(self.scenario.cities), np.int64)
        bounds = np.r_[self.month_starts, self.n_days]
        capacity = people.status.shape[0]
        schedule = np.empty(capacity, np.int64)  # the month's planned attempts (buffers reused every month)
        schedule_day = np.empty(capacity, np.int64)
        tracked = np.empty(capacity, np.int64)
        south_korea = np.empty(capacity, np.int64)
        for m in range(len(self.month_starts)):
            d0, d1 = int(bounds[m]), int(bounds[m + 1])
            date0 = self.scenario.start + dt.timedelta(days=d0)
            if date0.month == 1 and m > 0:
                yearly_gini[date0.year - 1] = self._income_gini()
                self.district_years[date0.year - 1] = self._districts()
                hh.income_year_kpw[:] = 0.0
            n_sk = census(people, hh, cities, d0, south_korea)
            remittances(m, d0, key, people, hh, pop.brokers, env.commission[d0], env.contact[d0],
                        kp.remit_prob_month, kp.remit_cny, self.daily, south_korea[:n_sk])
            household_budgets(
                m, d0, hh, cities, env.food_cost_kpw[d0], env.wage_kpw[d0], env.kpw_per_cny[d0],
                env.tolerance[d0], env.crackdown[d0], kp.trade_margin, kp.donju_invest_share,
                kp.donju_return_month, kp.crackdown_confiscation, kp.consume_surplus, kp.yuan_savings_share,
                self.daily, self.monthly, incomes, n_live,
            )
            self._monthly_gini(m, incomes, n_live)
            n_lost, k, n_tracked = people_month(
                m, d0, d1 - d0, key, people, hh, cities, env, kp, self.fertility, schedule, schedule_day, tracked,
                self.daily, self.monthly,
            )
            lost += n_lost
            smugglers = resident_smugglers(people, hh)
            active = np.empty(n_tracked + k + len(smugglers) + 16, np.int64)
            active[:n_tracked] = tracked[:n_tracked]
            run_days(d0, d1, key, people, hh, pop.guards, pop.brokers, cities, env, kp, pop.n_sectors,
                     schedule[:k], schedule_day[:k], k, smugglers, active, n_tracked, self.daily,
                     self.sectors[m])
            if progress is not None:
                progress(self.scenario.start + dt.timedelta(days=d1 - 1), d1, self.n_days)
        last = self.scenario.start + dt.timedelta(days=self.n_days - 1)
        yearly_gini[last.year] = self._income_gini()
        self.district_years[last.year] = self._districts()
        return RawRecords(self.scenario.start, self.scenario.cities, self.daily, self.monthly,
                          self.month_starts, yearly_gini, env, lost, self.sectors,
                          pop.guards.sector_start, self.district_years, pop.cities.n_districts)

    def _districts(self) -> np.ndarray:
        pop = self.pop
        return district_snapshot(pop.people, pop.households, len(self.scenario.cities),
                                 int(pop.cities.n_districts.max()))

    def _monthly_gini(self, m: int, incomes: np.ndarray, n_live: np.ndarray) -> None:
        """Gini of the month's household incomes per city (written by ``household_budgets``)."""
        starts = self.pop.cities.household_start
        for c in range(len(n_live)):
            if n_live[c] > 0:
                a = int(starts[c])
                self.monthly[m, c, S.INCOME_GINI] = gini(incomes[a:a + int(n_live[c])])

    def _income_gini(self) -> np.ndarray:
        hh, starts = self.pop.households, self.pop.cities.household_start
        out = np.zeros(len(starts) - 1)
        for c in range(len(out)):
            income = hh.income_year_kpw[starts[c]:starts[c + 1]]
            out[c] = gini(income[income > 0]) if np.any(income > 0) else np.nan
        return out


def _month_starts(start: dt.date, n_days: int) -> np.ndarray:
    days = np.datetime64(start, "D") + np.arange(n_days)
    first = days.astype("datetime64[M]").astype("datetime64[D]") == days
    first[0] = True
    return np.flatnonzero(first)
