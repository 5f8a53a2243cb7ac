"""nkborder.core.fastexp: the inlined exp gives the same doubles as ``np.exp`` in a numba kernel.

In a kernel, ``np.exp`` of a scalar is the C library's ``exp`` (as is Python's ``math.exp``); NumPy's own
vectorised ``np.exp`` of an array is a different implementation and may differ in the last bit.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from numba import njit

from nkborder.core.fastexp import exp, logistic

# the fast path reproduces glibc's FMA build bit for bit; without FMA it may differ in the last bit
FMA = "fma" in Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else False


@njit
def _exp_all(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = exp(x[i])
    return out


@njit
def _kernel_np_exp_all(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = np.exp(x[i])
    return out


@njit
def _logistic_all(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = logistic(x[i])
    return out


def _math_exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _arguments() -> np.ndarray:
    rng = np.random.default_rng(11)
    wide = rng.uniform(-745.0, 710.0, 200_000)
    usual = rng.normal(0.0, 8.0, 200_000)  # logistic arguments of the model: intercepts of -12 to 4, and so on
    edges = np.array([0.0, -0.0, 2.0**-54, -(2.0**-54), 2.0**-60, 511.999, -511.999, 512.0, -512.0, 709.78,
                      -745.1, 800.0, -800.0, np.inf, -np.inf, np.nan])
    return np.concatenate([wide, usual, edges])


def test_exp_is_np_exp_in_a_kernel_and_math_exp() -> None:
    x = _arguments()
    ours, libm = _exp_all(x), _kernel_np_exp_all(x)
    assert np.array_equal(libm, [_math_exp(v) for v in x], equal_nan=True)
    if FMA:
        assert np.array_equal(ours, libm, equal_nan=True)
    else:
        finite = np.isfinite(libm)
        np.testing.assert_array_max_ulp(ours[finite], libm[finite], maxulp=1)


def test_logistic_is_one_over_one_plus_exp() -> None:
    x = _arguments()
    x = x[np.isfinite(x)]
    expected = 1.0 / (1.0 + _kernel_np_exp_all(-x))
    if FMA:
        np.testing.assert_array_equal(_logistic_all(x), expected)
    else:
        np.testing.assert_allclose(_logistic_all(x), expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize("x", [np.inf, -np.inf])
def test_infinite_arguments(x: float) -> None:
    assert _exp_all(np.array([x]))[0] == _math_exp(x)
