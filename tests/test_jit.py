"""Kernels compiled for other kernels only, and without reference counts (nkborder.core.jit)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from numba.core import config
from numba.core.registry import cpu_target

from nkborder.core.jit import FUNCTION_PASS_OPT, inner_kernel, install_function_passes, loop_kernel


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


def _pass_levels() -> tuple[int, int]:
    """LLVM levels of numba's per-function passes and of its module pipeline, as its code generator builds them."""
    codegen = cpu_target.target_context.codegen()
    _, function_passes = codegen._function_pass_manager()
    _, module_passes = codegen._module_pass_manager()
    return function_passes._pto.speed_level, module_passes._pto.speed_level


def test_numba_optimises_each_function_at_level_0_and_the_module_at_numba_opt() -> None:
    assert FUNCTION_PASS_OPT == 0
    assert _pass_levels() == (0, int(config.OPT))


def test_installing_the_function_passes_again_replaces_the_level() -> None:
    try:
        install_function_passes(2)
        assert _pass_levels() == (2, int(config.OPT))
    finally:
        install_function_passes()
    assert _pass_levels() == (0, int(config.OPT))


def test_an_unknown_llvm_level_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ValueError, match="FUNCTION_PASS_OPT: LLVM optimisation level 4 is not one of 0, 1, 2, 3"):
        install_function_passes(4)
