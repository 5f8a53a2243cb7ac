"""Compile options of the kernels that make numba's first compile shorter, with the same machine code's results.

numba compiles every kernel into its own library with two wrappers that let Python call it: one unboxes each
argument from Python objects, one exposes a C entry point. For a kernel that takes the state's named tuples
(``People``, ``Households``, ``Environment``: about seventy arrays) these wrappers are most of its code, and
numba also emits a reference-count increment and decrement for every array of a named tuple each time the tuple
is read or passed on. The daily kernels are called by the daily loop only, and allocate no arrays, so:

- :func:`inner_kernel` compiles a kernel that only other kernels call without either wrapper and without
  reference counting (numba's ``no_cpython_wrapper``, ``no_cfunc_wrapper`` and ``_nrt=False`` options).
- :func:`loop_kernel` compiles a kernel that Python calls, that allocates no arrays, without reference counting.

Neither changes what a kernel computes (reference counts only keep arrays alive that Python holds anyway). Small
helpers are inlined instead (``inline="always"``): compiled on their own, each costs about 0.2 s CPU of fixed
overhead. BENCHMARKS.md (section 2) gives what each option saves.

numba optimises each function's LLVM IR twice: once alone, before linking it into its kernel's module
(``_optimize_functions``), and again with the whole module, which is what makes the machine code. Both run at
numba's ``NUMBA_OPT`` (default 3). :func:`install_function_passes` runs the first at level 0 and leaves the module's
pipeline at ``NUMBA_OPT``: the module pipeline repeats what the per-function one does, and the per-function one at
level 3 was about half of LLVM's time in the daily group's compile (BENCHMARKS.md, section 2). No fast-math is
enabled, so LLVM keeps every floating-point operation as written and the results are the same
(``tests/test_regression.py``).

Give a function one of these compilations only: numba's cache is keyed on the function and its argument types, not
on the options, so a second dispatcher of the same function could load code compiled without a wrapper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import njit
from numba.core import codegen, config
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


#: LLVM optimisation level of numba's pass over each function before it is linked into its module (0 to 3).
FUNCTION_PASS_OPT = 0


def install_function_passes(level: int = FUNCTION_PASS_OPT) -> None:
    """Have numba run its per-function LLVM passes at ``level``; the module's pipeline stays at ``NUMBA_OPT``.

    It applies to every compile in this process (numba has one code generator). Calling it again replaces the
    level. :mod:`nkborder.core` calls it on import, before the first kernel compiles, so the warm-up child and
    the Dask workers, which import the package, compile the same way. With a numba that has no
    ``CPUCodegen._function_pass_manager`` it does nothing (numba compiles as it would by itself).
    """
    if not 0 <= level <= 3:
        raise ValueError(f"FUNCTION_PASS_OPT: LLVM optimisation level {level!r} is not one of 0, 1, 2, 3")
    cls: Any = codegen.CPUCodegen
    original = getattr(cls, "_numba_function_pass_manager", None) or getattr(cls, "_function_pass_manager", None)
    if original is None:
        return

    def _function_pass_manager(self: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("opt", level)
        return original(self, **kwargs)

    cls._numba_function_pass_manager = original
    cls._function_pass_manager = _function_pass_manager
