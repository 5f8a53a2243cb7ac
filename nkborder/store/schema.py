"""Tables of the results file and their schema version.

One DuckDB file holds any number of runs. Indicators are stored in *long* form, one row per (run, frequency,
period, city, indicator), because the indicator set grows with the model: a new indicator needs no migration.
``frames`` remembers, per run and frequency, the column order and dtypes of the wide DataFrame that was
written, so that :meth:`ResultsStore.table` gives back the same frame.

Units: ``period`` is a calendar date (1 January for yearly rows, the first day of the month for monthly rows,
the day itself for daily rows); ``value`` is the indicator in its own unit (see README "Indicators");
``started_at``/``finished_at`` are UTC timestamps; ``wall_seconds`` is wall-clock seconds; ``scale`` is the
simulated share of the population.
"""

from __future__ import annotations

#: Bumped whenever a table or column changes meaning; a file with a newer version is refused.
SCHEMA_VERSION = 1

#: Table frequencies and the key column that identifies the period in the wide DataFrame.
FREQS: dict[str, str] = {"yearly": "year", "monthly": "date", "daily": "date"}

#: Every status a run can have; ``running`` is set by ``begin_run`` only.
STATUSES = ("running", "finished", "failed", "interrupted")

#: Statuses a run may end with.
END_STATUSES = ("finished", "failed", "interrupted")

#: Export formats.
FORMATS = ("parquet", "csv")

RUN_COLUMNS = (
    "run_id", "experiment", "run_key", "scenario_name", "scenario_text", "params_json", "seed", "scale",
    "start_date", "end_date", "code_version", "status", "message", "started_at", "finished_at",
    "wall_seconds", "pid", "host",
)

DDL = (
    """
    CREATE TABLE IF NOT EXISTS meta (
        key   VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS runs (
        run_id        VARCHAR PRIMARY KEY,
        experiment    VARCHAR,
        run_key       VARCHAR,
        scenario_name VARCHAR NOT NULL,
        scenario_text VARCHAR NOT NULL,
        params_json   VARCHAR NOT NULL,
        seed          BIGINT NOT NULL,
        scale         DOUBLE NOT NULL,
        start_date    DATE NOT NULL,
        end_date      DATE NOT NULL,
        code_version  VARCHAR NOT NULL,
        status        VARCHAR NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
        message       VARCHAR NOT NULL DEFAULT '',
        started_at    TIMESTAMP NOT NULL,
        finished_at   TIMESTAMP,
        wall_seconds  DOUBLE,
        pid           INTEGER,
        host          VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS frames (
        run_id       VARCHAR NOT NULL,
        freq         VARCHAR NOT NULL CHECK (freq IN ('yearly', 'monthly', 'daily')),
        n_rows       BIGINT NOT NULL,
        columns_json VARCHAR NOT NULL,  -- JSON list: the wide frame's column names, in order
        dtypes_json  VARCHAR NOT NULL,  -- JSON list: pandas dtype name of each column
        cities_json  VARCHAR NOT NULL,  -- JSON list: cities in order of first appearance (row order)
        written_at   TIMESTAMP NOT NULL,
        PRIMARY KEY (run_id, freq)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS indicators (
        run_id    VARCHAR NOT NULL,
        freq      VARCHAR NOT NULL CHECK (freq IN ('yearly', 'monthly', 'daily')),
        period    DATE NOT NULL,
        city      VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,
        value     DOUBLE
    )
    """,
)

DEFAULT_DB = "nkborder.duckdb"  # results file used when no --db / db= is given
