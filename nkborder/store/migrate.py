"""Creating the tables of a results file, and migrating files written by earlier schema versions.

* Version 1 kept every value as one row of ``indicators`` (run, freq, period, city, indicator, value), with
  the frames described in ``frames``.
* Version 2 kept one row of ``frame_rows`` per row of a wide frame, its values as one ``DOUBLE[]`` list in the
  column order of ``frame_info``.

Both are copied into the named tables of version 3 (:mod:`nkborder.store.schema`) in one transaction, the old
tables dropped and the version set, the first time the file is opened; values are copied as they are (the
same doubles, NULL for NaN), so a migrated run reads back as the same DataFrame.
"""

from __future__ import annotations

import json

import duckdb

from nkborder.store.frames import keys, quote
from nkborder.store.schema import DDL, PARTS, SCHEMA_VERSION, YEARLY


def version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version recorded in ``meta``, or None when the file has no ``meta`` table."""
    if "meta" not in tables(con):
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else int(row[0])


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables in the file's main schema."""
    return {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()}


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that is missing and record the schema version (inside the caller's transaction)."""
    for ddl in DDL:
        con.execute(ddl)
    con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a version-1 or version-2 file to the current schema (inside the caller's transaction)."""
    found = tables(con)
    for ddl in DDL:
        con.execute(ddl)
    for column in ("pid INTEGER", "host VARCHAR"):
        con.execute(f"ALTER TABLE experiments ADD COLUMN IF NOT EXISTS {column}")
    if "frame_rows" in found:  # version 2 (before the version-1 frames join frame_info)
        for freq, columns, run_ids in _groups(con, "frame_info"):
            names = _indicators(freq, columns)
            add_columns(con, freq, names)
            values = ", ".join(f"vals[{i + 1}]" for i in range(len(names)))
            con.execute(
                f"INSERT INTO {freq} ({_target(freq, names)}) SELECT run_id, {_period(freq)}, city"
                f"{', part' if freq in PARTS else ''}, {values} FROM frame_rows "
                "WHERE freq = ? AND run_id IN (SELECT unnest(?::VARCHAR[]))",
                [freq, run_ids],
            )
        con.execute("DROP TABLE frame_rows")
    if "frames" in found:  # version 1
        for freq, columns, run_ids in _groups(con, "frames"):
            names = _indicators(freq, columns)
            add_columns(con, freq, names)
            pivot = ", ".join(f"max(value) FILTER (WHERE indicator = {_literal(n)})" for n in names)
            con.execute(
                f"INSERT INTO {freq} ({_target(freq, names)}) SELECT run_id, {_period(freq)}, city, {pivot} "
                "FROM indicators WHERE freq = ? AND run_id IN (SELECT unnest(?::VARCHAR[])) "
                "GROUP BY run_id, period, city",
                [freq, run_ids],
            )
        con.execute("INSERT INTO frame_info SELECT run_id, freq, n_rows, columns_json, dtypes_json, cities_json, "
                    "written_at FROM frames")
        con.execute("DROP TABLE indicators")
        con.execute("DROP TABLE frames")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def add_columns(con: duckdb.DuckDBPyConnection, freq: str, names: list[str]) -> None:
    """Add to table ``freq`` a ``DOUBLE`` column for each indicator it lacks (older runs read NULL there).

    DuckDB compares column names without regard to case, and so does this.
    """
    have = {name.lower() for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?", [freq]
    ).fetchall()}
    for name in names:
        if name.lower() not in have:
            con.execute(f"ALTER TABLE {freq} ADD COLUMN {quote(name)} DOUBLE")
            have.add(name.lower())


def _groups(con: duckdb.DuckDBPyConnection, info: str) -> list[tuple[str, list[str], list[str]]]:
    """``(freq, columns, run ids)`` for each table and column list described in table ``info``."""
    rows = con.execute(
        f"SELECT freq, columns_json, list(run_id ORDER BY run_id) FROM {info} GROUP BY freq, columns_json"
    ).fetchall()
    return [(freq, json.loads(columns), list(run_ids)) for freq, columns, run_ids in rows]


def _indicators(freq: str, columns: list[str]) -> list[str]:
    return [c for c in columns if c not in keys(freq)]


def _target(freq: str, names: list[str]) -> str:
    """The column list of an INSERT into table ``freq``: run id, keys, then ``names``."""
    return ", ".join(quote(c) for c in ("run_id", *keys(freq), *names))


def _period(freq: str) -> str:
    """The version-1/2 ``period`` date as the table's key: the year, or the date itself."""
    return "year(period)" if freq in YEARLY else "period"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
