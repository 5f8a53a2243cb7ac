"""A simulation run: scenario + parameters + seed -> state -> monthly and daily phases -> raw records.

``Simulation(scenario, params, seed, scale).run(progress)`` returns :class:`RawRecords` (arrays);
:mod:`nkborder.engine.record` turns them into the daily, monthly and yearly tables users see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from nkborder.core import slots as S
from nkborder.core.rng import seed_key
from nkborder.core.state import Agents, Records, kernel_params
from nkborder.engine.daily import run_days
from nkborder.engine.day import DayContext
from nkborder.engine.month import Month
from nkborder.engine.places import district_snapshot
from nkborder.engine.plan import PLAN
from nkborder.inputs.checks import check_scale
from nkborder.model.demography import vital_rates
from nkborder.model.livelihoods import gini
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
    """One run of the model. Build it, then call :meth:`run` once.

    ``summaries=False`` skips what only the tables report and no rule reads: the monthly and yearly Gini of
    household income and the yearly district snapshots (a calibration reads neither); the run is otherwise the
    same, number for number, but has no :meth:`raw` records.
    """

    def __init__(self, scenario: Scenario, params: Params, seed: int = 0, scale: float = 1.0,
                 summaries: bool = True) -> None:
        check_scale(scale, "scale")
        self.scenario, self.params, self.seed, self.scale = scenario, params, seed, scale
        self.summaries = summaries
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
        self.yearly_gini: dict[int, np.ndarray] = {}  # year -> Gini of annual household income per city
        self.finished = False
        self.lost_births = 0  # births that found no room in the people arrays
        self._initial_conditions()

    def _initial_conditions(self) -> None:
        """Savings, last month's market turnover, and the fertility and death rates by age that give the crude
        birth and death rates."""
        pop, env, p = self.pop, self.env, self.params
        hh, people = pop.households, pop.people
        n0 = int(people.count[0])
        members = np.bincount(people.household[:n0], minlength=len(hh.city))
        hh.kpw[:] = INITIAL_SAVINGS_MONTHS * members * env.food_cost_kpw[0, hh.city]
        residents = pop.cities.status_counts[:, S.RESIDENT]
        daily_cny = env.tolerance[0] * (p.market_cny_per_capita_day * residents + env.trade_cny_day[0])
        pop.cities.turnover_month_kpw[:] = daily_cny * env.kpw_per_cny[0] * DAYS_PER_MONTH
        self.vital = vital_rates(p, people.female[:n0], people.birth_day[:n0])

    def run(self, progress: Progress | None = None) -> RawRecords:
        """Run every month of the scenario; ``progress(date, days_done, n_days)`` is called after each month.

        Each month runs the monthly steps of :data:`~nkborder.engine.plan.PLAN`, then its days
        (:func:`~nkborder.engine.daily.run_days`).
        """
        for date, days_done in self.steps():
            if progress is not None:
                progress(date, days_done, self.n_days)
        return self.raw()

    def steps(self) -> Iterator[tuple[dt.date, int]]:
        """Simulate month by month, yielding (last simulated date, days done) after each month.

        The records of the months done so far are readable between steps (:mod:`nkborder.engine.live`); a caller
        that stops iterating stops the run. :meth:`raw` gives the records once every month is done.
        """
        pop = self.pop
        bounds = np.r_[self.month_starts, self.n_days]
        month = Month(pop.people.status.shape[0], len(self.scenario.cities), len(pop.households.city))
        for m in range(len(self.month_starts)):
            month.index, month.first_day, month.end_day = m, int(bounds[m]), int(bounds[m + 1])
            date0 = self.scenario.start + dt.timedelta(days=month.first_day)
            if date0.month == 1 and m > 0:
                if self.summaries:
                    self.yearly_gini[date0.year - 1] = self._income_gini()
                    self.district_years[date0.year - 1] = self._districts()
                pop.households.income_year_kpw[:] = 0.0
            for step in PLAN.monthly:
                step.kernel(self, month)
            run_days(month.first_day, month.end_day, self._today(month))
            yield self.scenario.start + dt.timedelta(days=month.end_day - 1), month.end_day
        if self.summaries:
            last = self.scenario.start + dt.timedelta(days=self.n_days - 1)
            self.yearly_gini[last.year] = self._income_gini()
            self.district_years[last.year] = self._districts()
        self.finished = True

    def raw(self) -> RawRecords:
        """The records of the whole run (after :meth:`steps` is exhausted)."""
        if not self.finished:
            raise RuntimeError("the simulation has not run to its end")
        if not self.summaries:
            raise RuntimeError("the simulation ran without summaries (summaries=False): it has no tables")
        pop = self.pop
        return RawRecords(self.scenario.start, self.scenario.cities, self.daily, self.monthly,
                          self.month_starts, self.yearly_gini, self.env, self.lost_births, self.sectors,
                          pop.guards.sector_start, self.district_years, pop.cities.n_districts)

    @property
    def agents(self) -> Agents:
        """The population as the kernels receive it."""
        pop = self.pop
        return Agents(pop.people, pop.households, pop.guards, pop.brokers, pop.cities, pop.n_sectors)

    def records(self, month: Month) -> Records:
        """The records the kernels of ``month`` add to."""
        return Records(self.daily, self.monthly, self.sectors[month.index])

    def _today(self, month: Month) -> DayContext:
        """What the daily steps of ``month`` read and write."""
        pop, k = self.pop, month.n_scheduled
        return DayContext(self.key, pop.people, pop.households, pop.guards, pop.brokers, pop.cities, self.env,
                          self.kp, pop.n_sectors, month.schedule[:k], month.schedule_day[:k], month.smugglers,
                          month.smuggler_city, month.active, month.releases,
                          np.array([0, month.n_tracked, 0], np.int64), self.daily, self.sectors[month.index])

    def _districts(self) -> np.ndarray:
        pop = self.pop
        return district_snapshot(pop.people, pop.households, len(self.scenario.cities),
                                 int(pop.cities.n_districts.max()))

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
