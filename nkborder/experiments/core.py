"""Shared steps of every experiment: check options, register the design, execute it, read the results back."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nkborder.errors import InputError
from nkborder.experiments import registry
from nkborder.experiments.progress import ProgressHook
from nkborder.experiments.result import ExperimentResult
from nkborder.experiments.runner import execute
from nkborder.experiments.spec import RunSpec
from nkborder.inputs.checks import check_date
from nkborder.scenarios import Scenario, load_scenario
from nkborder.store import open_store

if TYPE_CHECKING:
    from nkborder.store import ResultsStore

__all__ = ["MAX_RUNS", "check_common", "check_runs", "load", "open_store", "reported", "run_experiment", "scenario_for",
           "scenario_info"]

MAX_SCALE = 20.0
MAX_RUNS = 100_000  # runs of one experiment (replicates x design points): a planned list held in memory

#: A kind's summary of its runs: summarise(definition, runs) -> (summary, other tables).
Summarise = Callable[[dict[str, Any], pd.DataFrame], tuple[pd.DataFrame, dict[str, pd.DataFrame]]]


def check_common(reps: int, seed: int, scale: float) -> None:
    """1 <= replicates <= MAX_RUNS, 0 <= seed < 2**63, 0 < scale <= 20, or InputError naming the option."""
    from nkborder.inputs.checks import check_count, check_scale, check_seed

    if check_count(reps, "--reps") > MAX_RUNS:
        raise InputError("--reps", str(reps), "too many replicates", f"at most {MAX_RUNS:,}")
    check_seed(seed)
    check_scale(scale, "--scale", MAX_SCALE)


def check_runs(points: int, reps: int, option: str) -> None:
    """InputError if ``points`` design points x ``reps`` replicates is more than :data:`MAX_RUNS` runs."""
    if points * reps > MAX_RUNS:
        raise InputError(option, f"{points:,} x {reps:,} replicates", f"{points * reps:,} runs",
                         f"at most {MAX_RUNS:,} runs in one experiment")


def scenario_for(scenario: str | Path | Scenario, start: dt.date | str | None, end: dt.date | str | None) -> Scenario:
    """The scenario (shipped name, file or object) with the run dates applied."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return sc.with_dates(check_date(start, "--start"), check_date(end, "--end"))


def scenario_info(sc: Scenario, ref: str | Path | Scenario) -> dict[str, Any]:
    """What the definition keeps of a scenario: name, how it was given, content hash, dates (with the first day
    reported, if later than the start), events."""
    return {
        "name": sc.name,
        "ref": (sc.path or sc.name) if isinstance(ref, Scenario) else str(ref),
        "content_hash": sc.content_hash(),
        "start": sc.start.isoformat(),
        "end": sc.end.isoformat(),
        "cities": list(sc.cities),
        **({"report_start": sc.report_start.isoformat()} if sc.report_start is not None else {}),
        "events": [
            {"id": e.id, "kind": e.kind, "start": e.start.isoformat(), "place": e.place,
             "end": e.end.isoformat() if e.end else None}
            for e in sc.events
        ],
    }


def default_name(definition: dict[str, Any]) -> str:
    """``KIND-SCENARIO[-vs-SCENARIO]-HASH``: the same command gives the same name, so it resumes."""
    scenarios = "-vs-".join(s["name"] for s in definition["scenarios"])
    digest = hashlib.sha256(registry.canonical(registry.identity(definition)).encode()).hexdigest()[:8]
    slug = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in scenarios)[:60]
    return f"{definition['kind']}-{slug}-{digest}"


def run_experiment(
    definition: dict[str, Any], specs: list[RunSpec], *, db: str | Path, name: str | None,
    scheduler: str | None, workers: int | None, progress: bool | ProgressHook, summarise: Summarise,
    stop: threading.Event | None = None,
) -> ExperimentResult:
    """Register the experiment, compute its missing runs, and return its results read from ``db``
    (summarised by its kind's ``summarise``).

    The store is opened once, but the file only for each write: other processes read it meanwhile.
    """
    name = registry.check_name(name) if name is not None else default_name(definition)
    members = pd.DataFrame({
        "idx": range(len(specs)), "run_key": [s.key for s in specs], "seed": [s.seed for s in specs],
        "labels": [s.labels for s in specs],
    })
    with open_store(db) as store:
        registry.register(store, name, definition, members)
        registry.set_status(store, name, "running")
        try:
            outcome = execute(store, name, specs, scheduler=scheduler, workers=workers, progress=progress,
                              stop=stop)
        except BaseException:
            registry.set_status(store, name, "incomplete")
            raise
        registry.set_status(store, name, "incomplete" if outcome.failed or outcome.stopped else "finished")
        result = load(store, name, summarise)
    result.computed, result.reused, result.failed = outcome.computed, outcome.reused, len(outcome.failed)
    result.compute_seconds = outcome.seconds
    result.db = str(db)
    return result


def load(store: ResultsStore, name: str, summarise: Summarise) -> ExperimentResult:
    """Experiment ``name`` as stored: its definition, the runs table (the years it reports) and its kind's summaries
    (``nkborder.experiments.kinds.load`` finds ``summarise`` from the stored kind)."""
    definition = registry.definition(store, name)
    members = registry.members(store, name)
    runs = reported(runs_table(store, members), definition)
    summary, tables = summarise(definition, runs)
    failed = int((members["status"] == "failed").sum())
    return ExperimentResult(name, definition["kind"], definition, runs, summary, tables, str(store.path),
                            failed=failed)


def reported(runs: pd.DataFrame, definition: dict[str, Any]) -> pd.DataFrame:
    """The rows of an experiment's yearly ``runs`` in the years it reports: from each scenario's
    ``report_start`` on (a comparison's side A and B by their own scenario). Stored runs hold every simulated
    year (:func:`nkborder.experiments.spec.run_key`)."""
    firsts = [dt.date.fromisoformat(s["report_start"]).year if s.get("report_start") else None
              for s in definition.get("scenarios", [])]
    if not len(runs) or not any(firsts):
        return runs
    if "side" in runs.columns and len(firsts) > 1:
        first = runs["side"].map({side: year or 0 for side, year in zip("AB", firsts, strict=False)}).fillna(0)
    else:
        first = firsts[0] or 0
    return runs.loc[runs["year"] >= first].reset_index(drop=True)


def runs_table(store: ResultsStore, members: pd.DataFrame) -> pd.DataFrame:
    """Yearly tables of the finished member runs with their design columns in front (one row per member,
    year and city, in design order)."""
    stored = members.loc[members["status"] == "finished"]
    labels = pd.DataFrame(list(stored["labels"]), index=stored.index)
    meta = pd.concat([stored[["idx", "run_id", "run_key", "seed"]], labels], axis=1)
    if stored.empty:
        return meta.assign(year=pd.Series(dtype="int64"), city=pd.Series(dtype=object))
    yearly = store.tables(list(dict.fromkeys(stored["run_id"])), "yearly")
    runs = meta.merge(yearly, on="run_id", how="inner", sort=False)
    return runs.sort_values(["idx"], kind="stable").reset_index(drop=True)

