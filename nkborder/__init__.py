"""nkborder: agent-based simulator of the border-city economies of Hoeryong and Hyesan (North Korea).

One agent per person, daily steps, the documented policy timeline (famine, purification, redenomination,
sanctions, sealed border). Quick start::

    import nkborder
    result = nkborder.run("history", seed=1, scale=0.05)
    result.yearly  # one row per year and city

Experiments (ensembles, sweeps, what-ifs, sensitivity) run on Dask: :func:`ensemble`, :func:`sweep`,
:func:`compare`, :func:`sensitivity`.
"""

from __future__ import annotations

from typing import Any

from nkborder.api import Result, live, resolve, run
from nkborder.errors import InputError
from nkborder.params import Params, describe_parameters
from nkborder.scenarios import Scenario, list_scenarios, load_scenario
from nkborder.version import __version__ as __version__

__all__ = [
    "InputError",
    "Params",
    "Result",
    "Scenario",
    "compare",
    "describe_parameters",
    "ensemble",
    "list_scenarios",
    "live",
    "load_scenario",
    "resolve",
    "run",
    "sensitivity",
    "sweep",
]

_EXPERIMENTS = ("ensemble", "sweep", "compare", "sensitivity")


def __getattr__(name: str) -> Any:
    """Experiment functions load lazily: Dask is imported only when an experiment is run."""
    if name in _EXPERIMENTS:
        from nkborder import experiments

        return getattr(experiments, name)
    raise AttributeError(f"module 'nkborder' has no attribute {name!r}")
