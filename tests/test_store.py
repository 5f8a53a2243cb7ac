"""Tests of nkborder.store: round trips, run bookkeeping, atomic writes, locking, crash recovery, export."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from nkborder.store import ResultsStore, RunRecord, StoreError, store_result
from nkborder.store.duckdb_store import _pid_alive

CITIES = ["Hoeryong", "Hyesan"]
RUN = {
    "scenario_name": "history", "scenario_text": 'name = "history"\n', "params": {"detect_base": 0.3, "n": 4},
    "seed": 7, "scale": 0.05, "start": date(1995, 1, 1), "end": date(1997, 12, 31), "code_version": "0.1.0",
}


def frame(key: str, periods: pd.Index | np.ndarray, seed: int = 0, n_extra: int = 3) -> pd.DataFrame:
    """A wide table like the engine's: key, city, then indicators of mixed dtypes in no alphabetical order."""
    rng = np.random.default_rng(seed)
    n = len(periods) * len(CITIES)
    df = pd.DataFrame({key: np.repeat(np.asarray(periods), len(CITIES)), "city": CITIES * len(periods)})
    df["city"] = df["city"].astype(str)
    df["population"] = rng.integers(1_000, 2_000, n).astype(np.int64)
    df["crossings_attempted"] = rng.poisson(3.0, n).astype(np.float64)
    df["income_gini"] = rng.random(n)
    df.loc[1, "income_gini"] = np.nan
    df["closed"] = rng.random(n) < 0.5
    df["arrests_at_border"] = rng.integers(0, 9, n).astype(np.int32)
    for i in range(n_extra):
        df[f"z_extra_{i}"] = rng.normal(size=n)
    df["a_last"] = rng.random(n) * 1e9
    return df


def yearly(seed: int = 0, **kw: int) -> pd.DataFrame:
    return frame("year", np.arange(1995, 1998, dtype=np.int64), seed, **kw)


def monthly(seed: int = 0) -> pd.DataFrame:
    return frame("date", pd.date_range("1995-01-01", "1997-12-01", freq="MS"), seed)


def daily(seed: int = 0) -> pd.DataFrame:
    return frame("date", pd.date_range("1995-01-01", "1997-12-31", freq="D"), seed)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "results.duckdb"


@pytest.fixture
def store(db: Path):
    with ResultsStore(db) as s:
        yield s


