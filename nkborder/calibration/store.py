"""Calibrations in the DuckDB results file: their definition, generations and posterior particles.

pyabc keeps its own history in SQLite (``<db>.pyabc.sqlite`` next to the DuckDB file); after each generation
its particles, weights and distances are copied here, so the results file alone holds every posterior:

* ``calibrations`` - one row per calibration: ``name`` (the id used by ``--posterior``), the definition as JSON
  (scenario, observed folder, years, scale, seed, population, priors, fixed values), the pyabc SQLite file and
  run id (``abc_id``), the command, status, timestamps (UTC) and the process (``pid``, ``host``) that last set it
  running.
* ``calibration_generations`` - per generation: tolerance ``epsilon`` (distance units), ``acceptance_rate``
  (accepted / simulated), ``n_simulations``, ``wall_seconds``, and of the simulations those the early rejection
  stopped before their first simulated day (``n_stopped_before_start``) and after a simulated year
  (``n_stopped_after_start``; both NULL for a generation copied after an interruption); :func:`generations` adds
  the effective sample size ``ess = 1 / sum(w^2)`` of the particle weights (from ``posterior_particles``).
* ``posterior_particles`` - long form, one row per generation, particle and parameter: ``weight`` (sums to 1
  over a generation), ``distance`` and ``value`` (in the parameter's unit).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from typing import TYPE_CHECKING, Any

import pandas as pd

from nkborder.errors import InputError

if TYPE_CHECKING:
    from nkborder.store import ResultsStore

DDL = (
    """CREATE TABLE IF NOT EXISTS calibrations (
        name VARCHAR PRIMARY KEY, definition_json VARCHAR NOT NULL, pyabc_db VARCHAR NOT NULL,
        abc_id INTEGER NOT NULL, command VARCHAR, status VARCHAR NOT NULL, code_version VARCHAR,
        created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, pid INTEGER, host VARCHAR)""",
    # calibrations stored before the process was recorded
    "ALTER TABLE calibrations ADD COLUMN IF NOT EXISTS pid INTEGER",
    "ALTER TABLE calibrations ADD COLUMN IF NOT EXISTS host VARCHAR",
    """CREATE TABLE IF NOT EXISTS calibration_generations (
        name VARCHAR NOT NULL, generation INTEGER NOT NULL, epsilon DOUBLE, acceptance_rate DOUBLE,
        n_simulations BIGINT, n_particles INTEGER, wall_seconds DOUBLE, finished_at TIMESTAMP,
        PRIMARY KEY (name, generation))""",
    # generations stored before early stops were counted
    "ALTER TABLE calibration_generations ADD COLUMN IF NOT EXISTS n_stopped_before_start BIGINT",
    "ALTER TABLE calibration_generations ADD COLUMN IF NOT EXISTS n_stopped_after_start BIGINT",
    """CREATE TABLE IF NOT EXISTS posterior_particles (
        name VARCHAR NOT NULL, generation INTEGER NOT NULL, particle INTEGER NOT NULL, weight DOUBLE NOT NULL,
        distance DOUBLE, parameter VARCHAR NOT NULL, value DOUBLE NOT NULL)""",
)


def ensure_tables(store: ResultsStore) -> None:
    """Create the calibration tables if missing (needs a writable store)."""
    with store.transaction() as con:
        for ddl in DDL:
            con.execute(ddl)


def _has_tables(store: ResultsStore) -> bool:
    with store.reading() as con:
        row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'calibrations'").fetchone()
    return bool(row and row[0])


def get(store: ResultsStore, name: str) -> dict[str, Any] | None:
    """The stored calibration ``name`` (definition decoded), or None."""
    if not _has_tables(store):
        return None
    with store.reading() as con:
        row = con.execute(
            "SELECT name, definition_json, pyabc_db, abc_id, command, status, code_version, created_at, updated_at "
            "FROM calibrations WHERE name = ?", [name]).fetchone()
    if row is None:
        return None
    keys = ("name", "definition", "pyabc_db", "abc_id", "command", "status", "code_version", "created_at",
            "updated_at")  # fmt: skip
    rec = dict(zip(keys, row, strict=True))
    rec["definition"] = json.loads(rec["definition"])
    return rec


def require(store: ResultsStore, name: str) -> dict[str, Any]:
    """The stored calibration ``name``, or InputError listing the known ones."""
    rec = get(store, name)
    if rec is None:
        known = ", ".join(list_all(store)["name"]) or "none stored yet"
        raise InputError(str(store.path), "--posterior", f"no calibration named {name!r}", known)
    return rec


def insert(store: ResultsStore, name: str, definition: dict, pyabc_db: str, abc_id: int, command: str) -> None:
    """Record a new calibration as ``running``."""
    from nkborder.version import __version__

    now = _now()
    with store.transaction() as con:
        con.execute("INSERT INTO calibrations VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                    [name, json.dumps(definition, sort_keys=True), pyabc_db, abc_id, command, __version__, now, now,
                     os.getpid(), socket.gethostname()])


def set_status(store: ResultsStore, name: str, status: str, command: str | None = None) -> None:
    """Mark a calibration ``running``, ``interrupted`` or ``finished`` (and record the latest command, if given)
    with this process, so that one left ``running`` by a process that died is marked ``interrupted`` when the
    store is opened."""
    with store.transaction() as con:
        con.execute("UPDATE calibrations SET status = ?, updated_at = ?, pid = ?, host = ? WHERE name = ?",
                    [status, _now(), os.getpid(), socket.gethostname(), name])
        if command:
            con.execute("UPDATE calibrations SET command = ? WHERE name = ?", [command, name])


def generations(store: ResultsStore, name: str) -> pd.DataFrame:
    """The stored generations of a calibration, in order."""
    if not _has_tables(store):
        return pd.DataFrame(columns=["generation", "epsilon", "acceptance_rate", "n_simulations", "ess"])
    with store.reading() as con:
        counted = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'calibration_generations'").fetchall()}
        stops = ", ".join(f"g.{c}" if c in counted else f"NULL::BIGINT AS {c}"  # a file opened read-only that
                          for c in ("n_stopped_before_start", "n_stopped_after_start"))  # predates the counts
        return con.execute(
            "SELECT g.generation, g.epsilon, g.acceptance_rate, g.n_simulations, g.n_particles, e.ess, "
            f"g.wall_seconds, g.finished_at, {stops} "
            "FROM calibration_generations g LEFT JOIN (SELECT generation, "
            "1 / sum(weight * weight) AS ess FROM (SELECT DISTINCT generation, particle, weight "
            "FROM posterior_particles WHERE name = ?) GROUP BY generation) e USING (generation) "
            "WHERE g.name = ? ORDER BY g.generation", [name, name]).df()


def record_generation(store: ResultsStore, name: str, generation: int, info: dict[str, float],
                      particles: pd.DataFrame, weights: pd.Series, distances: pd.Series) -> None:
    """Store one generation (its row and every particle's values) in one transaction, replacing a copy."""
    long = particles.reset_index(drop=True).assign(
        particle=range(len(particles)), weight=weights.to_numpy(float), distance=distances.to_numpy(float),
    ).melt(id_vars=["particle", "weight", "distance"], var_name="parameter", value_name="value")
    long.insert(0, "generation", int(generation))
    long.insert(0, "name", name)
    with store.transaction() as con:
        con.execute("DELETE FROM posterior_particles WHERE name = ? AND generation = ?", [name, generation])
        con.execute("DELETE FROM calibration_generations WHERE name = ? AND generation = ?", [name, generation])
        con.register("_particles", long)
        con.execute("INSERT INTO posterior_particles SELECT name, generation, particle, weight, distance, "
                    "parameter, value FROM _particles")
        con.unregister("_particles")
        con.execute("INSERT INTO calibration_generations (name, generation, epsilon, acceptance_rate, "
                    "n_simulations, n_particles, wall_seconds, finished_at, n_stopped_before_start, "
                    "n_stopped_after_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [name, generation, info["epsilon"], info["acceptance_rate"], int(info["n_simulations"]),
                     len(particles), info.get("wall_seconds"), _now(), info.get("n_stopped_before_start"),
                     info.get("n_stopped_after_start")])
        con.execute("UPDATE calibrations SET updated_at = ? WHERE name = ?", [_now(), name])


