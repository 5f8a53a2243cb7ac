"""Compile options of the kernels that make numba's first compile shorter, with the same machine code's results.

numba compiles every kernel into its own library with two wrappers that let Python call it: one unboxes each
argument from Python objects, one exposes a C entry point. For a kernel that takes the state's named tuples
(``People``, ``Households``, ``Environment``: about seventy arrays) these wrappers are most of its code, and
numba also emits a reference-count increment and decrement for every array of a named tuple each time the tuple
is read or passed on. The daily kernels are called by the daily loop only, and allocate
no arrays, so:

- :func:`inner_kernel` compiles a kernel that only other kernels call without either wrapper and without
  reference counting (numba's ``no_cpython_wrapper``, ``no_cfunc_wrapper`` and ``_nrt=False`` options).
- :func:`loop_kernel` compiles a kernel that Python calls, that allocates no arrays, without reference counting.

Neither changes what a kernel computes (reference counts only keep arrays alive that Python holds anyway). Small
helpers are inlined instead (``inline="always"``): compiled on their own, each costs about 0.2 s CPU of fixed
overhead. BENCHMARKS.md (section 2) gives what each option saves.

Give a function one of these compilations only: numba's cache is keyed on the function and its argument types, not
on the options, so a second dispatcher of the same function could load code compiled without a wrapper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import njit
from numba.core import config
from numba.core.registry import CPUDispatcher

#: numba's options for code that allocates no arrays: no reference counting (``_nrt`` is numba's own switch).
NO_REFCOUNTS: dict[str, Any] = {"_nrt": False}


class InnerKernel(CPUDispatcher):
    """A kernel compiled without a Python wrapper: callable from other kernels only."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse a call from Python (without a wrapper numba would jump to code that does not exist)."""
        raise TypeError(f"{self.py_func.__module__}.{self.py_func.__qualname__} is compiled to be called from "
                        "other kernels only; call it from an @njit function")


def inner_kernel(func: Callable[..., Any]) -> Any:
    """Compile ``func`` (cached) to be called by other kernels only: no Python or C wrapper, no reference counts.

    ``func`` must allocate no arrays (without reference counting they would never be freed).
    """
    if config.DISABLE_JIT:
        return func
    kernel = InnerKernel(py_func=func, locals={}, targetoptions={
        "nopython": True, "boundscheck": None, "no_cpython_wrapper": True, "no_cfunc_wrapper": True,
        **NO_REFCOUNTS})
    kernel.enable_caching()
    return kernel


def loop_kernel(func: Callable[..., Any]) -> Any:
    """Compile ``func`` (cached, callable from Python) without reference counts; ``func`` must allocate no arrays."""
    return njit(cache=True, **NO_REFCOUNTS)(func)
