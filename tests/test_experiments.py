"""Experiments on Dask: ensembles, resume, comparisons with common random numbers, sweeps, sensitivity, plots.

Runs are tiny (scale 0.01, a few years); each local cluster's workers load the compiled kernels once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nkborder
from nkborder.errors import InputError
from nkborder.experiments import list_experiments, list_runs, load_experiment
from nkborder.store import ResultsStore

SMALL = {"scale": 0.01, "start": "2017-01-01", "end": "2020-12-31"}
YEARS, CITIES = 4, 2


@pytest.fixture(scope="module")
def dbdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("experiments")


@pytest.fixture(scope="module")
def scheduler() -> str:
    """One local cluster (2 worker processes) shared by the tests that need no particular worker count."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def ens1(dbdir: Path) -> nkborder.experiments.ExperimentResult:
    """An ensemble of 4 runs on one worker."""
    return nkborder.ensemble("history", reps=4, seed=7, db=dbdir / "one.duckdb", workers=1, **SMALL)


def _drop_run_ids(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["run_id"]).reset_index(drop=True)


def test_ensemble_independent_of_workers_and_bands_ordered(ens1, dbdir: Path) -> None:
    ens2 = nkborder.ensemble("history", reps=4, seed=7, db=dbdir / "two.duckdb", workers=2, **SMALL)
    assert ens1.computed == ens2.computed == 4 and ens1.failed == ens2.failed == 0
    assert len(ens1.runs) == 4 * YEARS * CITIES
    assert list(ens1.runs.columns[:5]) == ["idx", "run_id", "run_key", "seed", "rep"]
    assert ens1.runs["seed"].nunique() == 4
    pd.testing.assert_frame_equal(_drop_run_ids(ens1.runs), _drop_run_ids(ens2.runs))
    for freq in ("monthly", "sectors", "districts"):  # every stored table, not only the yearly one
        stored = []
        for res in (ens1, ens2):
            with ResultsStore(res.db, read_only=True) as store:
                ids = list(res.runs.drop_duplicates("idx")["run_id"])
                stored.append(_drop_run_ids(store.tables(ids, freq)))
        assert len(stored[0]) > 0, freq
        pd.testing.assert_frame_equal(*stored)
    first = ens1.runs.iloc[0]  # the experiment layer stores what nkborder.run gives
    direct = nkborder.run("history", seed=int(first["seed"]), daily=False, **SMALL)
    with ResultsStore(ens1.db, read_only=True) as store:
        for freq in ("monthly", "sectors", "districts"):
            pd.testing.assert_frame_equal(store.table(first["run_id"], freq), direct.table(freq))
    s = ens1.summary
    assert {"year", "city", "indicator", "n", "mean", "median", "p5", "p95"} <= set(s.columns)
    assert (s["n"] <= 4).all() and (s.loc[s.indicator == "population", "n"] == 4).all()
    s = s.loc[s["n"] > 0]  # ratios with nothing to divide (no arrivals: no female share) are NaN
    assert (s["p5"] <= s["median"]).all() and (s["median"] <= s["p95"]).all()
    assert (s["p5"] <= s["mean"]).all() and (s["mean"] <= s["p95"]).all()
    one = s.loc[(s.indicator == "population") & (s.year == 2018) & (s.city == "Hyesan")].iloc[0]
    values = ens1.runs.loc[(ens1.runs.year == 2018) & (ens1.runs.city == "Hyesan"), "population"]
    assert one["mean"] == pytest.approx(values.mean()) and one["median"] == pytest.approx(values.median())


def test_resume_skips_stored_runs_and_recomputes_deleted_ones(ens1, scheduler: str) -> None:
    again = nkborder.ensemble("history", reps=4, seed=7, db=ens1.db, workers=1, **SMALL)
    assert (again.computed, again.reused, again.name) == (0, 4, ens1.name)
    pd.testing.assert_frame_equal(again.runs, ens1.runs)
    runs = list_runs(ens1.db, ens1.name)
    assert len(runs) == 4 and runs["status"].eq("finished").all() and list(runs["rep"]) == [0, 1, 2, 3]
    gone = list(runs["run_id"].iloc[[1, 3]])
    with ResultsStore(ens1.db) as store, store.transaction() as con:
        for table in ("yearly", "monthly", "sectors", "districts", "frame_info", "runs"):
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, run_id)", [gone])
    redo = nkborder.ensemble("history", reps=4, seed=7, db=ens1.db, scheduler=scheduler, **SMALL)
    assert (redo.computed, redo.reused) == (2, 2)
    after = list_runs(ens1.db, ens1.name)
    kept = runs["run_id"].iloc[[0, 2]].tolist()
    assert after["run_id"].iloc[[0, 2]].tolist() == kept
    assert not set(after["run_id"]) & set(gone)
    pd.testing.assert_frame_equal(_drop_run_ids(redo.runs), _drop_run_ids(ens1.runs))
    with pytest.raises(InputError, match="already names another experiment"):
        nkborder.ensemble("history", reps=5, seed=7, db=ens1.db, name=ens1.name, **SMALL)


