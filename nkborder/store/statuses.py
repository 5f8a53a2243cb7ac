"""Statuses left ``running`` by a process that died: found and repaired when a results file is opened.

A run, experiment or calibration set ``running`` records the process (``pid``) and ``host`` that did it. If
that process no longer exists on this host, nothing will end the row: opening the store marks it (runs and
calibrations ``interrupted``, experiments ``incomplete``). Rows of other hosts are left alone: their process
ids mean nothing here.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Any

import duckdb

#: Tables whose rows a process sets ``running`` (with its ``pid`` and ``host``): id column, and the status a
#: row gets when that process no longer exists. ``calibrations`` exists once a calibration was stored.
STALE_STATUS = {"runs": ("run_id", "interrupted"), "experiments": ("name", "incomplete"),
                "calibrations": ("name", "interrupted")}


def mark_stale(con: duckdb.DuckDBPyConnection) -> int:
    """Mark the rows of :data:`STALE_STATUS` left ``running`` by a process of this host that no longer exists
    (inside the caller's transaction); return how many runs."""
    host = socket.gethostname()
    marked = {}
    for table, (id_column, status) in STALE_STATUS.items():
        stale = stale_rows(con, table, id_column, host)
        for key, pid in stale:
            if table == "runs":
                con.execute("UPDATE runs SET status = ?, message = ? WHERE run_id = ? AND status = 'running'",
                            [status, f"process {pid} on {host} ended before the run finished", key])
            else:
                con.execute(f"UPDATE {table} SET status = ? WHERE {id_column} = ? AND status = 'running'",
                            [status, key])
        marked[table] = len(stale)
    return marked["runs"]


def stale_rows(con: duckdb.DuckDBPyConnection, table: str, id_column: str, host: str) -> list[tuple[Any, int]]:
    """``(id, pid)`` of the rows of ``table`` left ``running`` by a process of ``host`` that no longer exists
    (none if the table, or its ``pid`` column, does not exist)."""
    has_pid = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name = ? AND column_name = 'pid'", [table]
    ).fetchone()[0]
    if not has_pid:
        return []
    rows = con.execute(
        f"SELECT {id_column}, pid FROM {table} WHERE status = 'running' AND host = ? AND pid IS NOT NULL", [host]
    ).fetchall()
    return [(key, pid) for key, pid in rows if not pid_alive(pid)]


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (a zombie counts as dead)."""
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows: assume alive
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True
