"""Runs followed while they are simulated (``nkborder.live``, ``run(on_partial=...)``) and experiments stopped
half-way (``stop=``): partial tables settle on the final ones, results do not change, stopped runs are not stored.

Runs are tiny (scale 0.01, a few years).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

import nkborder
from nkborder.errors import InputError
from nkborder.experiments import load_experiment
from nkborder.store import ResultsStore

SHORT = {"seed": 3, "scale": 0.01, "start": "2008-01-01", "end": "2010-06-30"}


def test_live_yields_every_month_and_ends_with_the_run_tables() -> None:
    parts = list(nkborder.live("history", every="month", **SHORT))
    assert len(parts) == 30  # January 2008 to June 2010
    assert [p.date.month for p in parts[:3]] == [1, 2, 3]
    assert all(p.result is None for p in parts[:-1])
    years = [sorted(set(p.yearly["year"])) for p in parts]
    assert years[0] == [2008] and years[11] == [2008] and years[12] == [2008, 2009] and years[-1] == [2008, 2009,
                                                                                                       2010]
    assert [p.complete for p in parts[10:13]] == [False, True, False]  # December closes a year
    arrivals = [p.yearly.loc[p.yearly["year"] == 2008, "crossings_attempted"].sum() for p in parts[:12]]
    assert arrivals == sorted(arrivals) and arrivals[-1] > arrivals[0]  # a flow summed over more months
    plain = nkborder.run("history", daily=False, **SHORT)
    final = parts[-1]
    pd.testing.assert_frame_equal(final.result.yearly, plain.yearly)
    pd.testing.assert_frame_equal(final.yearly, plain.yearly, check_dtype=False)
    pd.testing.assert_frame_equal(final.monthly, plain.monthly, check_dtype=False)
    # a finished year's row does not change as later months are simulated
    pd.testing.assert_frame_equal(parts[11].yearly, final.yearly.loc[final.yearly["year"] == 2008],
                                  check_dtype=False)


def test_on_partial_is_called_once_a_year_and_changes_nothing() -> None:
    seen: list[tuple[str, int]] = []
    res = nkborder.run("history", daily=False, on_partial=lambda p: seen.append((p.date.isoformat(), len(p.yearly))),
                       **SHORT)
    assert seen == [("2008-12-31", 2), ("2009-12-31", 4), ("2010-06-30", 6)]
    pd.testing.assert_frame_equal(res.yearly, nkborder.run("history", daily=False, **SHORT).yearly)


def test_live_partial_tables_start_at_the_report_start() -> None:
    parts = list(nkborder.live("hyesan-2020", seed=1, scale=0.01, start="2013-01-01", end="2016-12-31"))
    assert parts[0].yearly.empty  # 2013 and 2014 run to build up the state, reported from 2015 on
    assert sorted(set(parts[-1].yearly["year"])) == [2015, 2016]


def test_breaking_out_of_live_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    for part in nkborder.live("history", db=db, **SHORT):
        if part.date.year == 2009:
            break
    assert not db.exists()


def test_live_refuses_a_bad_cadence() -> None:
    with pytest.raises(InputError, match="every"):
        next(nkborder.live("history", every="week", **SHORT))


def test_stopped_ensemble_keeps_its_finished_runs_and_stores_no_other(tmp_path: Path) -> None:
    db = tmp_path / "stop.duckdb"
    stop = threading.Event()

    def after_run(done: int, failed: int, total: int) -> None:
        stop.set()  # stop as soon as the first run is stored

    res = nkborder.ensemble("history", reps=5, seed=2, scale=0.01, start="2017-01-01", end="2018-12-31", db=db,
                            workers=1, progress=after_run, stop=stop, name="stopped")
    assert res.computed == 1 and res.failed == 0
    with ResultsStore(db, read_only=True) as store:
        runs = store.runs()
    assert len(runs) == 1 and set(runs["status"]) == {"finished"}
    assert res.n_runs == 1 and len(load_experiment(db, "stopped").runs) == len(res.runs)
    again = nkborder.ensemble("history", reps=5, seed=2, scale=0.01, start="2017-01-01", end="2018-12-31", db=db,
                              workers=1, name="stopped")
    assert (again.computed, again.reused) == (4, 1)  # resuming computes only what the stop left out