def test_runs_of_other_code_are_not_reused(dbdir: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = nkborder.ensemble("history", reps=2, seed=11, db=dbdir / "code.duckdb", scheduler=scheduler, **SMALL)
    assert (first.computed, first.reused) == (2, 0)
    from nkborder import version

    monkeypatch.setattr(version, "results_digest", lambda: "other rules")  # as after an edit of a model file
    again = nkborder.ensemble("history", reps=2, seed=11, db=dbdir / "code.duckdb", scheduler=scheduler, **SMALL)
    assert (again.computed, again.reused, again.name) == (2, 0, first.name)
    assert not set(again.runs["run_id"]) & set(first.runs["run_id"])  # the experiment reads the new runs
    assert len(list_runs(dbdir / "code.duckdb", first.name)) == 2


def test_ensemble_of_parameter_draws_runs_each_replicate_with_its_own_set(dbdir: Path, scheduler: str) -> None:
    draws = [{"intent_intercept": -12.0}, {"intent_intercept": -7.0}]
    res = nkborder.ensemble("history", reps=2, seed=5, db=dbdir / "draws.duckdb", scheduler=scheduler,
                            draws=draws, overrides={"detect_base": 0.5}, **SMALL)
    by_rep = res.runs.groupby("rep")
    assert list(by_rep["intent_intercept"].first()) == [-12.0, -7.0]
    assert "detect_base" not in res.runs.columns  # overrides are the same for all: not a design column
    attempts = by_rep["crossings_attempted"].sum()
    assert attempts[1] > attempts[0], "a higher wish to leave gives more attempts"
    assert res.definition["design"]["draws"] == draws
    with pytest.raises(InputError, match="one parameter set per replicate"):
        nkborder.ensemble("history", reps=3, db=dbdir / "draws.duckdb", draws=draws, **SMALL)


def test_compare_identical_scenarios_differ_by_exactly_zero(dbdir: Path, scheduler: str) -> None:
    res = nkborder.compare("history", "history", reps=2, seed=3, db=dbdir / "same.duckdb", scheduler=scheduler,
                           **SMALL)
    assert res.computed == 2  # both sides share their run keys
    assert len(res.runs) == 2 * 2 * YEARS * CITIES
    assert (res.summary.loc[res.summary["n"] > 0, ["mean", "median", "p5", "p95"]] == 0).all().all()
    assert (res.period[["mean", "p5", "p95"]] == 0).all().all()


def test_compare_no_closure_gives_more_arrivals(dbdir: Path, scheduler: str) -> None:
    res = nkborder.compare("history", "no-closure", reps=3, seed=1, scale=0.02, start="2012-01-01",
                           end="2025-12-31", period="2020:2025", db=dbdir / "closure.duckdb", scheduler=scheduler)
    assert res.failed == 0 and res.n_runs == 6
    both = res.period.set_index(["city", "indicator"]).loc["both"]
    assert both.loc["arrivals_south_korea_full", "mean"] > 0
    assert both.loc["crossings_succeeded_full", "p5"] > 0
    before = res.summary.loc[(res.summary["year"] < 2020) & (res.summary["n"] > 0)]
    assert (before[["mean", "p5", "p95"]] == 0).all().all()  # CRN: identical until the timelines part
    assert res.period["period"].eq("2020-2025").all()


def test_sensitivity_morris_and_sobol(dbdir: Path, scheduler: str) -> None:
    db = dbdir / "sens.duckdb"
    names = ["detect_base", "intent_intercept", "broker_detect_factor"]
    out = "crossings_attempted_full,crossings_succeeded_full"
    morris = nkborder.sensitivity("history", "morris", 2, params=names, outputs=out, db=db, scheduler=scheduler,
                                   **SMALL)
    assert morris.n_runs == 2 * (len(names) + 1)
    idx = morris.indices
    assert len(idx) == 2 * len(names) and set(idx["parameter"]) == set(names)
    assert np.isfinite(idx[["mu_star", "sigma"]].to_numpy()).all()
    assert idx.loc[idx.output == "crossings_attempted_full"].set_index("parameter").loc[
        "intent_intercept", "mu_star"] > 0
    sobol = nkborder.sensitivity("history", "sobol", 4, params=names[:2], outputs="crossings_attempted_full",
                                 period="2018:2020", db=db, scheduler=scheduler, **SMALL)
    assert sobol.n_runs == 4 * (2 + 2)
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(sobol.indices.columns)
    assert list(sobol.indices["parameter"]) == names[:2]
    assert np.isfinite(sobol.indices[["S1", "ST"]].to_numpy()).all()
    with pytest.raises(InputError, match="power of 2"):
        nkborder.sensitivity("history", "sobol", 5, params=names[:2], db=db, **SMALL)


def test_sweep_factorial_and_lhs(dbdir: Path, scheduler: str) -> None:
    db = dbdir / "sweep.duckdb"
    grid = nkborder.sweep("history", ["detect_base=0.2:0.6:3", "intent_intercept=-12:-10:2"], reps=2, db=db,
                          scheduler=scheduler, **SMALL)
    assert grid.runs["idx"].nunique() == 3**1 * 2 * 2 == grid.n_runs
    points = grid.tables["points"]
    assert len(points) == 6 and (points["runs"] == 2).all()
    assert sorted(points["detect_base"].unique()) == pytest.approx([0.2, 0.4, 0.6])
    assert sorted(points["intent_intercept"].unique()) == [-12.0, -10.0]
    assert set(grid.summary["point"]) == set(range(6))
    lhs = nkborder.sweep("history", ["detect_base=0.1:0.5", "intent_kin"], design="lhs", samples=5, db=db,
                         scheduler=scheduler, **SMALL)
    design = lhs.tables["points"]
    assert len(design) == 5
    for name, lo, hi in (("detect_base", 0.1, 0.5), ("intent_kin", 0.0, 4.0)):
        v = design[name].to_numpy()
        assert ((v >= lo) & (v <= hi)).all()
        assert sorted(np.floor((v - lo) / (hi - lo) * 5).astype(int)) == [0, 1, 2, 3, 4]  # one per stratum


def test_latin_hypercube_hits_every_stratum_once_and_repeats_with_its_seed() -> None:
    from nkborder.experiments.design import Range, latin_hypercube

    ranges = [Range("detect_base", 0.1, 0.5), Range("intent_kin", 0.0, 4.0)]
    points = latin_hypercube(ranges, 8, seed=3)
    for r in ranges:
        v = np.array([p[r.name] for p in points])
        assert sorted(np.floor((v - r.lo) / (r.hi - r.lo) * 8).astype(int)) == list(range(8))
    assert latin_hypercube(ranges, 8, seed=3) == points != latin_hypercube(ranges, 8, seed=4)


def test_sweep_rejects_unknown_parameter_and_out_of_range() -> None:
    with pytest.raises(InputError, match="no_such_param") as err:
        nkborder.sweep("history", ["no_such_param=0:1:2"], **SMALL)
    assert "unknown parameter" in str(err.value)
    with pytest.raises(InputError, match="detect_base") as err:
        nkborder.sweep("history", ["detect_base=0.01:0.5:3"], **SMALL)
    assert "0.05 to 0.9" in str(err.value)
    with pytest.raises(InputError, match="steps"):
        nkborder.sweep("history", ["detect_base=0.1:0.5"], **SMALL)


def test_plot_writes_png_and_lists(ens1, tmp_path: Path) -> None:
    from nkborder.analysis.plots import plot_experiment

    res = load_experiment(ens1.db, ens1.name)
    files = plot_experiment(res, tmp_path, "png", ["crossings_succeeded_full", "arrivals_south_korea_full"])
    assert files and all(f.suffix == ".png" and f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in files)
    assert ens1.name in set(list_experiments(ens1.db)["name"])


def test_cli_plot_and_bad_input(ens1, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nkborder.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["plot", ens1.name, "--db", ens1.db, "--out", str(tmp_path), "--indicators",
                               "population_full,crossings_succeeded_full"])
    assert done.exit_code == 0, done.output
    assert list(tmp_path.glob(f"{ens1.name}-*.png"))
    bad = runner.invoke(app, ["sweep", "history", "--vary", "detect_base=0:2:3", "--db", ens1.db])
    assert bad.exit_code == 2  # printed in one line, as a user sees it
    assert "detect_base" in bad.stderr and "0.05 to 0.9" in bad.stderr and "Traceback" not in bad.output


def test_failed_run_is_recorded_counted_and_retried(tmp_path: Path, scheduler: str) -> None:
    from nkborder.experiments.core import scenario_for
    from nkborder.experiments.runner import execute
    from nkborder.experiments.spec import RunSpec
    from nkborder.store import open_store

    sc = scenario_for("history", "2019-01-01", "2019-12-31")
    good, bad = RunSpec.make(sc, {}, 1, 0.01, {"rep": 0}), RunSpec.make(sc, {}, 2, -1.0, {"rep": 1})
    calls: list[tuple[int, int, int]] = []
    with open_store(tmp_path / "fail.duckdb") as store:
        out = execute(store, "fails", [good, bad], scheduler=scheduler, progress=lambda *a: calls.append(a))
        assert out.computed == 1 and list(out.failed) == [bad.key] and "scale" in out.failed[bad.key]
        assert sorted(calls)[-1] == (1, 1, 2)
        runs = store.runs().set_index("run_key")
        assert runs.loc[bad.key, "status"] == "failed" and runs.loc[good.key, "status"] == "finished"
        again = execute(store, "fails", [good, bad], scheduler=scheduler)
        assert (again.computed, again.reused, len(again.failed)) == (0, 1, 1)


def test_script_without_main_guard_is_told_why_workers_die(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "no_guard.py"
    script.write_text(f"import nkborder\nnkborder.ensemble('history', reps=1, scale=0.001, workers=1, "
                      f"db={str(tmp_path / 'x.duckdb')!r})\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr and str(script) in done.stderr


def test_worker_start_hint_leaves_other_errors_alone() -> None:
    from nkborder.experiments.cluster import worker_start_hint

    assert worker_start_hint(RuntimeError("scheduler gone")) == "scheduler gone"
