"""A rough runtime estimate of an experiment, shown before it starts.

The cost of a run grows linearly with its agent-days (people simulated times days): on this project's 2-core
benchmark machine a run takes about ``FIXED_S_PER_RUN + NS_PER_AGENT_DAY * agent_days`` seconds of one core
(``BENCHMARKS.md``, section 5: the linear fit of wall time over scales 0.1-10, b = 6.51 ns per agent-day and
a = 0.26 s, plus the store's write of a run, about 0.15 s), and each worker first loads the compiled kernels
(about 2.2 s). Runs are spread over the workers. The estimate
leaves out compiling on a cold cache and other machines' speed; once runs finish, the progress shows the time
left measured from them.
"""

from __future__ import annotations

from collections.abc import Sequence

from nkborder.experiments.spec import RunSpec
from nkborder.model.population import city_sizes

NS_PER_AGENT_DAY = 6.51  # seconds per 1e9 agent-days of one core (BENCHMARKS.md, section 5)
FIXED_S_PER_RUN = 0.41  # set-up and tables (0.26 s, BENCHMARKS.md section 5) and the store's write (~0.15 s)
WORKER_START_S = 2.2  # a worker's import and load of the cached kernels (BENCHMARKS.md: warm first run)


def agent_days(spec: RunSpec) -> float:
    """People simulated by ``spec`` at its scale times the days from its start to its end."""
    sc = spec.scenario
    return float(sum(city_sizes(sc.cities, spec.scale))) * ((sc.end - sc.start).days + 1)


def estimate_seconds(specs: Sequence[RunSpec], workers: int) -> float:
    """Estimated wall seconds to compute ``specs`` on ``workers`` workers, each run on one core."""
    costs = [FIXED_S_PER_RUN + NS_PER_AGENT_DAY * 1e-9 * agent_days(s) for s in specs]
    if not costs:
        return 0.0
    return WORKER_START_S + max(sum(costs) / max(workers, 1), max(costs))


def describe_estimate(specs: Sequence[RunSpec], workers: int) -> str:
    """One line for the user: runs, their size and the estimated time on ``workers`` workers."""
    seconds = estimate_seconds(specs, workers)
    total = sum(agent_days(s) for s in specs)
    size = f"{total / 1e9:,.1f} billion" if total >= 1e9 else f"{total / 1e6:,.0f} million"
    return (f"estimate: {len(specs)} runs, {size} agent-days, about {_duration(seconds)} on "
            f"{workers} worker{'s' if workers != 1 else ''} (from this project's benchmark machine; compiling on a "
            "cold cache comes on top)")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


__all__ = ["agent_days", "describe_estimate", "estimate_seconds"]
