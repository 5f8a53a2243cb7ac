"""The daily loop: every day of one month, the daily steps of :data:`~nkborder.engine.plan.PLAN` in plan order."""

from __future__ import annotations

import warnings

from numba import literal_unroll, njit
from numba.core.errors import NumbaExperimentalFeatureWarning

from nkborder.engine.day import N_ACTIVE, DayContext
from nkborder.engine.plan import DAILY_KERNELS

# numba types the tuple of step kernels with its first-class function machinery and says so at every compile;
# literal_unroll still compiles a direct call to each step (no function pointers: BENCHMARKS.md, section 2)
warnings.filterwarnings("ignore", message="First-class function type", category=NumbaExperimentalFeatureWarning)


@njit(cache=True)
def run_days(d0: int, d1: int, today: DayContext) -> int:
    """Run days ``d0`` to ``d1 - 1``: each day, every step of ``DAILY_KERNELS`` in order. Returns the length of
    the daily tracking list."""
    for d in range(d0, d1):
        for step in literal_unroll(DAILY_KERNELS):
            step(d, today)
    return today.counters[N_ACTIVE]
