"""The simulation state as structs of arrays (one array per attribute, one row per agent).

Kernels receive these named tuples and read ``people.status[i]``; numba compiles attribute access on named
tuples of arrays to plain array indexing. Households, guards and brokers of one city are stored contiguously
(except the guards kept for a higher troop level, who follow all the initial guards); people born during the
run are appended after the initial population.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np

from nkborder.params import Params


class People(NamedTuple):
    """One row per person (capacity includes room for births)."""

    city: np.ndarray  # int8, index into the scenario's cities
    household: np.ndarray  # int32
    female: np.ndarray  # uint8 (1 = woman)
    birth_day: np.ndarray  # int32, day index relative to the run start (negative: born before)
    status: np.ndarray  # int8, see core.slots (RESIDENT ... DEAD)
    release_day: np.ndarray  # int32, day a detained person is released
    risk_aversion: np.ndarray  # float32, 0-1, fixed trait
    info: np.ndarray  # float32, 0-1, outside information
    discontent: np.ndarray  # float32, 0-1
    attempt_prob: np.ndarray  # float32, probability of attempting to cross this month
    savings_cny: np.ndarray  # float64, savings of a person hiding in China
    crossed_day: np.ndarray  # int32, day of the last successful crossing (-1: never)
    settle_days: np.ndarray  # float64, days after that crossing when the person settles in China (inf: never)
    listed: np.ndarray  # uint8, 1 while the person is on this month's daily tracking list
    count: np.ndarray  # int64[1], number of rows in use


class Households(NamedTuple):
    """One row per household; money in nominal KPW and in CNY."""

    city: np.ndarray  # int8
    inminban: np.ndarray  # int32, global inminban index
    district: np.ndarray  # int16, district of the city (0-based; contiguous groups of inminban)
    kpw: np.ndarray  # float64, cash and savings in won
    cny: np.ndarray  # float64, savings in yuan
    trader: np.ndarray  # uint8, lives mainly from market trading
    skill: np.ndarray  # float64, trader productivity (lognormal, mean 1)
    smuggler: np.ndarray  # int32, person index of the household's smuggler, -1 if none
    donju: np.ndarray  # uint8, a "master of money" who invests in the market
    capital_cny: np.ndarray  # float64, donju capital invested in the market
    income_kpw: np.ndarray  # float64, income of the last month (KPW equivalent)
    income_year_kpw: np.ndarray  # float64, income since 1 January
    hardship: np.ndarray  # float32, 0-1, share of food needs not met last month
    n_home: np.ndarray  # int32, members living at home (monthly census)
    n_china: np.ndarray  # int32, members hiding in China
    n_south_korea: np.ndarray  # int32, members in South Korea
    n_workers: np.ndarray  # int32, members of working age at home
    smuggle_cny: np.ndarray  # float64, smuggling profit this month
    remit_cny: np.ndarray  # float64, remittances received this month


class Guards(NamedTuple):
    """Border guards; ``slot_guard`` maps each post slot (sector x place) to the guard holding it.

    A city's first ``n_sectors x slots_per_sector`` slots are its posts at the 2006 density; the slots after them
    (and the guards holding them, stored after all cities' initial guards) are manned only while the ``troops``
    lever is above 1. ``on_duty[c]`` slots of city ``c`` are manned today (:mod:`nkborder.model.guards`).
    """

    city: np.ndarray  # int8
    slot: np.ndarray  # int32, slot the guard holds
    earnings_cny: np.ndarray  # float64, bribes and cuts taken in the current service
    pay_cny: np.ndarray  # float64, state pay received in the current service
    service_end: np.ndarray  # int32, day of discharge
    next_rotation: np.ndarray  # int32, day of the next rotation to another sector
    slot_guard: np.ndarray  # int32[n_slots]
    city_slot_start: np.ndarray  # int32[n_cities + 1]
    slots_per_sector: np.ndarray  # int32[n_cities], slots per sector at the 2006 density
    sector_start: np.ndarray  # int32[n_cities + 1], global index of each city's first river sector
    on_duty: np.ndarray  # int32[n_cities], slots manned today


class Brokers(NamedTuple):
    """Brokers who arrange crossings and remittances."""

    city: np.ndarray  # int8
    earnings_cny: np.ndarray  # float64
    city_start: np.ndarray  # int32[n_cities + 1]


class CityState(NamedTuple):
    """Per-city and per-inminban aggregates the kernels keep between steps."""

    status_counts: np.ndarray  # int64[n_cities, N_STATUS], people by status, kept up to date
    turnover_month_kpw: np.ndarray  # float64[n_cities], market turnover accumulated this month
    smuggled_today_cny: np.ndarray  # float64[n_cities]
    inminban_info: np.ndarray  # float64[n_inminban], mean information of members last month
    household_start: np.ndarray  # int32[n_cities + 1]
    donju_capital: np.ndarray  # float64[n_cities]
    n_districts: np.ndarray  # int32[n_cities], districts of each city


KernelParams = namedtuple("KernelParams", tuple(Params.model_fields))  # type: ignore[misc]
"""All parameters as floats, for kernels (``kp.intent_intercept``); same names as :class:`Params`."""


def kernel_params(params: Params) -> KernelParams:
    """The parameters as a named tuple of floats that numba kernels can read."""
    return KernelParams(*(float(getattr(params, name)) for name in Params.model_fields))
