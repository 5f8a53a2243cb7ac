"""The simulation state as structs of arrays (one array per attribute, one row per agent).

Kernels receive these named tuples and read ``people.status[i]``; numba compiles attribute access on named
tuples of arrays to plain array indexing. Households, guards and brokers of one city are stored contiguously
(except the guards kept for a higher troop level, who follow all the initial guards); people born during the
run are appended after the initial population.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from nkborder.core.slots import Status
from nkborder.params import Params


class Field(NamedTuple):
    """One attribute of an agent: one array with a row per agent."""

    name: str
    dtype: type[np.generic]
    fill: float  # value of a row nobody has set: the rows kept for births, and a newborn's unset attributes
    unit: str
    doc: str


#: The attributes of a person, in array order. Adding one is one line here; allocation, the newborn's row and the
#: state table of docs/odd.md follow (``python tests/test_docs.py`` rewrites the table).
PEOPLE_FIELDS: tuple[Field, ...] = (
    Field("city", np.int8, 0, "index", "city of residence (index into the scenario's cities); never changes"),
    Field("household", np.int32, -1, "index", "the person's household; newborns join their mother's; never changes"),
    Field("next_member", np.int32, -1, "person index",
          "the next member of the person's household in person order (-1: none; a newborn is added last)"),
    Field("female", np.uint8, 0, "0/1", "1 = woman"),
    Field("birth_day", np.int32, 0, "day index",
          "day of birth relative to the run's first day (negative: born before the run)"),
    Field("status", np.int8, Status.RESIDENT, "category", ", ".join(f"`{s.name}` ({s.value})" for s in Status)),
    Field("release_day", np.int32, -1, "day index", "day a detained person is released (-1: never detained)"),
    Field("risk_aversion", np.float32, 0.0, "0-1", "fixed trait; scales how much the risk index deters the person"),
    Field("info", np.float32, 0.0, "0-1", "outside information"),
    Field("discontent", np.float32, 0.0, "0-1", "discontent with the system"),
    Field("attempt_prob", np.float32, 0.0, "probability per month",
          "the person's latest monthly probability of attempting a crossing"),
    Field("savings_cny", np.float64, 0.0, "CNY", "savings of a person hiding in China, for the onward journey"),
    Field("crossed_day", np.int32, -1, "day index", "day of the last successful crossing (-1: never)"),
    Field("settle_days", np.float64, np.inf, "days",
          "time after that crossing at which the person settles in China (drawn on the crossing day; inf: never)"),
    Field("listed", np.uint8, 0, "0/1", "1 while the person is on this month's daily tracking list"),
)

#: The attributes of a household, in array order (money in nominal KPW and in CNY).
HOUSEHOLD_FIELDS: tuple[Field, ...] = (
    Field("city", np.int8, 0, "index", "city"),
    Field("inminban", np.int32, 0, "index", "the household's inminban (neighbourhood watch unit), global index"),
    Field("district", np.int16, 0, "index", "district of the city (0-based; contiguous groups of inminban)"),
    Field("kpw", np.float64, 0.0, "KPW (nominal)", "cash and savings in won"),
    Field("cny", np.float64, 0.0, "CNY", "savings in yuan"),
    Field("trader", np.uint8, 0, "0/1", "lives mainly from market trading"),
    Field("skill", np.float64, 0.0, "-", "trader productivity (lognormal, mean 1)"),
    Field("first_member", np.int32, -1, "person index",
          "the household's first member in person order (the others follow through `next_member`)"),
    Field("smuggler", np.int32, -1, "person index",
          "the household's smuggler (-1: none); handed to another member when the smuggler dies, leaves or turns 55"),
    Field("donju", np.uint8, 0, "0/1", "a \"master of money\" who invests in the market"),
    Field("capital_cny", np.float64, 0.0, "CNY", "donju capital invested in the market"),
    Field("income_kpw", np.float64, 0.0, "KPW", "income of the last month"),
    Field("income_year_kpw", np.float64, 0.0, "KPW", "income since 1 January"),
    Field("hardship", np.float32, 0.0, "0-1", "share of the members' food needs the household's money could "
          "not buy last month (hunger, what coping leaves unmet, is max(0, hardship - coping))"),
    Field("n_home", np.int32, 0, "persons", "members living at home (monthly census)"),
    Field("n_china", np.int32, 0, "persons", "members hiding in China (monthly census)"),
    Field("n_south_korea", np.int32, 0, "persons", "members in South Korea (monthly census)"),
    Field("n_workers", np.int32, 0, "persons", "members aged 17-60 at home (monthly census)"),
    Field("smuggle_cny", np.float64, 0.0, "CNY", "smuggling profit banked this month"),
    Field("remit_cny", np.float64, 0.0, "CNY", "remittances received this month (net of commission)"),
)

People = NamedTuple("People", [*((f.name, np.ndarray) for f in PEOPLE_FIELDS), ("count", np.ndarray)])  # type: ignore[misc]
People.__doc__ = """One row per person (capacity includes room for births); ``count[0]`` rows are in use.

The arrays are :data:`PEOPLE_FIELDS`; ``count`` is ``int64[1]``."""

Households = NamedTuple("Households", [(f.name, np.ndarray) for f in HOUSEHOLD_FIELDS])  # type: ignore[misc]
Households.__doc__ = """One row per household; the arrays are :data:`HOUSEHOLD_FIELDS`."""


def allocate(fields: tuple[Field, ...], rows: int) -> dict[str, np.ndarray]:
    """One array per field, ``rows`` long, every row at the field's fill."""
    return {f.name: np.full(rows, f.fill, f.dtype) for f in fields}


