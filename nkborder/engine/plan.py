"""The step plan: the kernels that run each month and each day, in the order they run.

:class:`~nkborder.engine.sim.Simulation` calls the monthly steps of :data:`PLAN` in order on the first day of
every month (and on the run's first day), then :func:`~nkborder.engine.daily.run_days`, which calls the daily
steps of :data:`PLAN` in order for every day of the month (through :func:`chained`: one direct call per step,
inlined by numba, so that the plan costs neither speed nor much compile time). ``nkborder plan`` prints this object
(:func:`describe_plan`). A step may apply several phases of the model description (docs/odd.md, section 3): the
monthly person pass applies demography, information, defection and tracking to each person in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from numba import njit

from nkborder.engine import day, month


class Phase(NamedTuple):
    """A phase of the model description: its name and what it does."""

    name: str
    what: str


class Step(NamedTuple):
    """A kernel of the plan and the phases it applies, in order."""

    kernel: Callable[..., Any]
    phases: tuple[Phase, ...]


class Plan(NamedTuple):
    """The monthly steps (``step(sim, month)``) and the daily steps (``step(d, today)``), each in order."""

    monthly: tuple[Step, ...]
    daily: tuple[Step, ...]


PLAN = Plan(
    monthly=(
        Step(month.census_step, (Phase(
            "census", "count household members at home, in China and in South Korea; inminban information"),)),
        Step(month.brokers_step, (Phase(
            "brokers", "no crossing booked yet this month; the remittance commission from the brokers who can work"),)),
        Step(month.remittances_step, (Phase(
            "remittances", "defectors in South Korea send money home through brokers"),)),
        Step(month.livelihoods_step, (Phase(
            "livelihoods", "household income, food, hardship, spending and saving for the past month"),)),
        Step(month.people_step, (
            Phase("demography", "deaths and births"),
            Phase("information", "outside information and discontent"),
            Phase("defection", "who attempts a crossing this month, and on which day"),
            Phase("tracking", "hand a household's smuggling on when its smuggler died, left or turned 55; list the "
                  "smugglers and everyone in China or detained, for the daily phases"),
        )),
    ),
    daily=(
        Step(day.state_step, (Phase(
            "state", "policy of the day: the guards on duty and the currency reform on its day (other levers are "
            "in the environment)"),)),
        Step(day.smuggling_step, (Phase("smuggling", "smuggling trips, detection, cuts and arrests"),)),
        Step(day.defection_step, (Phase(
            "defection", "crossings planned for the day: brokers, guards, bribes, arrests"),)),
        Step(day.china_step, (Phase(
            "china", "people in China: capture, return, onward journey; releases from detention"),)),
        Step(day.guards_step, (Phase("guards", "guards on duty: pay, discharge and rotation"),)),
        Step(day.markets_step, (Phase("markets", "market turnover"),)),
        Step(day.record_step, (Phase("record", "end-of-day stocks by status and the guards on duty"),)),
    ),
)

#: The daily kernels in plan order (:func:`~nkborder.engine.daily.run_days` calls them through :func:`chained`).
DAILY_KERNELS = tuple(step.kernel for step in PLAN.daily)


INLINE = njit(inline="always")


def chained(kernels: tuple[Callable[..., Any], ...],
            jit: Callable[[Callable[..., Any]], Callable[..., Any]] = INLINE) -> Callable[..., Any]:
    """One kernel ``(d, today)`` that calls ``kernels`` in order, each with ``(d, today)``.

    Its body is written from the list (one call per line, as if typed out), so numba compiles a direct call to
    each kernel and its callers stay cacheable. ``jit`` compiles it (the identity gives plain Python).
    """
    names = {f"step_{i}": kernel for i, kernel in enumerate(kernels)}
    source = "def run_steps(d, today):\n" + "".join(f"    {name}(d, today)\n" for name in names)
    exec(source, names)  # the code is the list of calls above, nothing else
    return jit(names["run_steps"])


def phases(steps: tuple[Step, ...]) -> tuple[Phase, ...]:
    """The phases of ``steps``, in the order they apply."""
    return tuple(phase for step in steps for phase in step.phases)


def describe_plan(plan: Plan = PLAN) -> str:
    """The plan as printable text: each step's kernel, then the phases it applies, numbered in order."""
    lines: list[str] = []
    for title, steps in (("Each month (first day):", plan.monthly),
                         ("Each day (every day of the month, after the monthly steps):", plan.daily)):
        lines.append(title)
        k = 0
        for step in steps:
            lines.append(f"  {_kernel_name(step.kernel)}")
            for phase in step.phases:
                k += 1
                lines.append(f"    {k}. {phase.name}: {phase.what}")
    return "\n".join(lines)


def _kernel_name(kernel: Callable[..., Any]) -> str:
    func = getattr(kernel, "py_func", kernel)
    return f"{func.__module__}.{func.__qualname__}"
