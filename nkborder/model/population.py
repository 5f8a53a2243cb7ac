"""Initialisation: people in households, inminban and districts, border guards on river sectors, brokers.

Inminban are numbered in the order households are created and districts are contiguous runs of inminban, so
each district is a block of neighbourhoods of about equal size. The river sectors are laid out along the city
in the same order: district ``k`` of ``D`` faces sectors ``k S / D`` to ``(k + 1) S / D`` (schematic: every
district is given a stretch of river; :func:`nkborder.model.common.choose_sector`).

Populations are the 2008 census (``data/populations.csv``, census-2008): Hoeryong 153,532 and Hyesan 192,680,
multiplied by the run's ``scale``. Everything else here rests on parameters marked as assumptions in
:mod:`nkborder.params.parameters`. Initial draws use NumPy's Generator seeded from the run seed, so the same
seed gives the same population bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from nkborder.core.slots import N_STATUS, RESIDENT
from nkborder.core.state import (
    Brokers,
    CityState,
    Guards,
    Households,
    People,
    allocate_households,
    allocate_people,
)
from nkborder.model.guards import slots_for_troops
from nkborder.params import Params

AGE_MEAN_YEARS = 30.0  # assumption: exponential age profile truncated at 85 (young population)
AGE_MAX_YEARS = 85.0


@lru_cache(maxsize=1)
def census_populations() -> dict[str, int]:
    """City populations of the 2008 census, from the package copy of ``populations.csv``."""
    with (resources.files("nkborder") / "data" / "populations.csv").open() as fh:
        table = pd.read_csv(fh)
    return {row.place: int(row.population) for row in table.itertuples()}


def city_sizes(cities: tuple[str, ...], scale: float) -> list[int]:
    """People simulated in each city at ``scale``: the 2008 census population times ``scale``, at least one."""
    return [max(1, round(census_populations()[c] * scale)) for c in cities]


def n_districts(params: Params, n_inminban: int) -> int:
    """Districts of a city with ``n_inminban`` inminban: the ``districts`` parameter, at most one per inminban."""
    return max(1, min(int(params.districts), n_inminban))


def border_km(params: Params, city: str) -> float:
    """River frontage guarded by the city's units (assumption parameters ``border_km_<city>``)."""
    return float(getattr(params, f"border_km_{city.lower()}"))


@dataclass
class Population:
    """Everything :func:`build_population` creates."""

    people: People
    households: Households
    guards: Guards
    brokers: Brokers
    cities: CityState
    n_sectors: np.ndarray  # int32[n_cities]


