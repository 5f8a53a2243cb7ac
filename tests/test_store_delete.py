"""Deleting runs and experiments from the results file: rows gone from every table, the rest untouched, and a
running run or experiment refused."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest
from store_frames import RUN, daily, dead_pid, districts, monthly, sectors, yearly

from nkborder.experiments import registry
from nkborder.store import FREQS, ResultsStore, StoreError
from nkborder.store.deletion import RUN_TABLES

TABLES = {"yearly": yearly, "monthly": monthly, "daily": daily, "sectors": sectors, "districts": districts}


@pytest.fixture
def store(tmp_path: Path):
    with ResultsStore(tmp_path / "results.duckdb") as s:
        yield s


def _record(store: ResultsStore, seed: int = 0, **kw) -> str:
    return store.record_run(tables={f: make(seed) for f, make in TABLES.items()}, **{**RUN, **kw})


def _rows(store: ResultsStore, run_id: str) -> dict[str, int]:
    with store.reading() as con:
        return {t: con.execute(f"SELECT count(*) FROM {t} WHERE run_id = ?", [run_id]).fetchone()[0]
                for t in RUN_TABLES}


def _register(store: ResultsStore, name: str, run_keys: list[str]) -> None:
    members = pd.DataFrame({"idx": range(len(run_keys)), "run_key": run_keys, "seed": range(len(run_keys)),
                            "labels": [{"rep": i} for i in range(len(run_keys))]})
    registry.register(store, name, {"kind": "ensemble", "scenarios": []}, members)


def test_delete_run_removes_its_rows_from_every_table_and_nothing_else(store: ResultsStore) -> None:
    gone, kept = _record(store, 1), _record(store, 2)
    before = _rows(store, gone)
    assert all(before[t] > 0 for t in RUN_TABLES)  # the run has rows in every table
    kept_before = {f: store.table(kept, f) for f in FREQS}

    deleted = store.delete_run(gone)

    assert deleted == before
    assert _rows(store, gone) == dict.fromkeys(RUN_TABLES, 0)
    assert list(store.runs()["run_id"]) == [kept]
    for freq, df in kept_before.items():
        pd.testing.assert_frame_equal(store.table(kept, freq), df)
    with pytest.raises(StoreError, match="no run with id"):
        store.table(gone)


def test_unknown_run_is_refused(store: ResultsStore) -> None:
    _record(store)
    with pytest.raises(StoreError, match="no run with id 'nope'"):
        store.delete_run("nope")
    assert len(store.runs()) == 1


def test_running_run_is_refused_and_kept(store: ResultsStore) -> None:
    run_id = store.begin_run(**RUN)  # running, in this (live) process
    store.write_table(run_id, "yearly", yearly())
    with pytest.raises(StoreError, match="is running and cannot be deleted") as err:
        store.delete_run(run_id)
    assert "finished, failed or interrupted" in str(err.value)
    assert _rows(store, run_id)["yearly"] > 0
    store.finish_run(run_id)
    store.delete_run(run_id)
    assert store.runs().empty


def test_run_left_running_by_a_dead_process_can_be_deleted(store: ResultsStore) -> None:
    run_id = store.begin_run(**RUN)
    with store.transaction() as con:
        con.execute("UPDATE runs SET pid = ?, host = ? WHERE run_id = ?", [dead_pid(), socket.gethostname(), run_id])
    store.delete_run(run_id)
    assert store.runs().empty


def test_delete_experiment_keeps_runs_another_experiment_plans(store: ResultsStore) -> None:
    own = _record(store, 1, experiment="ens-a", run_key="k-own")
    shared = _record(store, 2, experiment="ens-a", run_key="k-shared")
    other = _record(store, 3, experiment="ens-b", run_key="k-other")
    loose = _record(store, 4)
    _register(store, "ens-a", ["k-own", "k-shared"])
    _register(store, "ens-b", ["k-shared", "k-other"])

    deleted = store.delete_experiment("ens-a")

    assert deleted["runs"] == 1 and deleted["experiments"] == 1 and deleted["experiment_runs"] == 2
    assert _rows(store, own) == dict.fromkeys(RUN_TABLES, 0)
    assert set(store.runs()["run_id"]) == {shared, other, loose}
    assert list(registry.experiments(store)["name"]) == ["ens-b"]
    assert list(registry.members(store, "ens-b")["run_key"]) == ["k-shared", "k-other"]
    with store.reading() as con:
        assert con.execute("SELECT count(*) FROM experiment_runs WHERE experiment = 'ens-a'").fetchone()[0] == 0


def test_running_or_unknown_experiment_is_refused(store: ResultsStore) -> None:
    _record(store, 1, experiment="ens-a", run_key="k")
    _register(store, "ens-a", ["k"])
    registry.set_status(store, "ens-a", "running")
    with pytest.raises(StoreError, match="experiment 'ens-a' is running"):
        store.delete_experiment("ens-a")
    assert len(store.runs()) == 1
    with pytest.raises(StoreError, match="no experiment named 'ens-x'") as err:
        store.delete_experiment("ens-x")
    assert "ens-a" in str(err.value)  # the names that exist


def test_experiment_with_a_running_run_is_refused_as_a_whole(store: ResultsStore) -> None:
    done = _record(store, 1, experiment="ens-a", run_key="k1")
    store.begin_run(**RUN, experiment="ens-a", run_key="k2")
    _register(store, "ens-a", ["k1", "k2"])
    with pytest.raises(StoreError, match="is running and cannot be deleted"):
        store.delete_experiment("ens-a")
    assert done in set(store.runs()["run_id"])  # nothing deleted: one transaction
    assert list(registry.experiments(store)["name"]) == ["ens-a"]


def test_read_only_store_refuses_to_delete(store: ResultsStore) -> None:
    run_id = _record(store)
    with ResultsStore(store.path, read_only=True) as ro, pytest.raises(StoreError, match="read-only"):
        ro.delete_run(run_id)
