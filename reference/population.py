"""The reference model's own initial population, drawn from the census data (``docs/odd.md``, section 5).

People per city are the 2008 census populations of ``data/populations.csv`` times the run's scale; everything
else follows the parameters. Households, inminban and districts, traders and donju, people, smugglers, guards on
their posts and brokers are created as agents and plain objects one by one, with the model's ``random.Random``:
a seed fixes the population, which is drawn independently of the engine's (docking compares distributions).
"""

from __future__ import annotations

import csv
import math
from importlib import resources
from typing import TYPE_CHECKING

from reference.agents import DAYS_PER_YEAR, SMUGGLER_AGE_DAYS, Broker, Guard, Person
from reference.households import City, Household, Inminban

if TYPE_CHECKING:
    from reference.model import BorderModel

AGE_MEAN_YEARS = 30.0  # assumption (odd.md 5): exponential age profile, truncated at 84 years
AGE_MAX_YEARS = 85.0
FIRST_MEMBER_AGE_YEARS = (25.0, 60.0)  # the first member of a household is an adult of this age range
INITIAL_DISCONTENT = 0.2


def census_populations() -> dict[str, int]:
    """Population of each city in the 2008 census (``data/populations.csv``, source census-2008)."""
    with (resources.files("nkborder") / "data" / "populations.csv").open(encoding="utf-8") as fh:
        return {row["place"]: int(row["population"]) for row in csv.DictReader(fh)}


def poisson(rng, mean: float) -> int:
    """A Poisson draw by multiplying uniforms (Knuth); fine for the small means of household sizes."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def household_sizes(rng, n_people: int, mean_size: float) -> list[int]:
    """Sizes ``1 + Poisson(mean_size - 1)`` drawn until they reach ``n_people``; the last one cut to fit."""
    sizes: list[int] = []
    total = 0
    while total < n_people:
        size = 1 + poisson(rng, mean_size - 1.0)
        sizes.append(min(size, n_people - total))
        total += sizes[-1]
    return sizes


def populate(model: BorderModel, troops_max: list[float]) -> None:
    """Create the cities of ``model.scenario`` with their households, inminban, people, guards and brokers.

    ``troops_max`` is each city's highest ``troops`` lever of the run: posts are created for it.
    """
    p, rng, scale = model.params, model.random, model.scale
    census = census_populations()
    model.cities, model.households, model.inminban = [], [], []
    first_sector = 0
    for c, name in enumerate(model.scenario.cities):
        n_people = max(1, round(census[name] * scale))
        sizes = household_sizes(rng, n_people, p.household_size)
        n_ib = math.ceil(len(sizes) / int(p.inminban_households))
        n_districts = max(1, min(int(p.districts), n_ib))
        km = float(getattr(p, f"border_km_{name.lower()}"))
        n_sectors = max(1, math.ceil(km / p.sector_km))
        per_sector = max(1, math.ceil(km * 1000.0 / p.m_per_guard * scale / n_sectors))
        city = City(c, name, n_sectors, per_sector, n_districts, first_sector)
        first_sector += n_sectors
        model.cities.append(city)
        neighbourhoods = [Inminban() for _ in range(n_ib)]
        model.inminban += neighbourhoods
        for k in range(len(sizes)):
            ib = k // int(p.inminban_households)
            sigma = p.skill_sigma
            household = Household(city, neighbourhoods[ib], rng.random() < p.trader_share,
                                  rng.lognormvariate(-0.5 * sigma**2, sigma), False, ib * n_districts // n_ib)
            city.households.append(household)
        traders = sorted((h for h in city.households if h.trader), key=lambda h: -h.skill)
        for h in traders[:max(1, round(p.donju_share * len(sizes)))]:  # the most productive traders are donju
            h.donju = True
        model.households += city.households
        for household, size in zip(city.households, sizes, strict=True):
            add_members(model, city, household, size)
        base = n_sectors * per_sector
        posts = max(base, round(base * troops_max[c]))
        city.posts = [Guard(model, city, post, int(rng.uniform(0, p.guard_service_years * DAYS_PER_YEAR)),
                            int(rng.uniform(0, p.guard_rotation_days))) for post in range(posts)]
        city.brokers = [Broker(model, city) for _ in range(max(1, round(n_people * p.brokers_per_100k / 1e5)))]


def add_members(model: BorderModel, city: City, household: Household, size: int) -> None:
    """The household's people: an adult first, then ages from the truncated exponential profile; perhaps a
    smuggler (its first member aged 18-55)."""
    p, rng = model.params, model.random
    tail = 1.0 - math.exp(-(AGE_MAX_YEARS - 1.0) / AGE_MEAN_YEARS)
    members = []
    for k in range(size):
        age = rng.uniform(*FIRST_MEMBER_AGE_YEARS) if k == 0 else \
            -AGE_MEAN_YEARS * math.log(1.0 - rng.random() * tail)
        members.append(Person(model, city, household, female=rng.random() < 0.5,
                              birth_day=-round(age * DAYS_PER_YEAR), risk_aversion=rng.betavariate(2.0, 2.0),
                              discontent=INITIAL_DISCONTENT))
    if rng.random() < p.smuggler_share:
        adults = [x for x in members if SMUGGLER_AGE_DAYS[0] <= -x.birth_day < SMUGGLER_AGE_DAYS[1]]
        household.smuggler = adults[0] if adults else None
