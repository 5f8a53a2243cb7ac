"""The reference model: a plain Mesa 3 implementation of the nkborder rules, for docking with the fast engine.

One :meth:`BorderModel.step` is one day. On the first day of each month (and on the run's first day) the
monthly phases run first, in the order of the monthly steps of :data:`nkborder.engine.plan.PLAN`; then the daily
phases, in the order of its daily steps. The model builds its own daily conditions from the scenario's events
(:mod:`reference.environment`) and its own population from the census (:mod:`reference.population`); from the
package it takes only the scenario and parameter objects, the observed driver series and the names of the
record's slots (:mod:`nkborder.core.slots`), under which flows are written; :mod:`reference.tables` makes the
yearly table.

``rule_change`` deliberately breaks one rule, for the docking test's negative control: ``"double_detection"``
(guards detect crossers twice as often) or ``"ignore_bribes"`` (detecting guards never take a bribe).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd

from nkborder.core import slots as S
from nkborder.params import Params
from nkborder.scenarios import Scenario
from reference.agents import BIRTH_AGE_DAYS, DAYS_PER_YEAR, MAX_AGE_DAYS, SMUGGLER_AGE_DAYS, Guard, Person
from reference.environment import DAYS_PER_MONTH, build_conditions
from reference.households import City, gini
from reference.population import populate
from reference.tables import yearly_table

RULE_CHANGES = (None, "double_detection", "ignore_bribes")
INITIAL_SAVINGS_MONTHS = 2.0  # assumption (odd.md 5): households start with two months of food costs in won


class BorderModel(mesa.Model):
    """Both border cities, one agent per person (at ``scale``), from the scenario's start to its end."""

    def __init__(self, scenario: Scenario, params: Params, seed: int = 0, scale: float = 1.0,
                 rule_change: str | None = None) -> None:
        super().__init__(seed=seed)
        if rule_change not in RULE_CHANGES:
            raise ValueError(f"rule_change {rule_change!r} not one of {RULE_CHANGES}")
        self.scenario, self.params, self.scale, self.rule_change = scenario, params, scale, rule_change
        self.n_days = (scenario.end - scenario.start).days + 1
        conditions = build_conditions(scenario, params)
        conditions["trade_cny_day"] = conditions["trade_cny_day"] * scale
        self.env = SimpleNamespace(**conditions)
        self.condition_names = tuple(conditions)
        n_c = len(scenario.cities)
        self.daily = np.zeros((self.n_days, n_c, S.N_DAILY))
        dates = [scenario.start + dt.timedelta(days=d) for d in range(self.n_days)]
        self.month_starts = [d for d in range(self.n_days) if d == 0 or dates[d].day == 1]
        self.monthly = np.full((len(self.month_starts), n_c, S.N_MONTHLY), np.nan)
        self.yearly_gini: dict[int, np.ndarray] = {}
        self.day, self.month, self.days_in_month = 0, -1, 0
        self.today = self._conditions(0)
        self.crossings: dict[int, list[Person]] = defaultdict(list)
        self.smugglers: list[Person] = []
        self.tracked: list[Person] = []
        self._tracked_ids: set[int] = set()
        self._sums: list[list[float]] = []
        self._counts: list[list[int]] = []
        self.cities: list[City] = []
        populate(self, self.env.troops.max(axis=0).tolist())
        self.sectors = np.zeros((len(self.month_starts), sum(city.n_sectors for city in self.cities), S.N_SECTOR))
        self._initial_conditions()

    # ---------------------------------------------------------------------------------------- set-up
    def _initial_conditions(self) -> None:
        """Savings, last month's market turnover, and the fertility and death rates by age that give the crude
        birth and death rates."""
        p, env = self.params, self.env
        members: dict[int, int] = defaultdict(int)
        people = list(self.agents_by_type[Person])
        for person in people:
            members[id(person.household)] += 1
        for h in self.households:
            h.kpw = INITIAL_SAVINGS_MONTHS * members[id(h)] * env.food_cost_kpw[0, h.city.index]
        for c, city in enumerate(self.cities):
            daily_cny = env.tolerance[0, c] * (p.market_cny_per_capita_day * city.counts[S.RESIDENT]
                                               + env.trade_cny_day[0, c])
            city.turnover_month_kpw = daily_cny * env.kpw_per_cny[0, c] * DAYS_PER_MONTH
        women = sum(1 for x in people if x.female and BIRTH_AGE_DAYS[0] <= -x.birth_day < BIRTH_AGE_DAYS[1])
        self.fertility = p.birth_rate * len(people) / max(1, women)
        self.death_by_age = death_by_age(p, [-x.birth_day / DAYS_PER_YEAR for x in people])

    # ----------------------------------------------------------------------------------- bookkeeping
    def _conditions(self, d: int) -> SimpleNamespace:
        """The day's conditions: each a list with one value per city."""
        return SimpleNamespace(**{name: getattr(self.env, name)[d].tolist() for name in self.condition_names})

    def record(self, c: int, slot: int, amount: float = 1.0) -> None:
        """Add a flow of today to city ``c``."""
        self.daily[self.day, c, slot] += amount

    def record_sector(self, city: City, sector: int, slot: int, amount: float = 1.0) -> None:
        """Add a flow of today to ``sector`` (0-based along the river) of ``city``."""
        self.sectors[self.month, city.first_sector + sector, slot] += amount

    def tally(self, c: int, slot: int, value: float) -> None:
        """Add a value to this month's mean of ``slot`` in city ``c``."""
        self._sums[c][slot] += value
        self._counts[c][slot] += 1

    def track(self, person: Person) -> None:
        """Visit ``person`` every day of this month in the China and detention phase."""
        if person.unique_id not in self._tracked_ids:
            self._tracked_ids.add(person.unique_id)
            self.tracked.append(person)

    def schedule_crossing(self, person: Person, day: int) -> None:
        """``person`` will try to cross on ``day``."""
        self.crossings[day].append(person)

    # ------------------------------------------------------------------------------------------ steps
    def step(self) -> None:
        """One day: the monthly phases on a month's first day, then the daily phases."""
        self.today = self._conditions(self.day)
        if self.month + 1 < len(self.month_starts) and self.month_starts[self.month + 1] == self.day:
            self.month += 1
            bounds = [*self.month_starts, self.n_days]
            self.days_in_month = bounds[self.month + 1] - bounds[self.month]
            self.monthly_phases()
        self.daily_phases()
        self.day += 1

    def monthly_phases(self) -> None:
        """Census, remittances, livelihoods, demography, information, defection plans, tracking."""
        date = self.scenario.start + dt.timedelta(days=self.day)
        if date.month == 1 and self.month > 0:
            self.close_year(date.year - 1)
        self._sums = [[0.0] * S.N_MONTHLY for _ in self.cities]
        self._counts = [[0] * S.N_MONTHLY for _ in self.cities]
        people = list(self.agents_by_type[Person])  # in order of creation, like the engine's rows
        self.census(people)
        for c, city in enumerate(self.cities):
            rate = city.brokers_month(self.day, self.today.broker_available[c], self.params)
            self.monthly[self.month, c, S.BROKER_COMMISSION_RATE] = rate
        for person in people:
            person.send_remittance()
        self.livelihoods()
        for person in people:
            person.face_death_and_birth()
        people = list(self.agents_by_type[Person])  # without the dead, with the newborn
        for person in people:
            person.update_information()
        for person in people:
            person.plan_crossing()
        self.write_monthly_means()
        self.tracking(people)

    def write_monthly_means(self) -> None:
        """City means of information, discontent and attempt probability over the people tallied."""
        for c in range(len(self.cities)):
            for slot in (S.INFO_MEAN, S.DISCONTENT_MEAN, S.INTENT_MEAN):
                if self._counts[c][slot] > 0:
                    self.monthly[self.month, c, slot] = self._sums[c][slot] / self._counts[c][slot]

    def hand_over_smuggling(self, people: list[Person]) -> None:
        """``livelihoods.hand_over_smuggling``: a household whose smuggler died, left or turned 55 gives the trips
        to its first member at home aged 18-55 (``people``: the living, in order of creation)."""
        vacant = {id(h) for h in self.households if h.smuggler is not None
                  and (h.smuggler.status not in (S.RESIDENT, S.DETAINED)
                       or self.day - h.smuggler.birth_day >= SMUGGLER_AGE_DAYS[1])}
        for person in people:
            h = person.household
            if id(h) in vacant and person.status == S.RESIDENT \
                    and SMUGGLER_AGE_DAYS[0] <= self.day - person.birth_day < SMUGGLER_AGE_DAYS[1]:
                h.smuggler = person
                vacant.discard(id(h))

    def tracking(self, people: list[Person]) -> None:
        """This month's lists: the smugglers at home, and everyone in China, in Chinese detention or detained."""
        self.hand_over_smuggling(people)
        self.smugglers = [h.smuggler for h in self.households
                          if h.smuggler is not None and h.smuggler.status == S.RESIDENT]
        self.tracked, self._tracked_ids = [], set()
        for person in people:
            if person.status in (S.IN_CHINA, S.DETAINED, S.DETAINED_IN_CHINA):
                self.track(person)

    def census(self, people: list[Person]) -> None:
        """Households count their members by status; inminban average their residents' information."""
        for h in self.households:
            h.start_census()
        for ib in self.inminban:
            ib.info_sum, ib.residents = 0.0, 0
        for person in people:
            person.report_to_census()
        for ib in self.inminban:
            ib.close_census()
        for h in self.households:  # a call a month to kin abroad, of which the share ``contact`` gets through
            if h.n_home > 0 and h.n_china + h.n_south_korea > 0:
                self.record(h.city.index, S.PHONE_CONTACTS, self.today.contact[h.city.index])

    def livelihoods(self) -> None:
        """Every city's household budgets for the month that ended."""
        for c, city in enumerate(self.cities):
            t = {"rate": self.today.kpw_per_cny[c], "wage": self.today.wage_kpw[c],
                 "food": self.today.food_cost_kpw[c], "tolerance": self.today.tolerance[c],
                 "seizure": self.today.seizure[c], "coping": self.today.coping[c]}
            for slot, value in city.budgets(t, self.params, self.record).items():
                self.monthly[self.month, c, slot] = value

    def daily_phases(self) -> None:
        """Guards posted and currency reform, smuggling, crossings, China and detention, guards, markets, record."""
        for c, city in enumerate(self.cities):
            city.post_guards(self.today.troops[c])
        self.currency_reform()
        for person in self.smugglers:
            person.smuggle()
        for person in self.crossings.pop(self.day, []):
            person.cross()
        for person in self.tracked:
            person.spend_day_away()
        self.agents_by_type[Guard].do("serve_day")
        for c, city in enumerate(self.cities):
            turnover = city.market_day(self.today.tolerance[c], self.today.trade_cny_day[c],
                                       self.today.kpw_per_cny[c], self.params)
            self.daily[self.day, c, S.MARKET_TURNOVER_KPW] = turnover
            self.daily[self.day, c, S.MARKET_TURNOVER_CNY] = turnover / self.today.kpw_per_cny[c]
            self.daily[self.day, c, S.FIRST_STOCK:S.FIRST_STOCK + S.N_STATUS] = city.counts
            self.daily[self.day, c, S.GUARDS_ON_DUTY] = city.on_duty
            self.daily[self.day, c, S.BROKERS_WORKING] = city.working_brokers(self.day, self.today.broker_available[c])

    def currency_reform(self) -> None:
        """The redenomination on its day (``markets.redenominate``): won above the limit partly wiped out."""
        for c, city in enumerate(self.cities):
            share = self.today.reform[c]
            if share <= 0.0:
                continue
            old_rate = float(self.env.kpw_per_cny[max(self.day - 1, 0), c])
            for h in city.households:
                wiped = h.redenominate(self.params.redenomination_limit_kpw, share)
                self.record(c, S.CONFISCATED_CNY, wiped / old_rate)
            city.turnover_month_kpw /= 100.0

    def close_year(self, year: int) -> None:
        """Gini of the year's household incomes per city; incomes restart at zero."""
        out = np.full(len(self.cities), np.nan)
        for c, city in enumerate(self.cities):
            incomes = [h.income_year_kpw for h in city.households if h.income_year_kpw > 0]
            if incomes:
                out[c] = gini(incomes)
        self.yearly_gini[year] = out
        if self.day < self.n_days:
            for h in self.households:
                h.income_year_kpw = 0.0

    # -------------------------------------------------------------------------------------------- run
    def run(self, first_year: int | None = None) -> pd.DataFrame:
        """Every day of the scenario; returns the yearly table from ``first_year`` on (every year if None)."""
        for _ in range(self.n_days):
            self.step()
        self.close_year((self.scenario.start + dt.timedelta(days=self.n_days - 1)).year)
        return yearly_table(self, first_year)


def death_by_age(p, ages: list[float]) -> list[float]:
    """Monthly probability of dying by completed years of age 0-85, hunger apart: Gompertz
    (``scale x exp(mortality_age_slope x age)``) plus ``infant_death_rate`` in the first year, with ``scale`` such
    that the people of ``ages`` (years) die at ``death_rate`` a year (``demography.vital_rates``)."""
    infants = sum(1 for a in ages if a < 1.0) / max(1, len(ages))
    gompertz = sum(math.exp(p.mortality_age_slope * a) for a in ages) / max(1, len(ages))
    scale = max(0.0, p.death_rate - p.infant_death_rate * infants) / gompertz
    out = []
    for year in range(int(MAX_AGE_DAYS / DAYS_PER_YEAR) + 1):
        hazard = scale * math.exp(p.mortality_age_slope * (year + 0.5)) + (p.infant_death_rate if year < 1 else 0.0)
        out.append(1.0 - math.exp(-hazard / 12.0))
    return out
