"""The store shared between processes: reading while another process writes, locks, kill -9, partial runs.

Every child process is ended by pid within the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from store_frames import RUN, daily, dead_pid, monthly, run_in_child, yearly

from nkborder.store import ResultsStore, StoreError

WRITER = """
import datetime
import pandas as pd
from nkborder.store import ResultsStore
tables = {{freq: pd.read_parquet(f"{folder}/{{freq}}.parquet") for freq in ("yearly", "monthly", "daily")}}
stop = Path({stop!r})
store = ResultsStore(DB)
n = 0
while not stop.exists():
    run_id = store.record_run(tables=tables, **{run!r})
    n += 1
    if n == 1:
        print(run_id, flush=True)
print(n, flush=True)
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "results.duckdb"


def _nkborder(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nkborder", *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd)


def _writer(db: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """A child process storing runs (yearly, monthly and daily tables) one after another until ``stop`` exists;
    it prints the first run's id, and at the end how many runs it stored."""
    for freq, make in (("yearly", yearly), ("monthly", monthly), ("daily", daily)):
        make().to_parquet(tmp_path / f"{freq}.parquet")
    stop = tmp_path / "stop"
    return run_in_child(WRITER.format(folder=str(tmp_path), stop=str(stop), run=RUN), db), stop


@pytest.mark.timeout(600)
def test_cli_reads_while_another_process_stores_runs(db: Path, tmp_path: Path) -> None:
    ResultsStore(db).close()
    child, stop = _writer(db, tmp_path)
    try:
        first = child.stdout.readline().strip()
        assert first, child.stderr.read()
        listed = _nkborder("runs", "--db", str(db), "--format", "json", cwd=tmp_path)
        exported = _nkborder("export", first, "--format", "csv", "--table", "daily", "--db", str(db),
                             "--out", str(tmp_path / "out"), cwd=tmp_path)
        with ResultsStore(db, read_only=True) as store:
            pd.testing.assert_frame_equal(store.table(first, "monthly"), monthly())
        assert child.poll() is None, "the writer stopped before the reads ended"
    finally:
        stop.touch()
        out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert listed.returncode == 0, listed.stderr
    assert first in {row["run_id"] for row in json.loads(listed.stdout)}
    assert exported.returncode == 0, exported.stderr
    back = pd.read_csv(tmp_path / "out" / f"{first}_daily.csv", parse_dates=["date"])
    pd.testing.assert_frame_equal(back, daily(), check_dtype=False)
    n_written = int(out.split()[-1])
    with ResultsStore(db, read_only=True) as store:
        assert len(store.runs(status="finished")) == n_written >= 2


@pytest.mark.timeout(300)
def test_kill_9_mid_writes_loses_no_stored_run(db: Path, tmp_path: Path) -> None:
    """A writer killed at an arbitrary moment of a series of writes: every committed run is whole."""
    ResultsStore(db).close()
    child, _ = _writer(db, tmp_path)
    try:
        assert child.stdout.readline().strip(), child.stderr.read()
        time.sleep(1.0)  # some more runs, then kill -9 whatever it is doing (often mid-transaction)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=30)
    with ResultsStore(db, read_only=True) as store:
        runs = store.runs()
        assert (runs["status"] == "finished").all() and len(runs) >= 1
        for run_id in runs["run_id"]:
            pd.testing.assert_frame_equal(store.table(run_id, "daily"), daily())
            pd.testing.assert_frame_equal(store.table(run_id, "yearly"), yearly())


def test_run_committed_just_before_kill_9_is_read_back(db: Path, tmp_path: Path) -> None:
    """Killed right after COMMIT, before the file is closed (and the log folded into it): the run is there."""
    yearly().to_parquet(tmp_path / "y.parquet")
    child = run_in_child(
        f"""
        import datetime, os, signal
        import duckdb
        import pandas as pd
        from nkborder.store import ResultsStore
        store = ResultsStore(DB)
        commit = duckdb.DuckDBPyConnection.commit

        def commit_then_die(con):
            commit(con)
            print("committed", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        duckdb.DuckDBPyConnection.commit = commit_then_die
        store.record_run(tables={{"yearly": pd.read_parquet({str(tmp_path / "y.parquet")!r})}}, **{RUN!r})
        """,
        db,
    )
    out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL and out.strip() == "committed", err
    assert Path(f"{db}.wal").stat().st_size > 0  # the run is only in DuckDB's write-ahead log
    with ResultsStore(db, read_only=True) as store:
        (run_id,) = store.runs()["run_id"]
        assert store.run(run_id).status == "finished"
        pd.testing.assert_frame_equal(store.table(run_id, "yearly"), yearly())


def test_killed_writer_is_marked_interrupted_when_the_store_is_opened(db: Path, tmp_path: Path) -> None:
    yearly().to_parquet(tmp_path / "y.parquet")
    child = run_in_child(
        f"""
        import time
        import pandas as pd
        from nkborder.store import ResultsStore
        import datetime
        store = ResultsStore(DB)
        run_id = store.begin_run(**{RUN!r})
        store.write_table(run_id, "yearly", pd.read_parquet({str(tmp_path / "y.parquet")!r}))
        print(run_id, flush=True)
        time.sleep(120)
        store.finish_run(run_id)
        """,
        db,
    )
    run_id = child.stdout.readline().strip()
    with ResultsStore(db, read_only=True) as store:  # the writer is alive and holds no connection
        assert store.run(run_id).status == "running" and store.run(run_id).pid == child.pid
    os.kill(child.pid, signal.SIGKILL)
    _, err = child.communicate(timeout=30)
    assert run_id, err

    with ResultsStore(db, read_only=True) as store:  # repaired on opening, by a reader
        rec = store.run(run_id)
        assert rec.status == "interrupted" and str(child.pid) in rec.message
        pd.testing.assert_frame_equal(store.table(run_id, "yearly"), yearly())
        assert store.stored_tables(run_id) == ["yearly"]


def test_stale_experiment_is_marked_incomplete_when_the_store_is_opened(db: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from nkborder.experiments import list_experiments, registry

    members = pd.DataFrame({"idx": [0], "run_key": ["k"], "seed": [1], "labels": [{"rep": 0}]})
    with ResultsStore(db) as store:
        registry.register(store, "ens", {"kind": "ensemble", "scenarios": []}, members)
        registry.register(store, "alive", {"kind": "ensemble", "scenarios": []}, members)
        registry.set_status(store, "alive", "running")
        gone = dead_pid()
        with monkeypatch.context() as m:
            m.setattr(os, "getpid", lambda: gone)
            registry.set_status(store, "ens", "running")
    status = list_experiments(db).set_index("name")["status"]
    assert status.to_dict() == {"ens": "incomplete", "alive": "running"}


def test_lock_held_by_another_program_waits_then_names_the_file(db: Path) -> None:
    ResultsStore(db).close()
    store = ResultsStore(db, read_only=True, wait=0.1)  # holds no connection between calls
    child = run_in_child(
        """
        import sys, duckdb
        con = duckdb.connect(str(DB))  # like a DuckDB shell left open on the file
        print("ready", flush=True)
        sys.stdin.readline()
        con.close()
        print("closed", flush=True)
        sys.stdin.readline()
        """,
        db, stdin=subprocess.PIPE,
    )
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        for read_only in (True, False):
            t0 = time.monotonic()
            with pytest.raises(StoreError) as info:
                ResultsStore(db, read_only=read_only, wait=0.5)
            assert time.monotonic() - t0 >= 0.5
            assert str(db) in str(info.value) and "in use by another process" in str(info.value)
        with pytest.raises(StoreError, match="in use by another process"):
            store.runs()  # each read opens the file again
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "closed"
        assert store.runs().empty
    finally:
        if child.poll() is None:
            child.communicate("\n", timeout=30)


def test_export_of_an_unfinished_run_needs_partial(db: Path, tmp_path: Path) -> None:
    with ResultsStore(db) as store:
        running = store.begin_run(**RUN)  # this process is alive: the run stays running
        store.write_table(running, "yearly", yearly())
        done = store.record_run(tables={"yearly": yearly()}, **RUN)
    out = tmp_path / "out"
    refused = _nkborder("export", running, "--format", "csv", "--db", str(db), "--out", str(out), cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    text = " ".join(refused.stderr.split())
    assert f"run {running} is running, not finished" in text and "--partial" in text and str(db) in text
    assert not out.exists()

    partial = _nkborder("export", running, "--format", "csv", "--db", str(db), "--out", str(out), "--partial",
                        cwd=tmp_path)
    assert partial.returncode == 0, partial.stderr
    assert "warning" in partial.stderr and "running, not finished" in partial.stderr
    pd.testing.assert_frame_equal(pd.read_csv(out / f"{running}_yearly.csv"), yearly(), check_dtype=False)

    finished = _nkborder("export", done, "--format", "csv", "--db", str(db), "--out", str(out), cwd=tmp_path)
    assert finished.returncode == 0 and "warning" not in finished.stderr


def test_runs_of_other_hosts_are_not_repaired(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = dead_pid()
    with ResultsStore(db) as store, monkeypatch.context() as m:
        m.setattr(os, "getpid", lambda: gone)
        m.setattr(socket, "gethostname", lambda: "elsewhere")
        other = store.begin_run(**RUN)
    with ResultsStore(db, read_only=True) as store:
        assert store.run(other).status == "running"


def test_threads_of_one_process_read_while_another_writes(db: Path) -> None:
    """As in the app: a job thread stores runs while the page's thread reads, each with its own store object."""
    import threading

    ResultsStore(db).close()
    stored: list[str] = []
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with ResultsStore(db) as store:
                for _ in range(8):
                    stored.append(store.record_run(tables={"yearly": yearly(), "monthly": monthly()}, **RUN))
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    reads = 0
    with ResultsStore(db, read_only=True, wait=30) as reader:
        while writer.is_alive() or reads == 0:
            ids = list(reader.runs()["run_id"])
            if ids:
                pd.testing.assert_frame_equal(reader.table(ids[-1], "monthly"), monthly())
            reads += 1
    writer.join(timeout=120)
    assert not failures, failures
    assert len(stored) == 8 and reads >= 2
    with ResultsStore(db, read_only=True) as store:
        assert set(store.runs()["run_id"]) == set(stored)


def test_stale_calibration_is_marked_interrupted_when_the_store_is_opened(db: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from nkborder.calibration import store as cstore

    gone = dead_pid()
    with ResultsStore(db) as store:
        cstore.ensure_tables(store)
        cstore.insert(store, "alive", {"scenario": {"name": "history"}}, "x.sqlite", 1, "calibrate")
        with monkeypatch.context() as m:
            m.setattr(os, "getpid", lambda: gone)
            cstore.insert(store, "dead", {"scenario": {"name": "history"}}, "y.sqlite", 1, "calibrate")
    with ResultsStore(db, read_only=True) as store:
        status = cstore.list_all(store).set_index("name")["status"].to_dict()
    assert status == {"alive": "running", "dead": "interrupted"}
