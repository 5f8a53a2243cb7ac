"""Experiments on Dask: ensembles, sweeps, counterfactual comparisons and sensitivity analysis.

Each function plans its runs, computes the ones not yet in the results file on a Dask cluster (a local one of
worker processes by default), stores every run as soon as it finishes, and returns an
:class:`ExperimentResult` read back from the file::

    import nkborder
    res = nkborder.ensemble("history", reps=20, scale=0.05, db="results.duckdb")
    res.summary          # mean, median, p5, p95 per year, city and indicator
    res.plot("figures")  # PNG figures with the policy events marked

Running the same call again recomputes nothing; after an interruption it computes only the missing runs.
The local cluster starts its workers by *spawning* Python processes, which import the calling script's main
module again: in a script, call experiments under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nkborder.experiments.comparisons import compare
from nkborder.experiments.ensembles import ensemble
from nkborder.experiments.kinds import load
from nkborder.experiments.result import ExperimentResult
from nkborder.experiments.sensitivities import sensitivity
from nkborder.experiments.sweeps import sweep
from nkborder.store import open_store
from nkborder.store.schema import DEFAULT_DB

__all__ = [
    "DEFAULT_DB",
    "ExperimentResult",
    "compare",
    "ensemble",
    "list_experiments",
    "list_runs",
    "load_experiment",
    "sensitivity",
    "sweep",
]

RUN_COLUMNS = ("run_id", "experiment", "run_key", "scenario_name", "seed", "scale", "start_date", "end_date",
               "status", "message", "started_at", "finished_at", "wall_seconds", "code_version")


def load_experiment(db: str | Path, name: str) -> ExperimentResult:
    """A stored experiment (its definition, runs and summaries), read from results file ``db``."""
    with open_store(db, read_only=True) as store:
        return load(store, name)


def list_experiments(db: str | Path) -> pd.DataFrame:
    """The experiments stored in ``db``: name, kind, n_runs (planned), status, created_at, updated_at."""
    from nkborder.experiments import registry

    with open_store(db, read_only=True) as store:
        return registry.experiments(store)


def list_runs(db: str | Path, experiment: str) -> pd.DataFrame:
    """The stored runs of an experiment, one row per planned run that has a stored run, in design order.

    Columns: ``idx`` (position in the design), the design labels (``rep``, ``side``, ``point``, ``sample``,
    varied parameter values), then the store's run columns (``run_id``, ``experiment`` = the experiment that
    computed it, ``run_key``, ``scenario_name``, ``seed``, ``scale``, dates, ``status``, ``wall_seconds``...).
    A run shared by two planned runs (same run key) appears on both rows.
    """
    from nkborder.experiments import registry

    with open_store(db, read_only=True) as store:
        registry.definition(store, experiment)  # InputError naming the known experiments if unknown
        members = registry.members(store, experiment)
        runs = store.runs()
    members = members.loc[members["run_id"].notna()]
    labels = pd.DataFrame(list(members["labels"]), index=members.index)
    front = pd.concat([members[["idx"]], labels], axis=1)
    cols = [c for c in RUN_COLUMNS if c in runs.columns]
    table = front.join(members[["run_id"]]).merge(runs[cols], on="run_id", how="left", sort=False)
    return table[["idx", *labels.columns, *cols]].reset_index(drop=True)
