"""The results file as the page reads it: stored runs and experiments, tables, downloads.

The app opens the DuckDB file read-only, for the moment it reads (and for writing only to delete a run or an
experiment): a run or experiment that another process (or
this one) is storing is shown as far as it is stored. A file that another program keeps open for writing gives a
clear message after the store's bounded wait.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.errors import InputError


@contextlib.contextmanager
def store(db: str | Path) -> Iterator[Any]:
    """The results store, read-only."""
    from nkborder.store import open_store

    with open_store(db, read_only=True, option="results file") as s:
        yield s


def open_experiment(db: str | Path, name: str) -> Any:
    """A stored experiment (definition, runs, bands) as the experiment layer reads it."""
    from nkborder.experiments.kinds import load

    with store(db) as s:
        result = load(s, name)
    result.db = str(db)
    return result


def stored_runs(db: str | Path) -> pd.DataFrame:
    """The runs of the results file, newest first, without the long text columns."""
    if not Path(db).exists():
        return pd.DataFrame(columns=["run_id", "experiment", "scenario_name", "seed", "scale", "status"])
    with store(db) as s:
        runs = s.runs()
    return runs.drop(columns=[c for c in ("scenario_text", "params_json") if c in runs.columns])


def stored_experiments(db: str | Path) -> pd.DataFrame:
    """The experiments of the results file (name, kind, n_runs, status, created_at, updated_at)."""
    if not Path(db).exists():
        return pd.DataFrame(columns=["name", "kind", "n_runs", "status", "created_at", "updated_at"])
    from nkborder.experiments import registry

    with store(db) as s:
        return registry.experiments(s)


#: What the page can delete.
DELETABLE = ("run", "experiment")


def delete(db: str | Path, what: str, key: str) -> dict[str, int]:
    """Delete a stored ``run`` (by id) or ``experiment`` (by name) in one transaction; rows deleted per table.

    The store refuses a run or experiment that is running (StoreError naming the file)."""
    from nkborder.store import open_store

    if what not in DELETABLE:
        raise InputError("stored runs", "delete", f"cannot delete a {what!r}", ", ".join(DELETABLE))
    with open_store(db, option="results file") as s:
        return s.delete_run(key) if what == "run" else s.delete_experiment(key)


def made_by(runs: pd.DataFrame, experiments: pd.DataFrame, names: Collection[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs and experiments of the experiments named ``names`` (a session's own), in their order."""
    names = set(names)
    return (runs.loc[runs["experiment"].isin(names)].reset_index(drop=True),
            experiments.loc[experiments["name"].isin(names)].reset_index(drop=True))


def run_table(db: str | Path, run_id: str, freq: str = "yearly") -> pd.DataFrame:
    """The ``freq`` table of one stored run."""
    with store(db) as s:
        return s.table(run_id, freq)


def since(tables: dict[str, pd.DataFrame], first: str | None) -> dict[str, pd.DataFrame]:
    """Monthly, per-sector and per-district ``tables`` of stored runs (which hold every simulated day) from
    ``first`` (an experiment scenario's ``report_start``, ISO date; None keeps all) on: the months it reports."""
    from nkborder.engine.record import rows_from

    if not first:
        return tables
    return {name: rows_from(table, pd.Timestamp(first)) for name, table in tables.items()}


#: Stored tables the map reads, and the columns that identify a row besides the run.
MEAN_KEYS = {"monthly": ("date", "city"), "sectors": ("date", "city", "sector"),
             "districts": ("year", "city", "district")}


def monthly_mean(db: str | Path, run_ids: list[str]) -> pd.DataFrame:
    """The monthly tables of ``run_ids`` averaged over the runs, one row per month and city."""
    return table_mean(db, run_ids, "monthly")


def table_mean(db: str | Path, run_ids: list[str], table: str) -> pd.DataFrame:
    """A stored table (``monthly``, ``sectors``, ``districts``) of ``run_ids`` averaged over the runs."""
    if not run_ids:
        return pd.DataFrame()
    keys = list(MEAN_KEYS[table])
    with store(db) as s:
        tables = s.tables(list(run_ids), table)
    if tables.empty:
        return tables
    numeric = [c for c in tables.columns if c not in ("run_id", *keys)
               and pd.api.types.is_numeric_dtype(tables[c])]
    return tables.groupby(keys, sort=True)[numeric].mean().reset_index()


def to_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """A table as CSV or Parquet bytes, for a download."""
    import io

    if fmt == "csv":
        return df.to_csv(index=False).encode("utf-8")
    if fmt == "parquet":
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()
    raise InputError("download", "format", f"unknown format {fmt!r}", "csv, parquet")


def when(f: Callable[[], Any], default: Any) -> Any:
    """``f()``, or ``default`` if it raises (for optional read-outs in the page)."""
    try:
        return f()
    except Exception:
        return default
