"""Tables of the results file and their schema version.

One DuckDB file holds any number of runs. A run's tables (yearly, monthly, daily, per river sector, per
district) are stored in ``frame_rows``: one row per row of the wide DataFrame (run, table, period, city and,
for the sector and district tables, the sector or district number ``part``) holding the values of all its
indicator columns as one ``DOUBLE[]`` list, in the column order that ``frame_info`` records with the dtypes.
The indicator set can grow with the model without a migration (the list is as long as the run has
indicators), a run's monthly table is a few hundred rows instead of ~80,000 long rows (storing the yearly and
monthly tables of a run at scale 0.5 takes ~20 ms of CPU instead of ~0.12 s), and SQL still sees one row per
period, city (and sector or district): ``vals[i]`` is indicator ``i`` (1-based) of ``columns_json`` without
the key columns.

Schema version 1 stored every value as one row of ``indicators`` (run, frequency, period, city, indicator,
value) described by ``frames``. Those tables stay and are still read: runs written by version 1 are read
from them, and opening a version-1 file for writing adds the new tables and marks it version 2 (a version-1
nkborder then refuses it rather than missing the new runs). A version-1 file opened read-only is read as is.

Units: ``period`` is a calendar date (1 January for yearly and district rows, the first day of the month for
monthly and sector rows, the day itself for daily rows); values are indicators in their own units (see README
"Indicators"); ``started_at``/``finished_at`` are UTC timestamps; ``wall_seconds`` is wall-clock seconds;
``scale`` is the simulated share of the population.
"""

from __future__ import annotations

#: Bumped whenever a table or column changes meaning; a file with a newer version is refused.
SCHEMA_VERSION = 2

#: The tables of a run and the key column that identifies the period in the wide DataFrame.
FREQS: dict[str, str] = {
    "yearly": "year", "monthly": "date", "daily": "date", "sectors": "date", "districts": "year",
}

#: Tables with a second key column besides ``city``: the place within the city (0-based whole numbers).
PARTS: dict[str, str] = {"sectors": "sector", "districts": "district"}

#: Tables whose period is a year (an integer ``year`` column); the others have a ``date`` column.
YEARLY = ("yearly", "districts")

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

DDL_V1 = (
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

#: Tables added by schema version 2 (absent from a version-1 file opened read-only).
ROW_TABLES = ("frame_info", "frame_rows")

DDL_V2 = (
    """
    CREATE TABLE IF NOT EXISTS frame_info (
        run_id       VARCHAR NOT NULL,
        freq         VARCHAR NOT NULL,  -- yearly, monthly, daily, sectors or districts
        n_rows       BIGINT NOT NULL,
        columns_json VARCHAR NOT NULL,  -- JSON list: the wide frame's column names, in order
        dtypes_json  VARCHAR NOT NULL,  -- JSON list: pandas dtype name of each column
        cities_json  VARCHAR NOT NULL,  -- JSON list: cities in order of first appearance (row order)
        written_at   TIMESTAMP NOT NULL,
        PRIMARY KEY (run_id, freq)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS frame_rows (
        run_id VARCHAR NOT NULL,
        freq   VARCHAR NOT NULL,
        period DATE NOT NULL,
        city   VARCHAR NOT NULL,
        part   BIGINT,            -- sector or district (sectors, districts tables); NULL otherwise
        vals   DOUBLE[] NOT NULL  -- the row's indicator values in columns_json order (NULL for NaN)
    )
    """,
)

#: Every table, created if missing whenever a file is opened for writing.
DDL = DDL_V1 + DDL_V2

DEFAULT_DB = "nkborder.duckdb"  # results file used when no --db / db= is given
