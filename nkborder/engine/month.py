"""The monthly steps: one function per step, all with the signature ``step(sim, month)``.

:data:`~nkborder.engine.plan.PLAN` lists them in the order they run, on the first day of every month (and on the
run's first day), before the month's days. Each calls its submodel's kernel with the simulation's state
(:class:`~nkborder.engine.sim.Simulation`) and keeps what the later steps need in :class:`Month`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from nkborder.core import slots as S
from nkborder.core.tracking import resident_smugglers
from nkborder.engine.monthly import PersonLists, conditions, people_month
from nkborder.model.brokers import commission_rate, working_brokers
from nkborder.model.livelihoods import census, gini, hand_over_smuggling, household_budgets, remittances

if TYPE_CHECKING:
    from nkborder.engine.sim import Simulation


@dataclass
class Month:
    """One month of the run and what its steps hand on (buffers are reused from month to month)."""

    capacity: int  # rows of the people arrays
    n_cities: int
    n_households: int
    index: int = 0
    first_day: int = 0
    end_day: int = 0  # the first day of the next month
    n_south_korea: int = 0  # people in South Korea, listed first in ``south_korea``
    n_scheduled: int = 0  # crossings planned this month, first in ``schedule`` and ``schedule_day``
    n_tracked: int = 0  # people in China or detained, first in ``tracked``; then those not detained at home
    releases: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # detained at home, by release day
    smugglers: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    smuggler_city: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))  # the city of each smuggler
    active: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def __post_init__(self) -> None:
        self.south_korea = np.empty(self.capacity, np.int64)
        self.schedule = np.empty(self.capacity, np.int64)
        self.schedule_day = np.empty(self.capacity, np.int64)
        self.tracked = np.empty(self.capacity, np.int64)
        self.incomes = np.empty(self.n_households)
        self.n_live = np.zeros(self.n_cities, np.int64)


def census_step(sim: Simulation, month: Month) -> None:
    """Count household members at home, in China and in South Korea; inminban information."""
    pop = sim.pop
    month.n_south_korea = census(pop.people, pop.households, pop.cities, month.first_day, month.south_korea)


def brokers_step(sim: Simulation, month: Month) -> None:
    """A new month for the brokers: no crossing booked yet; the month's remittance commission per city from the
    share of the city's brokers who can work on its first day (recorded as ``broker_commission_posted``)."""
    brokers, kp, d0 = sim.pop.brokers, sim.kp, month.first_day
    brokers.booked[:] = 0
    working = np.zeros(len(sim.scenario.cities))
    working_brokers(brokers, d0, sim.key, sim.env.broker_available[d0], working)
    total = np.diff(brokers.city_start)
    sim.monthly[month.index, :, S.BROKER_COMMISSION_RATE] = [
        commission_rate(float(w), float(n), kp.commission_base, kp.commission_max)
        for w, n in zip(working, total, strict=True)]


def remittances_step(sim: Simulation, month: Month) -> None:
    """Defectors in South Korea send money home through brokers, who keep the month's commission."""
    pop, env, kp, d0 = sim.pop, sim.env, sim.kp, month.first_day
    commission = np.ascontiguousarray(sim.monthly[month.index, :, S.BROKER_COMMISSION_RATE])
    remittances(month.index, d0, sim.key, pop.people, pop.households, pop.brokers, commission,
                env.contact[d0], kp.remit_prob_month, kp.remit_cny, sim.daily, month.south_korea[:month.n_south_korea])


def livelihoods_step(sim: Simulation, month: Month) -> None:
    """Household income, food, hardship and hunger, spending and saving for the past month; donju seizures; the
    month's income Gini."""
    pop, env, kp, d0, m = sim.pop, sim.env, sim.kp, month.first_day, month.index
    household_budgets(m, d0, pop.households, pop.cities, env, kp, sim.daily, sim.monthly, month.incomes,
                      month.n_live)
    if not sim.summaries:  # the Gini is reported, not read by any rule
        return
    starts = pop.cities.household_start
    for c in range(len(month.n_live)):
        if month.n_live[c] > 0:
            a = int(starts[c])
            sim.monthly[m, c, S.INCOME_GINI] = gini(month.incomes[a:a + int(month.n_live[c])])


def people_step(sim: Simulation, month: Month) -> None:
    """One pass over people: deaths and births, information and discontent, intentions, and the daily lists."""
    pop, d0 = sim.pop, month.first_day
    lists = PersonLists(month.schedule, month.schedule_day, month.tracked)
    n_lost, month.n_scheduled, month.n_tracked = people_month(
        month.index, d0, month.end_day - d0, sim.key, pop.people, pop.households, pop.cities, conditions(sim.env, d0),
        sim.kp, sim.vital, lists, sim.daily, sim.monthly,
    )
    sim.lost_births += n_lost
    hand_over_smuggling(pop.people, pop.households, d0)
    month.smugglers = resident_smugglers(pop.people, pop.households)
    month.smuggler_city = pop.people.city[month.smugglers]
    # the people detained at home wait for their release day in a list sorted by it (stable: ties in person
    # order); the daily tracking list keeps the others, in person order
    tracked = month.tracked[:month.n_tracked]
    at_home = pop.people.status[tracked] == S.DETAINED
    releases = tracked[at_home]
    month.releases = releases[np.argsort(pop.people.release_day[releases], kind="stable")]
    others = tracked[~at_home]
    month.n_tracked = len(others)
    month.active = np.empty(month.n_tracked + month.n_scheduled + len(month.smugglers) + 16, np.int64)
    month.active[:month.n_tracked] = others