def posterior(store: ResultsStore, name: str, generation: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Particles (one column per parameter) and normalised weights of a generation (default: the last)."""
    gens = generations(store, name)
    if gens.empty:
        raise InputError(str(store.path), "--posterior", f"calibration {name!r} has no finished generation yet",
                         "run or resume the calibration first")
    g = int(gens["generation"].max()) if generation is None else int(generation)
    with store.reading() as con:
        long = con.execute(
            "SELECT particle, weight, distance, parameter, value FROM posterior_particles "
            "WHERE name = ? AND generation = ? ORDER BY particle", [name, g]).df()
    wide = long.pivot(index="particle", columns="parameter", values="value")
    meta = long.groupby("particle")[["weight", "distance"]].first().loc[wide.index]
    w = meta["weight"] / meta["weight"].sum()
    wide.columns.name = None
    return wide.reset_index(drop=True), w.reset_index(drop=True)


def list_all(store: ResultsStore) -> pd.DataFrame:
    """Every stored calibration: name, scenario, status, generations done, last epsilon, updated_at."""
    cols = ["name", "scenario", "status", "generations", "epsilon", "updated_at"]
    if not _has_tables(store):
        return pd.DataFrame(columns=cols)
    with store.reading() as con:
        df = con.execute(
            "SELECT c.name, c.definition_json, c.status, count(g.generation) AS generations, "
            "arg_max(g.epsilon, g.generation) AS epsilon, c.updated_at FROM calibrations c "
            "LEFT JOIN calibration_generations g USING (name) GROUP BY ALL ORDER BY c.updated_at DESC").df()
    df["scenario"] = [json.loads(d)["scenario"]["name"] for d in df.pop("definition_json")]
    return df[cols]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
