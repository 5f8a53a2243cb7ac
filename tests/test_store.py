"""Tests of nkborder.store: round trips, run bookkeeping, atomic writes, stale runs, export, errors.

Reading while another process writes, kill -9 and locks are in ``test_store_concurrency.py``; SQL on the named
tables, new columns and older files in ``test_store_schema.py``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from store_frames import CITIES, RUN, daily, dead_pid, districts, monthly, sectors, yearly

from nkborder.store import ResultsStore, RunRecord, StoreError, store_result
from nkborder.store.statuses import pid_alive


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "results.duckdb"


@pytest.fixture
def store(db: Path):
    with ResultsStore(db) as s:
        yield s


# --------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize(("freq", "make"), [("yearly", yearly), ("monthly", monthly), ("daily", daily)])
def test_round_trip(store: ResultsStore, freq: str, make) -> None:
    df = make()
    run_id = store.begin_run(**RUN)
    store.write_table(run_id, freq, df)
    back = store.table(run_id, freq)
    pd.testing.assert_frame_equal(back, df)  # values, NaN, dtypes (int year, datetime date, str city), order
    assert list(back.columns) == list(df.columns)


def test_reopen_and_replace(db: Path) -> None:
    with ResultsStore(db) as store:
        run_id = store.begin_run(**RUN)
        store.write_table(run_id, "yearly", yearly(seed=1, n_extra=5))
        store.write_table(run_id, "yearly", yearly(seed=2, n_extra=1))  # replaces, fewer columns
        store.write_table(run_id, "monthly", monthly())
    with ResultsStore(db, read_only=True) as store:
        pd.testing.assert_frame_equal(store.table(run_id, "yearly"), yearly(seed=2, n_extra=1))
        pd.testing.assert_frame_equal(store.table(run_id, "monthly"), monthly())
        with pytest.raises(StoreError, match="read-only"):
            store.finish_run(run_id)


def test_rows_come_back_in_written_city_order(store: ResultsStore) -> None:
    df = yearly().iloc[::-1].reset_index(drop=True)  # Hyesan first, years descending
    run_id = store.begin_run(**RUN)
    store.write_table(run_id, "yearly", df)
    back = store.table(run_id)
    assert list(back["city"][:2]) == ["Hyesan", "Hoeryong"]
    assert back["year"].is_monotonic_increasing
    expected = df.sort_values("year", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)


def test_tables_of_many_runs(store: ResultsStore) -> None:
    a = store.begin_run(**RUN)
    b = store.begin_run(**RUN)
    c = store.begin_run(**RUN)  # no yearly table: contributes no rows
    store.write_table(a, "yearly", yearly(seed=1, n_extra=1))
    store.write_table(b, "yearly", yearly(seed=2, n_extra=2))
    both = store.tables([b, a, c])
    assert list(both.columns[:3]) == ["run_id", "year", "city"]
    assert list(both["run_id"].unique()) == [b, a]
    pd.testing.assert_frame_equal(
        both[both["run_id"] == a].drop(columns=["run_id", "z_extra_1"]).reset_index(drop=True),
        yearly(seed=1, n_extra=1),
    )
    assert both.loc[both["run_id"] == a, "z_extra_1"].isna().all()
    assert both["population"].dtype == np.int64
    with pytest.raises(StoreError, match="nope"):
        store.tables([a, "nope"])


# ------------------------------------------------------------------------------------------- run records
def test_runs_listing_and_filters(store: ResultsStore) -> None:
    first = store.begin_run(**RUN, experiment="sweep")
    second = store.begin_run(**RUN, experiment="sweep", run_key="k2")
    third = store.begin_run(**RUN)
    store.finish_run(first, "finished")
    store.finish_run(second, "failed", "boom")
    assert list(store.runs()["run_id"]) == [third, second, first]  # newest first
    assert list(store.runs(experiment="sweep")["run_id"]) == [second, first]
    assert list(store.runs(status="running")["run_id"]) == [third]
    assert list(store.runs(experiment="sweep", status="failed")["run_id"]) == [second]
    assert store.runs(experiment="other").empty
    with pytest.raises(StoreError, match="status 'done'"):
        store.runs(status="done")

    rec = store.run(second)
    assert isinstance(rec, RunRecord)
    assert (rec.status, rec.message, rec.experiment, rec.run_key) == ("failed", "boom", "sweep", "k2")
    assert rec.params == RUN["params"] and json.loads(rec.params_json) == RUN["params"]
    assert (rec.seed, rec.scale) == (7, 0.05)
    assert (rec.start_date, rec.end_date) == (date(1995, 1, 1), date(1997, 12, 31))
    assert rec.scenario_text == RUN["scenario_text"]
    assert rec.pid == os.getpid() and rec.host == socket.gethostname()
    assert rec.finished_at is not None and rec.finished_at >= rec.started_at and rec.wall_seconds >= 0
    assert store.run(third).finished_at is None
    assert len(first) == 12 and int(first, 16) >= 0


def test_finished_run_for_key(store: ResultsStore) -> None:
    assert store.finished_run_for_key("abc") is None
    running = store.begin_run(**RUN, run_key="abc")
    assert store.finished_run_for_key("abc") is None
    store.finish_run(running, "failed", "x")
    assert store.finished_run_for_key("abc") is None
    done = store.record_run(tables={"yearly": yearly()}, **RUN, run_key="abc")
    assert store.finished_run_for_key("abc") == done


def test_finish_run_checks(store: ResultsStore, db: Path) -> None:
    run_id = store.begin_run(**RUN)
    with pytest.raises(StoreError, match="status 'running'"):
        store.finish_run(run_id, "running")
    store.finish_run(run_id, wall_seconds=12.5)
    assert store.run(run_id).wall_seconds == 12.5


# --------------------------------------------------------------------------------------------- atomicity
def test_record_run_is_one_transaction(store: ResultsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = store.record_run(tables={"yearly": yearly(), "monthly": monthly()}, wall_seconds=3.0, **RUN)
    rec = store.run(run_id)
    assert (rec.status, rec.wall_seconds) == ("finished", 3.0)
    pd.testing.assert_frame_equal(store.table(run_id, "monthly"), monthly())

    bad = yearly().assign(note="text")  # non-numeric indicator: refused before anything is written
    with pytest.raises(StoreError, match="note"):
        store.record_run(tables={"monthly": monthly(), "yearly": bad}, **RUN)

    original = ResultsStore._insert_table
    calls = []

    def fail_on_second(self, con, rid, freq, long):
        calls.append(freq)
        original(self, con, rid, freq, long)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(ResultsStore, "_insert_table", fail_on_second)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.record_run(tables={"yearly": yearly(), "monthly": monthly()}, **RUN)
    assert calls == ["yearly", "monthly"]
    assert list(store.runs()["run_id"]) == [run_id]  # nothing of the failed run is left
    assert len(store.tables([run_id])) == len(yearly())


def test_failure_mid_write_leaves_previous_rows(store: ResultsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = store.begin_run(**RUN)
    old = yearly(seed=1)
    store.write_table(run_id, "yearly", old)

    with pytest.raises(StoreError, match=r"indicator columns must be numeric.*'note'"):
        store.write_table(run_id, "yearly", yearly(seed=2).assign(note="x"))
    pd.testing.assert_frame_equal(store.table(run_id), old)

    original = ResultsStore._replace_table

    def delete_insert_then_fail(self, con, rid, freq, long):
        original(self, con, rid, freq, long)  # old rows deleted, new ones inserted ...
        assert con.execute("SELECT count(*) FROM yearly WHERE run_id = ?", [rid]).fetchone()[0] > 0
        raise KeyboardInterrupt  # ... then the process is interrupted before COMMIT

    monkeypatch.setattr(ResultsStore, "_replace_table", delete_insert_then_fail)
    with pytest.raises(KeyboardInterrupt):
        store.write_table(run_id, "yearly", yearly(seed=3))
    monkeypatch.undo()
    pd.testing.assert_frame_equal(store.table(run_id), old)

    new = yearly(seed=4)  # the store is still usable
    store.write_table(run_id, "yearly", new)
    pd.testing.assert_frame_equal(store.table(run_id), new)


# ------------------------------------------------------------------------------------------ stale runs
def test_mark_stale_running(store: ResultsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = dead_pid()
    assert not pid_alive(gone) and pid_alive(os.getpid())
    live = store.begin_run(**RUN)
    with monkeypatch.context() as m:
        m.setattr(os, "getpid", lambda: gone)
        dead = store.begin_run(**RUN)
        m.setattr(socket, "gethostname", lambda: "elsewhere")
        other_host = store.begin_run(**RUN)
    finished = store.record_run(tables={}, **RUN)
    assert store.run(dead).pid == gone

    assert store.mark_stale_running() == 1
    assert store.run(dead).status == "interrupted" and str(gone) in store.run(dead).message
    assert store.run(live).status == "running"
    assert store.run(other_host).status == "running"
    assert store.run(finished).status == "finished"
    assert store.mark_stale_running() == 0


# ---------------------------------------------------------------------------------------------- export
def test_export_parquet_and_csv(store: ResultsStore, tmp_path: Path) -> None:
    run_id = store.record_run(tables={"yearly": yearly(), "monthly": monthly()}, **RUN)
    out = tmp_path / "out"
    out.mkdir()
    pq = store.export(run_id, "parquet", out, freq="monthly")
    assert pq == out / f"{run_id}_monthly.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(pq), monthly(), check_dtype=False)
    assert pd.read_parquet(pq).dtypes["population"] == np.int64

    csv = store.export(run_id, "csv", tmp_path / "sub" / "y.csv")
    assert csv == tmp_path / "sub" / "y.csv"
    pd.testing.assert_frame_equal(pd.read_csv(csv), yearly(), check_dtype=False)
    csv_m = store.export(run_id, "csv", out, freq="monthly")
    pd.testing.assert_frame_equal(pd.read_csv(csv_m, parse_dates=["date"]), monthly(), check_dtype=False)
    assert not list(out.glob(".*tmp"))


# ---------------------------------------------------------------------------------------------- errors
def test_errors_name_the_file(store: ResultsStore, db: Path, tmp_path: Path) -> None:
    run_id = store.record_run(tables={"yearly": yearly()}, **RUN)
    cases = [
        (lambda: store.run("feedbeef"), "no run with id 'feedbeef'"),
        (lambda: store.table("feedbeef"), "no run with id 'feedbeef'"),
        (lambda: store.write_table("feedbeef", "yearly", yearly()), "no run with id 'feedbeef'"),
        (lambda: store.finish_run("feedbeef"), "no run with id 'feedbeef'"),
        (lambda: store.export("feedbeef", "csv", tmp_path), "no run with id 'feedbeef'"),
        (lambda: store.table(run_id, "weekly"), "'weekly' not known (allowed: yearly, monthly, daily, sectors, "),
        (lambda: store.write_table(run_id, "hourly", yearly()), "allowed: yearly, monthly, daily, sectors, districts"),
        (lambda: store.export(run_id, "xlsx", tmp_path), "format 'xlsx' not known (allowed: parquet, csv)"),
        (lambda: store.table(run_id, "daily"), "has no daily table (stored: yearly)"),
        (lambda: store.write_table(run_id, "monthly", yearly()), "needs columns 'date' and 'city'"),
        (lambda: store.write_table(run_id, "yearly", pd.concat([yearly(), yearly()])), "more than one row"),
    ]
    for call, text in cases:
        with pytest.raises(StoreError) as info:
            call()
        assert str(db) in str(info.value) and text in str(info.value)
    with pytest.raises(StoreError, match="no results file"):
        ResultsStore(tmp_path / "missing.duckdb", read_only=True)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.runs()



def test_store_result(db: Path) -> None:
    scenario = SimpleNamespace(name="history", text="x = 1\n", start=date(1995, 1, 1), end=date(1997, 12, 31))
    params = SimpleNamespace(model_dump=lambda: {"detect_base": 0.3})
    result = SimpleNamespace(
        scenario=scenario, params=params, seed=3, scale=0.1, yearly=yearly(), monthly=monthly(),
        daily=daily().iloc[0:0], wall_seconds=1.5, code_version="0.1.0",
    )
    run_id = store_result(db, result)
    with ResultsStore(db, read_only=True) as store:
        rec = store.run(run_id)
        assert (rec.status, rec.seed, rec.wall_seconds) == ("finished", 3, 1.5)
        assert rec.params == {"detect_base": 0.3}
        pd.testing.assert_frame_equal(store.table(run_id, "yearly"), yearly())
        with pytest.raises(StoreError, match="no daily table"):
            store.table(run_id, "daily")


# ------------------------------------------------------------------------------- sectors and districts
@pytest.mark.parametrize(("freq", "make", "part"), [("sectors", sectors, "sector"),
                                                    ("districts", districts, "district")])
def test_place_tables_round_trip(store: ResultsStore, freq: str, make, part: str) -> None:
    df = make()
    run_id = store.record_run(tables={"yearly": yearly(), freq: df}, **RUN)
    back = store.table(run_id, freq)
    pd.testing.assert_frame_equal(back, df)  # values, NaN, dtypes, row order (period, city, place)
    shuffled = df.sample(frac=1.0, random_state=1)
    first = shuffled.index[shuffled["city"] == CITIES[0]][0]  # cities come back in their first-seen order
    shuffled = pd.concat([shuffled.loc[[first]], shuffled.drop(index=first)]).reset_index(drop=True)
    store.write_table(run_id, freq, shuffled)  # replaces; rows come back sorted
    pd.testing.assert_frame_equal(store.table(run_id, freq), df)
    assert store.table(run_id, "yearly").equals(yearly())

    other = store.record_run(tables={freq: make(seed=5).drop(columns=df.columns[-1])}, **RUN)
    both = store.tables([other, run_id], freq)
    assert list(both.columns[:4]) == ["run_id", df.columns[0], "city", part]
    assert list(both["run_id"].unique()) == [other, run_id]
    mine = both[both["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, df, check_dtype=False)  # a column another run lacks holds NaN: float
    assert both.loc[both["run_id"] == other, df.columns[-1]].isna().all()

    out = store.export(run_id, "parquet", store.path.parent, freq=freq)
    assert out.name == f"{run_id}_{freq}.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(out), df, check_dtype=False)


def test_empty_place_tables_store_nothing(store: ResultsStore, db: Path) -> None:
    run_id = store.record_run(tables={"yearly": yearly(), "sectors": pd.DataFrame(),
                                      "districts": districts().iloc[0:0]}, **RUN)
    for freq, part, key in (("sectors", "sector", "date"), ("districts", "district", "year")):
        back = store.table(run_id, freq)
        assert back.empty and list(back.columns) == [key, "city", part]
        assert store.tables([run_id], freq).empty
    with store.reading() as con:
        n = con.execute("SELECT count(*) FROM frame_info WHERE run_id = ?", [run_id]).fetchone()[0]
    assert n == 1  # the yearly table only
    store.write_table(run_id, "sectors", sectors())
    store.write_table(run_id, "sectors", sectors().iloc[0:0])  # an empty frame replaces with nothing
    assert store.table(run_id, "sectors").empty
    with pytest.raises(StoreError, match="has no monthly table"):
        store.table(run_id, "monthly")  # the city tables are not optional

    scenario = SimpleNamespace(name="history", text="x = 1\n", start=date(1995, 1, 1), end=date(1997, 12, 31))
    result = SimpleNamespace(
        scenario=scenario, params=SimpleNamespace(model_dump=lambda: {}), seed=3, scale=0.1, yearly=yearly(),
        monthly=monthly(), daily=daily().iloc[0:0], sectors=sectors(), districts=pd.DataFrame(),
        wall_seconds=1.5, code_version="0.1.0",
    )
    stored = store_result(tmp := db.with_name("other.duckdb"), result)
    with ResultsStore(tmp, read_only=True) as other:
        pd.testing.assert_frame_equal(other.table(stored, "sectors"), sectors())
        assert other.table(stored, "districts").empty


BAD_PLACE_FRAMES = [
    ("sectors", lambda: sectors().drop(columns="sector"), "sectors table needs columns 'date', 'city' and 'sector'"),
    ("districts", lambda: districts().drop(columns="year"), "districts table needs columns 'year', 'city' and "
     "'district'; missing 'year'"),
    ("sectors", lambda: pd.concat([sectors(), sectors().iloc[[5]]]),
     "sectors table: more than one row for the same date, city and sector"),
    ("districts", lambda: districts().assign(district=0), "more than one row for the same year, city and district"),
    ("sectors", lambda: sectors().assign(note="x"), "sectors table: indicator columns must be numeric, not ['note']"),
    ("districts", lambda: districts().assign(district=1.5),
     "districts table: 'district' must hold whole numbers"),
    ("sectors", lambda: sectors().assign(sector=pd.array([None] * len(sectors()), dtype="Int64")),
     "'sector' must hold whole numbers"),
]


@pytest.mark.parametrize(("freq", "make", "text"), BAD_PLACE_FRAMES)
def test_bad_place_frames_name_table_and_column(store: ResultsStore, db: Path, freq: str, make, text: str) -> None:
    with pytest.raises(StoreError) as info:
        store.record_run(tables={"yearly": yearly(), freq: make()}, **RUN)
    assert text in str(info.value) and str(db) in str(info.value)
    assert store.runs().empty  # refused before anything was written



def test_cli_exports_place_tables(db: Path, tmp_path: Path) -> None:
    with ResultsStore(db) as store:
        run_id = store.record_run(tables={"yearly": yearly(), "sectors": sectors(), "districts": districts()}, **RUN)
    for option, freq, make in (("--table", "sectors", sectors), ("--freq", "districts", districts)):
        done = subprocess.run(
            [sys.executable, "-m", "nkborder", "export", run_id, "--format", "csv", option, freq, "--db", str(db),
             "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        key = "date" if freq == "sectors" else "year"
        back = pd.read_csv(tmp_path / "out" / f"{run_id}_{freq}.csv", parse_dates=[key] if key == "date" else None)
        pd.testing.assert_frame_equal(back, make(), check_dtype=False)
    done = subprocess.run([sys.executable, "-m", "nkborder", "export", run_id, "--table", "rivers", "--db", str(db)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and "'rivers' not known" in done.stderr and "sectors, districts" in done.stderr


# ------------------------------------------------------------------------------------ the engine's tables
BASELINE = Path(__file__).resolve().parent / "baseline"


@pytest.mark.parametrize("name", sorted({p.name.rsplit("-", 1)[0] for p in BASELINE.glob("*-yearly.parquet")}))
def test_engine_tables_come_back_bit_for_bit(db: Path, name: str) -> None:
    """The regression baseline's tables (real runs' yearly, monthly, sectors, districts) stored and read back."""
    tables = {freq: pd.read_parquet(BASELINE / f"{name}-{freq}.parquet")
              for freq in ("yearly", "monthly", "sectors", "districts")}
    with ResultsStore(db) as store:
        run_id = store.record_run(tables=tables, **RUN)
    with ResultsStore(db, read_only=True) as store:
        for freq, df in tables.items():
            pd.testing.assert_frame_equal(store.table(run_id, freq), df, check_exact=True)
