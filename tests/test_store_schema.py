"""The store's tables as SQL sees them, new indicator columns, and files written by earlier schema versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from store_frames import CITIES, RUN, districts, monthly, sectors, yearly

from nkborder.store import SCHEMA_VERSION, ResultsStore, StoreError


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "results.duckdb"


def _sql(db: Path, query: str, params: list | None = None) -> pd.DataFrame:
    """A query on the file by a plain DuckDB connection, as a user's script or the duckdb shell would."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).df()
    finally:
        con.close()


# ------------------------------------------------------------------------------------------ named columns
def test_plain_sql_reads_named_columns(db: Path) -> None:
    with ResultsStore(db) as store:
        run_id = store.record_run(tables={"yearly": yearly(), "monthly": monthly(), "sectors": sectors(),
                                          "districts": districts()}, **RUN)
        other = store.record_run(tables={"yearly": yearly(seed=5)}, **RUN)
    got = _sql(db, "SELECT year, city, population, income_gini FROM yearly WHERE run_id = ? ORDER BY year, city",
               [run_id])
    want = yearly()[["year", "city", "population", "income_gini"]].sort_values(["year", "city"])
    assert got["year"].tolist() == want["year"].tolist() and got["city"].tolist() == want["city"].tolist()
    assert got["population"].tolist() == want["population"].astype(float).tolist()
    np.testing.assert_array_equal(got["income_gini"].to_numpy(), want["income_gini"].to_numpy())  # NaN as NULL
    assert _sql(db, "SELECT count(*) AS n FROM yearly")["n"][0] == 2 * len(yearly())
    sums = _sql(db, "SELECT run_id, sum(crossings_attempted) AS s FROM yearly GROUP BY run_id").set_index("run_id")
    assert sums.loc[other, "s"] == yearly(seed=5)["crossings_attempted"].sum()
    per_sector = _sql(db, "SELECT date, city, sector, crossings_succeeded FROM sectors WHERE run_id = ? "
                      "ORDER BY date, city, sector", [run_id])
    assert per_sector["crossings_succeeded"].tolist() == sectors()["crossings_succeeded"].astype(float).tolist()
    assert _sql(db, "SELECT DISTINCT district FROM districts ORDER BY 1")["district"].tolist() == [0, 1, 2]
    assert _sql(db, "SELECT min(date) AS d FROM monthly")["d"][0] == pd.Timestamp("1995-01-01")
    version = _sql(db, "SELECT value FROM meta WHERE key = 'schema_version'")["value"][0]
    assert version == str(SCHEMA_VERSION)
    runs = _sql(db, "SELECT run_id, status, seed FROM runs ORDER BY started_at")
    assert set(runs["run_id"]) == {run_id, other} and set(runs["status"]) == {"finished"}


def test_a_new_indicator_adds_a_column_and_older_runs_read_null(db: Path) -> None:
    with ResultsStore(db) as store:
        old_id = store.record_run(tables={"yearly": yearly()}, **RUN)
        new_frame = yearly(seed=2).assign(remittances_cny=np.arange(len(yearly()), dtype=np.float64))
        new_id = store.record_run(tables={"yearly": new_frame}, **RUN)
        pd.testing.assert_frame_equal(store.table(old_id), yearly())  # without the new column
        pd.testing.assert_frame_equal(store.table(new_id), new_frame)
        both = store.tables([old_id, new_id])
        assert both.loc[both["run_id"] == old_id, "remittances_cny"].isna().all()
    got = _sql(db, "SELECT run_id, remittances_cny FROM yearly")
    assert got.loc[got["run_id"] == old_id, "remittances_cny"].isna().all()
    assert got.loc[got["run_id"] == new_id, "remittances_cny"].tolist() == list(range(len(yearly())))


