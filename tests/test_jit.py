"""Kernels compiled for other kernels only, and without reference counts (nkborder.core.jit)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from nkborder.core.jit import inner_kernel, loop_kernel


@inner_kernel
def add_one(values: np.ndarray, i: int) -> float:
    values[i] += 1.0
    return values[i]


@njit
def call_add_one(values: np.ndarray, i: int) -> float:
    return add_one(values, i)


@loop_kernel
def add_two(values: np.ndarray, i: int) -> float:
    values[i] += 2.0
    return values[i]


def test_an_inner_kernel_runs_when_a_kernel_calls_it() -> None:
    values = np.zeros(3)
    assert call_add_one(values, 1) == 1.0
    assert values.tolist() == [0.0, 1.0, 0.0]


def test_an_inner_kernel_called_from_python_is_refused_with_its_name() -> None:
    with pytest.raises(TypeError, match="add_one is compiled to be called from other kernels only"):
        add_one(np.zeros(3), 1)


def test_a_loop_kernel_without_reference_counts_changes_a_view_in_place() -> None:
    values = np.zeros(3)
    assert add_two(values[1:], 0) == 2.0
    assert values.tolist() == [0.0, 2.0, 0.0]