def build_population(
    params: Params, cities: tuple[str, ...], scale: float, seed: int, n_days: int,
    troops_max: np.ndarray | None = None,
) -> Population:
    """Create the initial state for ``cities`` at ``scale`` (1.0 = one agent per person).

    ``troops_max`` is the highest ``troops`` lever of the run per city (1 if None): guard slots are allocated
    for it.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7919]))
    sizes = city_sizes(cities, scale)
    hh_city, hh_size = [], []
    for c, n in enumerate(sizes):
        s = _household_sizes(rng, n, params.household_size)
        hh_city.append(np.full(len(s), c, np.int8))
        hh_size.append(s)
    households = _households(rng, params, np.concatenate(hh_city))
    sizes_all = np.concatenate(hh_size)
    people = _people(rng, params, households, sizes_all, n_days)
    link_members(people, households)
    _assign_smugglers(rng, params, households, people)
    troops = np.ones(len(cities)) if troops_max is None else np.asarray(troops_max, float)
    guards, n_sectors = _guards(rng, params, cities, scale, troops)
    brokers = _brokers(params, sizes)
    n_c = len(cities)
    counts = np.zeros((n_c, N_STATUS), np.int64)
    n0 = int(people.count[0])
    np.add.at(counts, (people.city[:n0].astype(np.int64), people.status[:n0].astype(np.int64)), 1)
    starts = np.searchsorted(households.city, np.arange(n_c + 1)).astype(np.int32)
    city_state = CityState(
        status_counts=counts,
        turnover_month_kpw=np.zeros(n_c),
        smuggled_today_cny=np.zeros(n_c),
        inminban_info=np.zeros(int(households.inminban.max()) + 1),
        household_start=starts,
        donju_capital=np.zeros(n_c),
        n_districts=np.array([int(households.district[households.city == c].max()) + 1 for c in range(n_c)],
                             np.int32),
    )
    return Population(people, households, guards, brokers, city_state, n_sectors)


def _household_sizes(rng: np.random.Generator, n_people: int, mean_size: float) -> np.ndarray:
    """Household sizes 1 + Poisson(mean - 1) that add up exactly to ``n_people``."""
    sizes = 1 + rng.poisson(mean_size - 1.0, size=int(n_people / mean_size * 1.2) + 10)
    total = np.cumsum(sizes)
    k = int(np.searchsorted(total, n_people))
    sizes = sizes[: k + 1].copy()
    sizes[-1] -= int(total[k] - n_people)
    return sizes[sizes > 0].astype(np.int32)


def _households(rng: np.random.Generator, params: Params, city: np.ndarray) -> Households:
    n = len(city)
    per_ib = int(params.inminban_households)
    inminban = np.zeros(n, np.int32)
    district = np.zeros(n, np.int16)
    offset = 0
    for c in np.unique(city):
        idx = np.flatnonzero(city == c)
        local = np.arange(len(idx)) // per_ib
        inminban[idx] = offset + local
        n_ib = int(local.max()) + 1
        district[idx] = local * n_districts(params, n_ib) // n_ib
        offset = int(inminban[idx].max()) + 1
    trader = (rng.random(n) < params.trader_share).astype(np.uint8)
    sigma = params.skill_sigma
    skill = rng.lognormal(-0.5 * sigma**2, sigma, n)
    donju = np.zeros(n, np.uint8)
    for c in np.unique(city):  # the most productive traders of each city are its donju
        idx = np.flatnonzero((city == c) & (trader == 1))
        k = max(1, round(params.donju_share * np.sum(city == c)))
        donju[idx[np.argsort(-skill[idx])[:k]]] = 1
    households = allocate_households(n)
    for name, values in (("city", city), ("inminban", inminban), ("district", district), ("trader", trader),
                         ("skill", skill), ("donju", donju)):
        getattr(households, name)[:] = values
    return households


def _people(
    rng: np.random.Generator, params: Params, hh: Households, sizes: np.ndarray, n_days: int
) -> People:
    n0 = int(sizes.sum())
    years = n_days / 365.25
    capacity = n0 + int(n0 * params.birth_rate * years * 1.6) + 64
    household = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    # exponential age profile truncated at AGE_MAX_YEARS (inverse CDF), so nobody starts at the age limit
    tail = 1.0 - np.exp(-(AGE_MAX_YEARS - 1.0) / AGE_MEAN_YEARS)
    age = -AGE_MEAN_YEARS * np.log1p(-rng.random(n0) * tail)
    first = np.r_[0, np.cumsum(sizes)[:-1]]  # the first member of each household is an adult
    age[first] = rng.uniform(25.0, 60.0, len(first))

    people = allocate_people(capacity, n0)  # every row at its fill; the initial population's rows set below
    people.city[:n0] = hh.city[household]
    people.household[:n0] = household
    people.female[:n0] = rng.random(n0) < 0.5
    people.birth_day[:n0] = -np.round(age * 365.25)
    people.status[:n0] = RESIDENT
    people.risk_aversion[:n0] = rng.beta(2.0, 2.0, n0)
    people.discontent[:n0] = 0.2
    return people


def link_members(people: People, hh: Households) -> None:
    """Chain each household's members in person order: ``hh.first_member`` and ``people.next_member``.

    Lets a rule visit one household's members in person order without a pass over all people
    (:func:`~nkborder.model.livelihoods.hand_over_smuggling`); births extend the chains
    (:func:`~nkborder.model.demography.add_child`).
    """
    n0 = int(people.count[0])
    order = np.argsort(people.household[:n0], kind="stable")  # by household, in person order within each
    same = people.household[order[1:]] == people.household[order[:-1]]
    people.next_member[order[:-1][same]] = order[1:][same]
    firsts = order[np.r_[True, ~same]] if n0 else order
    hh.first_member[people.household[firsts]] = firsts


def _assign_smugglers(rng: np.random.Generator, params: Params, hh: Households, people: People) -> None:
    """Give a share of households (``smuggler_share``) an adult member, 18-55, who smuggles."""
    n0 = int(people.count[0])
    age = -people.birth_day[:n0] / 365.25
    adult = np.flatnonzero((age >= 18) & (age < 55))
    first_adult = np.full(len(hh.city), -1, np.int32)
    first_adult[people.household[adult][::-1]] = adult[::-1]
    chosen = (rng.random(len(hh.city)) < params.smuggler_share) & (first_adult >= 0)
    hh.smuggler[chosen] = first_adult[chosen]


def _guards(
    rng: np.random.Generator, params: Params, cities: tuple[str, ...], scale: float, troops_max: np.ndarray
) -> tuple[Guards, np.ndarray]:
    """Guards and their slots: ``slots_per_sector`` per sector at the 2006 density, plus the extra slots the
    highest troop level of the run (``troops_max`` per city) needs; the extra guards come after all the others
    and draw their service and rotation dates after them, so the first guards are the same with or without."""
    n_sectors = np.array([max(1, math.ceil(border_km(params, c) / params.sector_km)) for c in cities], np.int32)
    per_sector = np.array(
        [max(1, math.ceil(border_km(params, c) * 1000.0 / params.m_per_guard * scale / n)) for c, n in
         zip(cities, n_sectors, strict=True)], np.int32)
    base = n_sectors * per_sector
    slots = np.array([max(b, slots_for_troops(int(b), float(t))) for b, t in zip(base, troops_max, strict=True)],
                     np.int32)
    start = np.r_[0, np.cumsum(slots)].astype(np.int32)
    city_ids = np.arange(len(cities), dtype=np.int8)
    city = np.r_[np.repeat(city_ids, base), np.repeat(city_ids, slots - base)]
    slot = np.r_[np.concatenate([start[c] + np.arange(base[c]) for c in city_ids]),
                 np.concatenate([start[c] + np.arange(base[c], slots[c]) for c in city_ids])].astype(np.int32)
    n_first, n = int(base.sum()), int(start[-1])
    service_days = params.guard_service_years * 365.25
    service_end = rng.uniform(0, service_days, n_first)
    next_rotation = rng.uniform(0, params.guard_rotation_days, n_first)
    slot_guard = np.empty(n, np.int32)
    slot_guard[slot] = np.arange(n, dtype=np.int32)
    return Guards(
        city=city,
        slot=slot,
        earnings_cny=np.zeros(n),
        pay_cny=np.zeros(n),
        service_end=np.r_[service_end, rng.uniform(0, service_days, n - n_first)].astype(np.int32),
        next_rotation=np.r_[next_rotation, rng.uniform(0, params.guard_rotation_days, n - n_first)].astype(np.int32),
        slot_guard=slot_guard,
        city_slot_start=start,
        slots_per_sector=per_sector,
        sector_start=np.r_[0, np.cumsum(n_sectors)].astype(np.int32),
        on_duty=base.astype(np.int32),
    ), n_sectors


def _brokers(params: Params, sizes: list[int]) -> Brokers:
    counts = np.array([max(1, round(n * params.brokers_per_100k / 1e5)) for n in sizes], np.int32)
    return Brokers(
        city=np.repeat(np.arange(len(sizes), dtype=np.int8), counts),
        earnings_cny=np.zeros(int(counts.sum())),
        city_start=np.r_[0, np.cumsum(counts)].astype(np.int32),
        booked=np.zeros(int(counts.sum()), np.int32),
        exposure=np.zeros(int(counts.sum())),
        exposure_day=np.zeros(int(counts.sum()), np.int32),
        out_until=np.zeros(int(counts.sum()), np.int32),
    )