@pytest.mark.parametrize(("extra", "text"), [
    ({"Population": 1.0}, "unique strings, also ignoring case"),
    ({"run_id": 1.0}, "'run_id' is the store's own column"),
])
def test_column_names_sql_cannot_tell_apart_are_refused(db: Path, extra: dict, text: str) -> None:
    with ResultsStore(db) as store, pytest.raises(StoreError, match=text):
        store.record_run(tables={"yearly": yearly().assign(**extra)}, **RUN)


# ----------------------------------------------------------------------------------- older result files
OLD_DDL = {  # as schema versions 1 and 2 created them
    "meta": "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    "runs": """CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, experiment VARCHAR, run_key VARCHAR,
        scenario_name VARCHAR NOT NULL, scenario_text VARCHAR NOT NULL, params_json VARCHAR NOT NULL,
        seed BIGINT NOT NULL, scale DOUBLE NOT NULL, start_date DATE NOT NULL, end_date DATE NOT NULL,
        code_version VARCHAR NOT NULL, status VARCHAR NOT NULL, message VARCHAR NOT NULL DEFAULT '',
        started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, wall_seconds DOUBLE, pid INTEGER, host VARCHAR)""",
    "frames": """CREATE TABLE frames (run_id VARCHAR NOT NULL, freq VARCHAR NOT NULL, n_rows BIGINT NOT NULL,
        columns_json VARCHAR NOT NULL, dtypes_json VARCHAR NOT NULL, cities_json VARCHAR NOT NULL,
        written_at TIMESTAMP NOT NULL, PRIMARY KEY (run_id, freq))""",
    "indicators": """CREATE TABLE indicators (run_id VARCHAR NOT NULL, freq VARCHAR NOT NULL, period DATE NOT NULL,
        city VARCHAR NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE)""",
    "frame_info": """CREATE TABLE frame_info (run_id VARCHAR NOT NULL, freq VARCHAR NOT NULL, n_rows BIGINT NOT NULL,
        columns_json VARCHAR NOT NULL, dtypes_json VARCHAR NOT NULL, cities_json VARCHAR NOT NULL,
        written_at TIMESTAMP NOT NULL, PRIMARY KEY (run_id, freq))""",
    "frame_rows": """CREATE TABLE frame_rows (run_id VARCHAR NOT NULL, freq VARCHAR NOT NULL, period DATE NOT NULL,
        city VARCHAR NOT NULL, part BIGINT, vals DOUBLE[] NOT NULL)""",
    "experiments": """CREATE TABLE experiments (name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
        definition_json VARCHAR NOT NULL, n_runs INTEGER NOT NULL, status VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)""",
}


def _old_file(path: Path, version: int) -> dict[tuple[str, str], pd.DataFrame]:
    """A results file as schema ``version`` (1 or 2) wrote it, with one run per table kind it could hold;
    returns ``{(run_id, table): frame}``."""
    con = duckdb.connect(str(path))
    names = ["meta", "runs", "frames", "indicators"] + (["frame_info", "frame_rows", "experiments"] * (version == 2))
    for name in names:
        con.execute(OLD_DDL[name])
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(version)])
    if version == 2:
        con.execute("INSERT INTO experiments VALUES ('ens', 'ensemble', '{}', 1, 'finished', now(), now())")
    written = {}
    long_tables = [("yearly", "year", yearly(seed=9)), ("monthly", "date", monthly(seed=8))]
    row_tables = [("yearly", "year", yearly(seed=7)), ("sectors", "date", sectors(seed=6)),
                  ("districts", "year", districts(seed=5))]
    for i, (freq, key, df) in enumerate(long_tables + (row_tables if version == 2 else [])):
        run_id = f"{version}old{i:08d}"
        con.execute("INSERT INTO runs VALUES (?, NULL, ?, 'history', 'x', '{}', 1, 0.1, '1995-01-01', '1997-12-31', "
                    "'0.1.0', 'finished', '', '2026-01-01 10:00', '2026-01-01 10:01', 60.0, 1, 'old')",
                    [run_id, f"k-{run_id}"])
        part = {"sectors": "sector", "districts": "district"}.get(freq)
        keys = [key, "city"] + ([part] if part else [])
        values = [c for c in df.columns if c not in keys]
        period = (pd.to_datetime(df[key].astype(str) + "-01-01") if key == "year" else df[key]).dt.date
        flat = df.assign(period=period, part=df[part] if part else None)
        con.register("flat", flat)
        info = "frames" if i < len(long_tables) else "frame_info"
        if info == "frames":  # version 1: long form
            for name in values:
                con.execute(f"INSERT INTO indicators SELECT ?, ?, period, city, ?, CASE WHEN isnan(CAST(\"{name}\" AS "
                            f"DOUBLE)) THEN NULL ELSE CAST(\"{name}\" AS DOUBLE) END FROM flat", [run_id, freq, name])
        else:  # version 2: one list of values per row
            items = ", ".join(f'CASE WHEN isnan(CAST("{n}" AS DOUBLE)) THEN NULL ELSE CAST("{n}" AS DOUBLE) END'
                              for n in values)
            con.execute(f"INSERT INTO frame_rows SELECT ?, ?, period, city, part, [{items}] FROM flat",
                        [run_id, freq])
        con.unregister("flat")
        con.execute(f"INSERT INTO {info} VALUES (?, ?, ?, ?, ?, ?, now())",
                    [run_id, freq, len(df), json.dumps(list(df.columns)), json.dumps([str(d) for d in df.dtypes]),
                     json.dumps(CITIES)])
        written[(run_id, freq)] = df
    con.close()
    return written


@pytest.mark.parametrize("version", [1, 2])
def test_older_file_is_migrated_on_opening(db: Path, version: int) -> None:
    written = _old_file(db, version)
    with ResultsStore(db, read_only=True) as store:  # a reader migrates it (the file is writable)
        for (run_id, freq), df in written.items():
            pd.testing.assert_frame_equal(store.table(run_id, freq), df)
        assert store.finished_run_for_key(f"k-{version}old00000000") == f"{version}old00000000"
    tables = set(_sql(db, "SELECT table_name FROM duckdb_tables()")["table_name"])
    assert not tables & {"frames", "indicators", "frame_rows"}
    assert _sql(db, "SELECT value FROM meta WHERE key = 'schema_version'")["value"][0] == str(SCHEMA_VERSION)
    old_id = f"{version}old00000000"
    got = _sql(db, "SELECT year, city, income_gini FROM yearly WHERE run_id = ? ORDER BY year, city", [old_id])
    np.testing.assert_array_equal(got["income_gini"].to_numpy(),
                                  yearly(seed=9).sort_values(["year", "city"])["income_gini"].to_numpy())
    with ResultsStore(db) as store:  # and is written like any other
        new_id = store.record_run(tables={"yearly": yearly()}, **RUN)
        both = store.tables([old_id, new_id])
        pd.testing.assert_frame_equal(both[both["run_id"] == old_id].drop(columns="run_id"), yearly(seed=9))
        store.write_table(old_id, "yearly", yearly(seed=4))
        pd.testing.assert_frame_equal(store.table(old_id), yearly(seed=4))
    if version == 2:
        from nkborder.experiments import list_experiments

        assert list_experiments(db)["name"].tolist() == ["ens"]


def test_newer_file_is_refused(db: Path) -> None:
    ResultsStore(db).close()
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    for read_only in (True, False):
        with pytest.raises(StoreError, match="newer nkborder") as info:
            ResultsStore(db, read_only=read_only)
        assert str(db) in str(info.value)


def test_other_duckdb_file_is_refused(db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    for read_only in (True, False):
        with pytest.raises(StoreError, match="not an nkborder results file"):
            ResultsStore(db, read_only=read_only)
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 100)
    done = subprocess.run([sys.executable, "-m", "nkborder", "runs", "--db", str(text)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and str(text) in " ".join(done.stderr.split()) and "Traceback" not in done.stderr
