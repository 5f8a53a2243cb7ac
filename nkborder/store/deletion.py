"""Deleting runs and experiments from the results file, inside the caller's one transaction.

A run is its ``runs`` row, its ``frame_info`` rows and its rows in every indicator table (:data:`FREQS`). An
experiment is its ``experiments`` row, its planned runs in ``experiment_runs``, and the runs it computed
(``runs.experiment``), except those another experiment plans too (experiments reuse stored runs by run key):
those stay, so the other experiment stays whole. A run or experiment that is ``running`` is refused: the process
running it would write into rows that no longer exist. Rows left ``running`` by a dead process of this host are
marked first (:func:`~nkborder.store.statuses.mark_stale`), so they can be deleted.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from nkborder.store.connection import StoreError
from nkborder.store.schema import FREQS
from nkborder.store.statuses import mark_stale

#: Tables holding rows of a run, keyed by ``run_id``; ``runs`` last.
RUN_TABLES = (*FREQS, "frame_info", "runs")


def delete_runs(con: duckdb.DuckDBPyConnection, path: Path, run_ids: list[str]) -> dict[str, int]:
    """Delete ``run_ids`` from every table of a run; ``{table: rows deleted}``.

    Raises:
        StoreError: an id that is not stored, or a run that is ``running``.
    """
    mark_stale(con)
    found = dict(con.execute(
        "SELECT run_id, status FROM runs WHERE run_id IN (SELECT unnest(?::VARCHAR[]))", [run_ids]
    ).fetchall())
    missing = [r for r in run_ids if r not in found]
    if missing:
        raise StoreError(path, f"no run with id {', '.join(map(repr, missing))}")
    busy = [r for r in run_ids if found[r] == "running"]
    if busy:
        raise StoreError(path, f"run {', '.join(map(repr, busy))} is running and cannot be deleted",
                         "a run that is finished, failed or interrupted")
    return {table: _delete(con, f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?::VARCHAR[]))", [run_ids])
            for table in RUN_TABLES}


def delete_experiment(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> dict[str, int]:
    """Delete experiment ``name``, its planned runs and the runs it computed that no other experiment plans;
    ``{table: rows deleted}``.

    Raises:
        StoreError: no such experiment, or it (or one of its runs) is ``running``.
    """
    mark_stale(con)
    row = con.execute("SELECT status FROM experiments WHERE name = ?", [name]).fetchone()
    if row is None:
        known = [n for (n,) in con.execute("SELECT name FROM experiments ORDER BY name").fetchall()]
        raise StoreError(path, f"no experiment named {name!r}", ", ".join(known[:20]) or "(no experiment stored)")
    if row[0] == "running":
        raise StoreError(path, f"experiment {name!r} is running and cannot be deleted",
                         "an experiment that is finished, incomplete or planned")
    run_ids = [r for (r,) in con.execute(
        "SELECT run_id FROM runs WHERE experiment = ? AND (run_key IS NULL OR run_key NOT IN "
        "(SELECT run_key FROM experiment_runs WHERE experiment <> ?))", [name, name]
    ).fetchall()]
    deleted = delete_runs(con, path, run_ids) if run_ids else dict.fromkeys(RUN_TABLES, 0)
    deleted["experiment_runs"] = _delete(con, "DELETE FROM experiment_runs WHERE experiment = ?", [name])
    deleted["experiments"] = _delete(con, "DELETE FROM experiments WHERE name = ?", [name])
    return deleted


def _delete(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> int:
    """Run a DELETE and return how many rows it removed."""
    return int(con.execute(sql, params).fetchone()[0])
