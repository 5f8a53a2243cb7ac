"""The experiments' own tables in the results file: what each experiment is, and which runs it is made of.

The tables are created with the store's others (:mod:`nkborder.store.schema`).

``experiments`` holds one row per experiment name: its kind (ensemble, sweep, compare, sensitivity) and its
definition as JSON (scenarios with their events, design, replicates, base seed, scale, dates), so that ``plot``
and a resumed command know what the experiment was. ``experiment_runs`` holds one row per planned run: its
position ``idx`` in the design, run key, seed and labels (replicate, side, point, varied parameter values).
Stored runs are found through the store's ``runs`` table by run key, so a run computed by one experiment is
reused, not recomputed, by another that needs the same run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
from typing import TYPE_CHECKING, Any

import pandas as pd

from nkborder.errors import InputError

if TYPE_CHECKING:
    from nkborder.store import ResultsStore

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def check_name(name: str) -> str:
    """An experiment name usable in file names: letters, digits, ``.``, ``_``, ``-`` (at most 100)."""
    if not NAME_PATTERN.match(name or ""):
        raise InputError("--name", repr(name), "not a valid experiment name",
                         "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100")
    return name


def canonical(definition: dict[str, Any]) -> str:
    """The definition as canonical JSON (sorted keys), for storage and comparison."""
    return json.dumps(definition, sort_keys=True, default=str)


def identity(definition: dict[str, Any]) -> dict[str, Any]:
    """The part of a definition that decides which runs an experiment is made of (all but ``analysis``,
    the options of the summaries, which a later call may change, and how the scenarios were named: a
    shipped name or its file path is the same scenario when the content hash is the same, and the hash holds
    the first day reported too)."""
    out = {k: v for k, v in definition.items() if k != "analysis"}
    out["scenarios"] = [{k: v for k, v in sc.items() if k not in ("ref", "report_start")}
                        for sc in definition.get("scenarios", [])]
    return out


def register(store: ResultsStore, name: str, definition: dict[str, Any], members: pd.DataFrame) -> bool:
    """Record experiment ``name`` with its definition and planned runs; return True if it already existed.

    Resuming an experiment records its planned runs again: their run keys change when the model's code or data
    changed since (:func:`nkborder.experiments.spec.run_key`), and the experiment then reads the runs of the
    current code.

    Args:
        members: one row per planned run with columns ``idx``, ``run_key``, ``seed``, ``labels`` (dict).

    Raises:
        InputError: ``name`` already names an experiment with a different definition.
    """
    text = canonical(definition)
    now = _utcnow()
    with store.transaction() as con:
        row = con.execute("SELECT definition_json FROM experiments WHERE name = ?", [name]).fetchone()
        if row is not None:
            old = json.loads(row[0])
            if canonical(identity(old)) != canonical(identity(definition)):
                raise InputError("--name", name, f"already names another experiment ({_differs(old, definition)})",
                                 "the same command and options to resume it, or a new --name")
            con.execute("UPDATE experiments SET definition_json = ?, updated_at = ? WHERE name = ?",
                        [text, now, name])
        else:
            con.execute("INSERT INTO experiments (name, kind, definition_json, n_runs, status, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, 'planned', ?, ?)",
                        [name, definition["kind"], text, len(members), now, now])
        con.execute("DELETE FROM experiment_runs WHERE experiment = ?", [name])
        frame = pd.DataFrame({
            "experiment": name,
            "idx": members["idx"].astype("int32"),
            "run_key": members["run_key"].astype(object),
            "seed": members["seed"].astype("int64"),
            "labels_json": [json.dumps(lab, default=str) for lab in members["labels"]],  # order kept
        })
        con.register("_nk_members", frame)
        try:
            con.execute("INSERT INTO experiment_runs SELECT experiment, idx, run_key, seed, labels_json "
                        "FROM _nk_members")
        finally:
            con.unregister("_nk_members")
    return row is not None


def set_status(store: ResultsStore, name: str, status: str) -> None:
    """Set an experiment's status (``running``, ``finished``, ``incomplete``) and record this process, so that
    an experiment left ``running`` by a process that died is marked ``incomplete`` when the store is opened."""
    with store.transaction() as con:
        con.execute("UPDATE experiments SET status = ?, updated_at = ?, pid = ?, host = ? WHERE name = ?",
                    [status, _utcnow(), os.getpid(), socket.gethostname(), name])


def definition(store: ResultsStore, name: str) -> dict[str, Any]:
    """The stored definition of experiment ``name``; InputError naming the known experiments if unknown."""
    with store.reading() as con:
        row = con.execute("SELECT definition_json FROM experiments WHERE name = ?", [name]).fetchone()
    if row is None:
        known = experiments(store)["name"].tolist()
        raise InputError(str(store.path), name, "no experiment of that name",
                         "one of: " + ", ".join(known) if known else "none stored yet")
    return json.loads(row[0])


def experiments(store: ResultsStore) -> pd.DataFrame:
    """All experiments: name, kind, n_runs, status, created_at, updated_at (newest first)."""
    with store.reading() as con:
        return con.execute("SELECT name, kind, n_runs, status, created_at, updated_at FROM experiments "
                           "ORDER BY updated_at DESC").df()


def members(store: ResultsStore, name: str) -> pd.DataFrame:
    """Planned runs of experiment ``name`` with the id and status of their stored run (if any).

    Columns: ``idx``, ``run_key``, ``seed``, ``labels`` (dict), ``run_id`` and ``status`` (None when not
    stored); for each run key the latest finished run is taken, else the latest failed or interrupted one.
    """
    with store.reading() as con:
        frame = con.execute(
            """
            WITH ranked AS (
                SELECT run_key, run_id, status, row_number() OVER (
                    PARTITION BY run_key
                    ORDER BY (status = 'finished') DESC, finished_at DESC NULLS LAST, started_at DESC
                ) AS rank
                FROM runs WHERE run_key IN (SELECT run_key FROM experiment_runs WHERE experiment = ?)
            )
            SELECT m.idx, m.run_key, m.seed, m.labels_json, r.run_id, r.status
            FROM experiment_runs m LEFT JOIN ranked r ON r.run_key = m.run_key AND r.rank = 1
            WHERE m.experiment = ? ORDER BY m.idx
            """,
            [name, name],
        ).df()
    frame["labels"] = [json.loads(text) for text in frame.pop("labels_json")]
    return frame


def _differs(old: dict[str, Any], new: dict[str, Any]) -> str:
    def flat(d: dict[str, Any]) -> dict[str, Any]:
        return {"kind": d.get("kind"), "scenarios": d.get("scenarios"), **d.get("design", {})}

    a, b = flat(identity(old)), flat(identity(new))
    keys = sorted(k for k in set(a) | set(b) if canonical({k: a.get(k)}) != canonical({k: b.get(k)}))
    return "differs in: " + ", ".join(keys)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
