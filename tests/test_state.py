"""The state declaration (nkborder.core.state): allocation and a newborn's row follow the field lists."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from nkborder.core import slots as S
from nkborder.core.rng import Stream, seed_key, stream_key
from nkborder.core.state import (
    HOUSEHOLD_FIELDS,
    PEOPLE_FIELDS,
    CityState,
    allocate_households,
    allocate_people,
    kernel_params,
    with_values,
)
from nkborder.model.demography import add_child
from nkborder.params import Params

SET_AT_BIRTH = {"city", "household", "female", "birth_day", "status", "risk_aversion", "discontent"}


def test_allocation_gives_every_field_its_dtype_and_fill() -> None:
    people, households = allocate_people(7, 3), allocate_households(4)
    assert people.count.tolist() == [3]
    for rows, fields in ((people, PEOPLE_FIELDS), (households, HOUSEHOLD_FIELDS)):
        assert list(rows._fields[:len(fields)]) == [f.name for f in fields]
        for f in fields:
            values = getattr(rows, f.name)
            assert values.dtype == np.dtype(f.dtype), f.name
            assert np.all(values == f.fill), f.name


def test_a_newborns_row_is_reset_to_the_fills_whatever_it_held() -> None:
    people = allocate_people(3, 1)
    people.household[0], people.female[0], people.discontent[0] = 5, 1, 0.7
    for f in PEOPLE_FIELDS:  # a row holding values other than the fills
        getattr(people, f.name)[1] = 9
    cities = CityState(np.zeros((1, S.N_STATUS), np.int64), np.zeros(1), np.zeros(1), np.zeros(1),
                       np.zeros(2, np.int32), np.zeros(1), np.ones(1, np.int32))
    daily = np.zeros((31, 1, S.N_DAILY))
    key = stream_key(seed_key(1), Stream.BIRTH_SEX, 0)
    assert add_child(people, cities, 0, 0.01, 0, 31, 0.1, key, key, daily)
    assert people.count[0] == 2
    for f in PEOPLE_FIELDS:
        if f.name not in SET_AT_BIRTH:
            assert getattr(people, f.name)[1] == f.fill, f.name
    assert people.household[1] == 5 and people.status[1] == S.RESIDENT
    assert np.isclose(people.discontent[1], 0.7) and 0.0 < people.risk_aversion[1] < 1.0
    assert cities.status_counts[0, S.RESIDENT] == 1 and daily[:, 0, S.BIRTHS].sum() == 1


def test_status_names_follow_the_status_numbers() -> None:
    assert [S.STATUS_NAMES.index(s.name.lower()) for s in S.Status] == [int(s) for s in S.Status]


@njit
def _intent_terms(kp):  # a kernel reading the record by field name
    return kp.intent_intercept, kp.intent_hardship, kp.commission_max


def test_kernel_params_hold_every_parameter_as_the_same_double_for_python_and_kernels() -> None:
    params = Params(intent_intercept=-9.25, commission_max=0.65)
    kp = kernel_params(params)
    assert kp.dtype.names == tuple(Params.model_fields)
    for name in Params.model_fields:
        assert kp[name] == float(getattr(params, name)), name
    assert _intent_terms(kp) == (-9.25, params.intent_hardship, 0.65)


def test_with_values_changes_only_the_named_fields_of_a_copy() -> None:
    kp = kernel_params(Params())
    changed = with_values(kp, intent_intercept=-3.0, no_route_give_up=0.0)
    assert (changed.intent_intercept, changed.no_route_give_up) == (-3.0, 0.0)
    assert kp.intent_intercept == Params().intent_intercept  # the original is untouched
    others = [n for n in Params.model_fields if n not in ("intent_intercept", "no_route_give_up")]
    assert all(changed[n] == kp[n] for n in others)
    with pytest.raises(KeyError, match="intent_interceptt"):
        with_values(kp, intent_interceptt=1.0)
