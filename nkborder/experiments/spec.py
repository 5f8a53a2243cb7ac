"""One planned run of an experiment: scenario, parameters, seed and scale, and its run key.

The run key identifies a run by everything that changes its results (scenario content, every parameter value,
seed, scale, dates, and the model's code and data files), so a resumed experiment can find the runs it already
stored, whichever experiment stored them, and never reuses a run made by other rules. Seeds of replicates
derive from the base seed with NumPy's ``SeedSequence``: replicate ``i`` of base seed ``S`` always gets the
same seed, whatever the number of workers or the order runs finish in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nkborder.params import Params
from nkborder.scenarios import Scenario


def derive_seed(base: int, index: int) -> int:
    """The seed of replicate ``index`` (0, 1, ...) of base seed ``base``: a 31-bit non-negative integer."""
    from nkborder.inputs.checks import check_seed

    check_seed(base, "seed")
    if index < 0:
        raise ValueError("replicate indices are non-negative")
    state = np.random.SeedSequence(base, spawn_key=(index,)).generate_state(1, dtype=np.uint32)[0]
    return int(state) & 0x7FFFFFFF


def run_key(scenario: Scenario, params: Params, seed: int, scale: float) -> str:
    """Hash (hex, 24 characters) of the scenario's content hash, all parameter values, seed, scale, dates and
    the digest of the model's code and data (:func:`nkborder.version.results_digest`).

    The scenario's ``report_start`` is left out: it changes no simulated day, and an experiment's runs are
    stored with every simulated year (:func:`simulated`), the experiment keeping the years it reports when it
    reads them (:func:`nkborder.experiments.core.reported`). A run reporting from 2012 and the same run reporting
    every year are one stored run.
    """
    from nkborder.version import results_digest

    payload = {
        "code": results_digest(),
        "scenario": simulated(scenario).content_hash(),
        "params": {k: float(v) for k, v in params.model_dump().items()},  # 30 and 30.0 give one key
        "seed": int(seed),
        "scale": float(scale),
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


def simulated(scenario: Scenario) -> Scenario:
    """``scenario`` as an experiment simulates and stores it: every simulated year reported (no
    ``report_start``)."""
    return scenario if scenario.report_start is None else scenario.model_copy(update={"report_start": None})


def first_reported(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The rows of a yearly ``table`` of ``scenario`` from its first year reported on (all without a
    ``report_start``)."""
    from nkborder.engine.record import rows_from

    if scenario.report_start is None:
        return table
    return rows_from(table, pd.Timestamp(scenario.report_start))


@dataclass(frozen=True)
class RunSpec:
    """A planned run.

    Attributes:
        scenario: the scenario with the run dates applied.
        overrides: parameter values replacing the scenario's (the varied ones of a sweep).
        seed: the run's seed.
        scale: share of the population simulated.
        labels: where the run sits in the design (``rep``, ``side``, ``point``, ``sample``, varied values).
        params: the resolved, validated parameters.
        key: the run key (see :func:`run_key`).
    """

    scenario: Scenario
    overrides: dict[str, float]
    seed: int
    scale: float
    labels: dict[str, Any] = field(default_factory=dict)
    params: Params | None = None
    key: str = ""

    @classmethod
    def make(
        cls, scenario: Scenario, overrides: dict[str, float], seed: int, scale: float, labels: dict[str, Any]
    ) -> RunSpec:
        """A spec with validated parameters (``InputError`` for a bad override) and its run key."""
        params = scenario.parameters(overrides)
        return cls(scenario, dict(overrides), int(seed), float(scale), dict(labels), params,
                   run_key(scenario, params, seed, scale))

    def payload(self) -> dict[str, Any]:
        """What a worker needs to run it (picklable, small)."""
        return {"scenario": self.scenario, "overrides": self.overrides, "seed": self.seed, "scale": self.scale}