def allocate_people(capacity: int, n_in_use: int) -> People:
    """People arrays for ``capacity`` rows, all at their fill, of which the first ``n_in_use`` are counted."""
    return People(**allocate(PEOPLE_FIELDS, capacity), count=np.array([n_in_use], np.int64))


def allocate_households(n: int) -> Households:
    """Household arrays for ``n`` households, all at their fill."""
    return Households(**allocate(HOUSEHOLD_FIELDS, n))


def _row_reset(fields: tuple[Field, ...], name: str) -> Callable[..., None]:
    """A kernel ``name(rows, j)`` that sets row ``j`` of every field to the field's fill (generated from ``fields``)."""
    lines = [f"def {name}(rows, j):", '    """Set row ``j`` of every array of ``rows`` to its fill."""']
    lines += [f"    rows.{f.name}[j] = {_literal(f)}" for f in fields]
    namespace: dict[str, Any] = {"inf": math.inf, "nan": math.nan}
    exec("\n".join(lines), namespace)  # the code is built from the field list above, nothing else
    return njit(inline="always")(namespace[name])


def _literal(field: Field) -> str:
    """The fill as a Python literal of the field's kind (integer or float)."""
    return repr(int(field.fill)) if np.issubdtype(field.dtype, np.integer) else repr(float(field.fill))


#: ``reset_person(people, j)``: every attribute of row ``j`` at its fill (a newborn's row before birth sets it).
reset_person = _row_reset(PEOPLE_FIELDS, "reset_person")


def state_table(fields: tuple[Field, ...]) -> str:
    """The fields as the Markdown table of docs/odd.md (variable, type, unit, meaning)."""
    rows = ["| variable | type | unit | meaning |", "|---|---|---|---|"]
    rows += [f"| `{f.name}` | {np.dtype(f.dtype).name} | {f.unit} | {f.doc} |" for f in fields]
    return "\n".join(rows)


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
    """Brokers who arrange crossings and remittances (:mod:`nkborder.model.brokers`).

    A broker guarantees at most ``broker_capacity_month`` crossings a month; each client of his arrested adds
    one to his exposure, which decays with ``broker_memory_days``; a caught broker's place stays empty until
    ``out_until``.
    """

    city: np.ndarray  # int8
    earnings_cny: np.ndarray  # float64
    city_start: np.ndarray  # int32[n_cities + 1]
    booked: np.ndarray  # int32, crossings guaranteed this month
    exposure: np.ndarray  # float64, clients arrested, decayed to ``exposure_day``
    exposure_day: np.ndarray  # int32, day the exposure was last brought up to date
    out_until: np.ndarray  # int32, first day the broker's place works again after he was caught


class CityState(NamedTuple):
    """Per-city and per-inminban aggregates the kernels keep between steps."""

    status_counts: np.ndarray  # int64[n_cities, N_STATUS], people by status, kept up to date
    turnover_month_kpw: np.ndarray  # float64[n_cities], market turnover accumulated this month
    smuggled_today_cny: np.ndarray  # float64[n_cities]
    inminban_info: np.ndarray  # float64[n_inminban], mean information of members last month
    household_start: np.ndarray  # int32[n_cities + 1]
    donju_capital: np.ndarray  # float64[n_cities]
    n_districts: np.ndarray  # int32[n_cities], districts of each city


class Agents(NamedTuple):
    """The agents and their cities' aggregates, as kernels receive them (one structure instead of six)."""

    people: People
    hh: Households
    guards: Guards
    brokers: Brokers
    cities: CityState
    n_sectors: np.ndarray  # int32[n_cities], river sectors of each city


class Records(NamedTuple):
    """The records kernels add to during one month.

    ``daily[day, city, S.DAILY slot]`` and ``monthly[month, city, S.MONTHLY slot]`` span the run; ``sector``
    is the month's ``[sector, S.SECTOR slot]`` (sectors numbered globally, city by city).
    """

    daily: np.ndarray
    monthly: np.ndarray
    sector: np.ndarray


#: The record layout of the parameters for kernels: one float64 field per field of :class:`Params`, same names and
#: order.
KERNEL_PARAMS_DTYPE = np.dtype([(name, np.float64) for name in Params.model_fields])

KernelParams = np.record
"""All parameters as one numpy record of :data:`KERNEL_PARAMS_DTYPE` (``kp.intent_intercept``).

numba types a record as one pointer to its 128 doubles: a kernel that takes it compiles one argument instead of a
named tuple's 128, and a call from Python passes the pointer instead of unboxing 128 floats (BENCHMARKS.md,
section 2)."""


def kernel_params(params: Params) -> KernelParams:
    """The parameters as a record of floats that numba kernels can read (a fresh copy: kernels may not write it)."""
    return _record(tuple(float(getattr(params, name)) for name in Params.model_fields))


def with_values(kp: KernelParams, **changes: float) -> KernelParams:
    """A copy of ``kp`` with some fields set to other values, unvalidated (for tests that isolate one rule).

    Raises ``KeyError`` naming a field that is not a parameter.
    """
    unknown = sorted(set(changes) - set(Params.model_fields))
    if unknown:
        raise KeyError(f"with_values: {', '.join(unknown)} not a parameter of nkborder.params.Params")
    return _record(tuple(float(changes.get(name, kp[name])) for name in Params.model_fields))


def _record(values: tuple[float, ...]) -> KernelParams:
    return np.rec.array([values], dtype=KERNEL_PARAMS_DTYPE)[0]
