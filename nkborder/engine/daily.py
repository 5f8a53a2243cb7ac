"""The daily loop: every day of one month, the daily steps of :data:`~nkborder.engine.plan.PLAN` in plan order."""

from __future__ import annotations

from nkborder.core.jit import loop_kernel
from nkborder.engine.day import N_ACTIVE, DayContext
from nkborder.engine.plan import DAILY_KERNELS, chained

#: ``run_steps(d, today)``: the daily steps of the plan, in order (direct calls, built from the plan).
run_steps = chained(DAILY_KERNELS)


@loop_kernel
def run_days(d0: int, d1: int, today: DayContext) -> int:
    """Run days ``d0`` to ``d1 - 1``: each day, every daily step of the plan in order. Returns the length of the
    daily tracking list."""
    for d in range(d0, d1):
        run_steps(d, today)
    return today.counters[N_ACTIVE]
