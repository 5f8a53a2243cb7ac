"""A plain Mesa 3 implementation of the nkborder model, for docking against the fast engine.

The rules are re-implemented, one agent method each, in :mod:`reference.agents` and :mod:`reference.households`;
:mod:`reference.model` runs them in the engine's step order. The policy equations that turn the scenario's events
into each day's conditions are re-implemented in :mod:`reference.environment`, the initial population from the
census in :mod:`reference.population`, the yearly table in :mod:`reference.tables`. From ``nkborder`` come only
the scenario and parameter objects (``nkborder.api.resolve``), the observed driver series (``nkborder.inputs``)
and the names of the record's slots (``nkborder.core.slots``). This folder is not part of the installed package
and ``nkborder`` never imports it.

>>> from reference import run_reference
>>> yearly = run_reference("hoeryong-2007", seed=1, scale=0.01)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.api import resolve
from reference.agents import Person
from reference.model import RULE_CHANGES, BorderModel

__all__ = ["RULE_CHANGES", "BorderModel", "agent_days_per_second", "run_reference"]


def run_reference(
    scenario: str | Path, seed: int = 0, scale: float = 1.0, start: dt.date | str | None = None,
    end: dt.date | str | None = None, overrides: dict[str, Any] | None = None, rule_change: str | None = None,
) -> pd.DataFrame:
    """Run the reference model once; returns the yearly table with the fast engine's columns.

    ``scenario`` is a shipped scenario name or a TOML path, as for :func:`nkborder.run`; ``rule_change`` breaks
    one rule on purpose (see :mod:`reference.model`), for negative controls.
    """
    sc, params = resolve(scenario, start, end, overrides)
    model = BorderModel(sc, params, seed=seed, scale=scale, rule_change=rule_change)
    return model.run(None if sc.report_start is None else sc.report_start.year)


def agent_days_per_second(
    scenario: str | Path, scale: float, seed: int = 0, start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> float:
    """Speed of the reference: initial people x simulated days / wall seconds (set-up included)."""
    sc, params = resolve(scenario, start, end)
    t0 = time.perf_counter()
    model = BorderModel(sc, params, seed=seed, scale=scale)
    n_people = len(model.agents_by_type[Person])
    model.run()
    return n_people * model.n_days / (time.perf_counter() - t0)