def run_in_child(code: str, db: Path, **kw) -> subprocess.Popen:
    """Start a Python process running ``code`` with ``DB`` bound to the results file path."""
    src = f"from pathlib import Path\nDB = Path({str(db)!r})\n" + textwrap.dedent(code)
    return subprocess.Popen([sys.executable, "-c", src], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


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
        assert con.execute("SELECT count(*) FROM frame_rows WHERE run_id = ?", [rid]).fetchone()[0] > 0
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
    assert not _pid_alive(gone) and _pid_alive(os.getpid())
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


def test_file_locked_by_another_process(db: Path) -> None:
    ResultsStore(db).close()
    child = run_in_child(
        """
        import sys
        from nkborder.store import ResultsStore
        store = ResultsStore(DB)
        print("ready", flush=True)
        sys.stdin.read()
        """,
        db, stdin=subprocess.PIPE,
    )
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        try:
            ResultsStore(db).close()
        except StoreError as exc:
            message = str(exc)
        else:
            pytest.skip("DuckDB on this machine lets two processes open one file for writing")
        assert str(db) in message and "another process" in message
        with pytest.raises(StoreError, match="another process"):
            ResultsStore(db, read_only=True)
    finally:
        child.communicate("", timeout=30)


def test_killed_writer_leaves_a_running_run(db: Path, tmp_path: Path) -> None:
    yearly().to_parquet(tmp_path / "y.parquet")
    daily().to_parquet(tmp_path / "d.parquet")
    child = run_in_child(
        f"""
        import time
        import pandas as pd
        from nkborder.store import ResultsStore
        import datetime
        store = ResultsStore(DB)
        run_id = store.begin_run(**{RUN!r})
        store.write_table(run_id, "yearly", pd.read_parquet({str(tmp_path / "y.parquet")!r}))
        store.write_table(run_id, "daily", pd.read_parquet({str(tmp_path / "d.parquet")!r}))
        print(run_id, flush=True)
        time.sleep(120)
        store.finish_run(run_id)
        """,
        db,
    )
    run_id = child.stdout.readline().strip()
    os.kill(child.pid, signal.SIGKILL)
    _, err = child.communicate(timeout=30)
    assert run_id, err

    with ResultsStore(db) as store:
        assert store.run(run_id).status == "running" and store.run(run_id).pid == child.pid
        assert store.mark_stale_running() == 1
        assert store.run(run_id).status == "interrupted"
        pd.testing.assert_frame_equal(store.table(run_id, "yearly"), yearly())
        pd.testing.assert_frame_equal(store.table(run_id, "daily"), daily())


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
def sectors(seed: int = 0, n_sectors: int = 4) -> pd.DataFrame:
    """Like the engine's per-sector table: one row per month, city and sector (date, city, sector order)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("1995-01-01", "1996-12-01", freq="MS")
    n = len(months) * len(CITIES) * n_sectors
    df = pd.DataFrame({
        "date": np.repeat(months.to_numpy(), len(CITIES) * n_sectors),
        "city": np.tile(np.repeat(CITIES, n_sectors), len(months)),
        "sector": np.tile(np.arange(n_sectors, dtype=np.int64), len(months) * len(CITIES)),
    })
    df["city"] = df["city"].astype(str)
    df["crossings_attempted"] = rng.poisson(2.0, n).astype(np.float64)
    df["crossings_succeeded"] = rng.integers(0, 3, n).astype(np.int64)
    df["arrests_at_border"] = rng.random(n)
    df.loc[3, "arrests_at_border"] = np.nan
    df["closed"] = rng.random(n) < 0.3
    return df


def districts(seed: int = 0, n_districts: int = 3) -> pd.DataFrame:
    """Like the engine's per-district table: one row per year, city and district."""
    rng = np.random.default_rng(seed)
    years = np.arange(1995, 1998, dtype=np.int64)
    n = len(years) * len(CITIES) * n_districts
    df = pd.DataFrame({
        "year": np.repeat(years, len(CITIES) * n_districts),
        "city": np.tile(np.repeat(CITIES, n_districts), len(years)),
        "district": np.tile(np.arange(n_districts, dtype=np.int64), len(years) * len(CITIES)),
    })
    df["city"] = df["city"].astype(str)
    df["population"] = rng.integers(100, 900, n).astype(np.int64)
    df["discontent_mean"] = rng.random(n)
    df["hardship_mean"] = rng.random(n)
    df.loc[2, "hardship_mean"] = np.nan
    df["info_mean"] = rng.random(n)
    return df


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
    n = store.connection().execute("SELECT count(*) FROM frame_info WHERE run_id = ?", [run_id]).fetchone()[0]
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


# ----------------------------------------------------------------------------------- older result files
def _version_1_file(path: Path) -> tuple[str, pd.DataFrame]:
    """A results file as schema version 1 wrote it: values in long form in ``indicators``, and ``frames``."""
    import duckdb

    from nkborder.store.schema import DDL_V1, RUN_COLUMNS

    df = yearly(seed=9)
    con = duckdb.connect(str(path))
    for ddl in DDL_V1:
        con.execute(ddl)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    row = {"run_id": "0123456789ab", "experiment": None, "run_key": "k-old", "scenario_name": "history",
           "scenario_text": "x", "params_json": "{}", "seed": 1, "scale": 0.1, "start_date": date(1995, 1, 1),
           "end_date": date(1997, 12, 31), "code_version": "0.1.0", "status": "finished", "message": "",
           "started_at": pd.Timestamp("2026-01-01 10:00"), "finished_at": pd.Timestamp("2026-01-01 10:01"),
           "wall_seconds": 60.0, "pid": 1, "host": "old"}
    con.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(RUN_COLUMNS))})", [row[c] for c in RUN_COLUMNS])
    names = [c for c in df.columns if c not in ("year", "city")]
    long = df.melt(id_vars=["year", "city"], value_vars=names, var_name="indicator")
    long = long.assign(period=pd.to_datetime(long["year"].astype(str) + "-01-01").dt.date,
                       value=long["value"].astype(float))
    con.register("long_rows", long[["period", "city", "indicator", "value"]])
    con.execute("INSERT INTO indicators SELECT '0123456789ab', 'yearly', period, city, indicator, "
                "CASE WHEN isnan(value) THEN NULL ELSE value END FROM long_rows")
    con.execute("INSERT INTO frames VALUES ('0123456789ab', 'yearly', ?, ?, ?, ?, now())",
                [len(df), json.dumps(list(df.columns)), json.dumps([str(d) for d in df.dtypes]),
                 json.dumps(CITIES)])
    con.close()
    return "0123456789ab", df


def test_version_1_file_still_opens(db: Path) -> None:
    old_id, old = _version_1_file(db)
    with ResultsStore(db, read_only=True) as store:  # read as it is, no new tables
        pd.testing.assert_frame_equal(store.table(old_id, "yearly"), old)
        assert store.table(old_id, "sectors").empty
        assert store.finished_run_for_key("k-old") == old_id
        with pytest.raises(StoreError, match=r"has no monthly table \(stored: yearly\)"):
            store.table(old_id, "monthly")
    with ResultsStore(db) as store:  # opened for writing: upgraded, old runs kept
        version = store.connection().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        assert version == "2"
        new_id = store.record_run(tables={"yearly": yearly(), "sectors": sectors()}, **RUN)
        both = store.tables([old_id, new_id])
        pd.testing.assert_frame_equal(both[both["run_id"] == old_id].drop(columns="run_id"), old)
        pd.testing.assert_frame_equal(both[both["run_id"] == new_id].drop(columns="run_id").reset_index(drop=True),
                                      yearly())
        store.write_table(old_id, "yearly", yearly(seed=4))  # replaces the long rows
        pd.testing.assert_frame_equal(store.table(old_id), yearly(seed=4))
        assert store.connection().execute("SELECT count(*) FROM indicators").fetchone()[0] == 0
    with ResultsStore(db, read_only=True) as store:
        pd.testing.assert_frame_equal(store.table(new_id, "sectors"), sectors())


def test_newer_file_is_refused(db: Path) -> None:
    ResultsStore(db).close()
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    for read_only in (True, False):
        with pytest.raises(StoreError, match="newer nkborder"):
            ResultsStore(db, read_only=read_only)


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
