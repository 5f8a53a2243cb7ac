"""A simulation run: scenario + parameters + seed -> state -> monthly and daily phases -> raw records.

``Simulation(scenario, params, seed, scale).run(progress)`` returns :class:`RawRecords` (arrays);
:mod:`nkborder.engine.record` turns them into the daily, monthly and yearly tables users see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nkborder.engine import slots as S
from nkborder.engine.daily import run_days
from nkborder.engine.rng import seed_key
from nkborder.engine.state import kernel_params
from nkborder.engine.tracking import resident_smugglers, tracked_people
from nkborder.model.defection import plan_attempts
from nkborder.model.demography import BIRTH_AGE_DAYS, births_and_deaths
from nkborder.model.information import information_and_discontent
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
    n_guards: np.ndarray  # guards per city
    lost_births: int


class Simulation:
    """One run of the model. Build it, then call :meth:`run` once."""

    def __init__(self, scenario: Scenario, params: Params, seed: int = 0, scale: float = 1.0) -> None:
        if not 0.0 < scale <= 20.0:
            raise ValueError(f"scale {scale} outside (0, 20]")
        self.scenario, self.params, self.seed, self.scale = scenario, params, seed, scale
        self.n_days = (scenario.end - scenario.start).days + 1
        env = build_environment(scenario, params)
        self.env = env._replace(trade_cny_day=env.trade_cny_day * scale)
        self.pop: Population = build_population(params, scenario.cities, scale, seed, self.n_days)
        self.kp = kernel_params(params)
        self.key = seed_key(seed)
        self.month_starts = _month_starts(scenario.start, self.n_days)
        n_c = len(scenario.cities)
        self.daily = np.zeros((self.n_days, n_c, S.N_DAILY))
        self.monthly = np.full((len(self.month_starts), n_c, S.N_MONTHLY), np.nan)
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
        for m in range(len(self.month_starts)):
            d0, d1 = int(bounds[m]), int(bounds[m + 1])
            date0 = self.scenario.start + dt.timedelta(days=d0)
            if date0.month == 1 and m > 0:
                yearly_gini[date0.year - 1] = self._income_gini()
                hh.income_year_kpw[:] = 0.0
            census(people, hh, cities, d0)
            remittances(m, d0, key, people, hh, pop.brokers, env.commission[d0], env.contact[d0],
                        kp.remit_prob_month, kp.remit_cny, self.daily)
            household_budgets(
                m, d0, hh, cities, env.food_cost_kpw[d0], env.wage_kpw[d0], env.kpw_per_cny[d0],
                env.tolerance[d0], env.crackdown[d0], kp.trade_margin, kp.donju_invest_share,
                kp.donju_return_month, kp.crackdown_confiscation, kp.consume_surplus, kp.yuan_savings_share,
                self.daily, self.monthly, incomes, n_live,
            )
            self._monthly_gini(m, incomes, n_live)
            lost += births_and_deaths(m, d0, d1 - d0, key, people, cities, kp.death_rate, env.famine_death[d0],
                                      self.fertility, self.daily)
            information_and_discontent(
                m, people, hh, cities, env.contact[d0], env.tolerance[d0], kp.info_decay, kp.info_kin,
                kp.info_market, kp.info_inminban, kp.discontent_intercept, kp.discontent_info,
                kp.discontent_hardship, kp.discontent_rate, self.monthly,
            )
            n_res = int(cities.status_counts[:, S.RESIDENT].sum())
            schedule = np.empty(n_res, np.int64)
            schedule_day = np.empty(n_res, np.int64)
            k = plan_attempts(
                m, d0, d1 - d0, key, people, hh, env.risk[d0], kp.intent_intercept, kp.intent_hardship,
                kp.intent_discontent, kp.intent_info, kp.intent_kin, kp.intent_female, kp.intent_risk,
                schedule, schedule_day, self.monthly,
            )
            order = np.argsort(schedule_day[:k], kind="stable")
            smugglers = resident_smugglers(people, hh)
            tracked = int(cities.status_counts[:, S.IN_CHINA].sum() + cities.status_counts[:, S.DETAINED].sum())
            active, n_active = tracked_people(people, tracked + k + len(smugglers) + 16)
            run_days(d0, d1, key, people, hh, pop.guards, pop.brokers, cities, env, kp, pop.n_sectors,
                     schedule[:k][order], schedule_day[:k][order], k, smugglers, active, n_active, self.daily)
            if progress is not None:
                progress(self.scenario.start + dt.timedelta(days=d1 - 1), d1, self.n_days)
        last = self.scenario.start + dt.timedelta(days=self.n_days - 1)
        yearly_gini[last.year] = self._income_gini()
        n_guards = np.bincount(pop.guards.city, minlength=len(self.scenario.cities))
        return RawRecords(self.scenario.start, self.scenario.cities, self.daily, self.monthly,
                          self.month_starts, yearly_gini, env, n_guards, lost)

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
