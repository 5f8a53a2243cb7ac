"""Tables of the results file and their schema version (described for SQL users in ``docs/store.md``).

One DuckDB file holds any number of runs. Each table of a run is stored in a table of the same name with one
column per indicator, so plain SQL reads it::

    SELECT year, city, arrivals_south_korea FROM yearly WHERE run_id = '...'

* ``yearly``  - ``run_id``, ``year``, ``city``, indicators;
* ``monthly`` - ``run_id``, ``date`` (first day of the month), ``city``, indicators;
* ``daily``   - ``run_id``, ``date``, ``city``, indicators;
* ``sectors`` - ``run_id``, ``date`` (first day of the month), ``city``, ``sector`` (0-based), indicators;
* ``districts`` - ``run_id``, ``year``, ``city``, ``district`` (0-based), indicators.

Indicator columns are ``DOUBLE`` in their own units (README "Indicators"); NULL where the run wrote NaN or
was written before the indicator existed. A frame with an indicator the table lacks adds the column
(``ALTER TABLE ... ADD COLUMN``). ``frame_info`` records, per run and table, the columns in the order and with
the pandas dtypes they were written with and the cities in row order, so a run reads back as the same
DataFrame. ``runs`` holds one row per run, ``experiments`` and ``experiment_runs`` the experiments and their
planned runs, ``meta`` the schema version.

Units: ``started_at``/``finished_at``/``created_at``/``updated_at``/``written_at`` are UTC timestamps;
``wall_seconds`` is wall-clock seconds; ``scale`` is the simulated share of the population.
"""

from __future__ import annotations

#: Bumped whenever a table or column changes meaning; a file with a newer version is refused, an older one
#: migrated (``nkborder.store.migrate``).
SCHEMA_VERSION = 3

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



def key_ddl(freq: str) -> str:
    """The key columns of table ``freq`` as SQL column definitions (indicators are added as written)."""
    period = '"year" INTEGER NOT NULL' if freq in YEARLY else '"date" DATE NOT NULL'
    part = f', "{PARTS[freq]}" INTEGER NOT NULL' if freq in PARTS else ""
    return f'run_id VARCHAR NOT NULL, {period}, city VARCHAR NOT NULL{part}'


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
    *(f"CREATE TABLE IF NOT EXISTS {freq} ({key_ddl(freq)})" for freq in FREQS),
    """
    CREATE TABLE IF NOT EXISTS experiments (
        name            VARCHAR NOT NULL,
        kind            VARCHAR NOT NULL,
        definition_json VARCHAR NOT NULL,
        n_runs          INTEGER NOT NULL,
        status          VARCHAR NOT NULL,   -- planned, running, finished, incomplete
        created_at      TIMESTAMP NOT NULL, -- UTC
        updated_at      TIMESTAMP NOT NULL, -- UTC
        pid             INTEGER,            -- process that last set it running
        host            VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS experiment_runs (
        experiment  VARCHAR NOT NULL,
        idx         INTEGER NOT NULL,
        run_key     VARCHAR NOT NULL,
        seed        BIGINT NOT NULL,
        labels_json VARCHAR NOT NULL
    )
    """,
)

DEFAULT_DB = "nkborder.duckdb"  # results file used when no --db / db= is given
