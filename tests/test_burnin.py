"""Burn-in versus reporting: a run that starts later than its scenario is warned about (CLI and app), and the
app's "report from" and the CLI's ``--report-from`` run from the scenario's start and keep only the later years."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from nkborder.app import jobs, state
from nkborder.app.state import RunOptions
from nkborder.errors import InputError
from nkborder.scenarios import load_scenario
from nkborder.scenarios.burnin import cold_start_warning


def test_cold_start_warning_only_for_a_later_start() -> None:
    history = load_scenario("history")
    assert cold_start_warning(history, dt.date(1995, 1, 1), "--start", "x") is None
    text = cold_start_warning(history, dt.date(2012, 1, 1), "--start", "do this")
    assert text is not None and "--start 2012-01-01" in text and "1995-01-01" in text and text.endswith("do this.")


def test_cli_run_warns_of_a_cold_start_on_stderr(tmp_path) -> None:
    args = [sys.executable, "-m", "nkborder", "run", "history", "--scale", "0.002", "--db", str(tmp_path / "r.duckdb")]
    late = subprocess.run([*args, "--start", "2024-01-01"], capture_output=True, text=True, timeout=600)
    assert late.returncode == 0, late.stderr
    assert "warning: --start 2024-01-01 is later than the start of scenario 'history'" in late.stderr
    own = subprocess.run([*args, "--start", "1995-01-01", "--end", "1995-03-31"], capture_output=True, text=True,
                         timeout=600)
    assert own.returncode == 0 and "warning" not in own.stderr


def test_app_warns_when_simulate_from_is_later_than_the_scenario() -> None:
    history = load_scenario("history")
    assert state.start_warnings(RunOptions(), [history]) == []
    assert state.start_warnings(RunOptions(start_year=1995), [history]) == []
    (warning,) = state.start_warnings(RunOptions(start_year=2012), [history])
    assert "'simulate from' 2012-01-01" in warning and "set 'report from' to 2012" in warning


def test_report_from_simulates_from_the_start_and_reports_later(tmp_path) -> None:
    history = load_scenario("history")
    opts = RunOptions(scale=0.002, reps=1, end_year=1997, report_year=1997)
    assert state.describe_options(opts, history).endswith("1995-1997, reported from 1997")
    job = jobs.Job("ensemble", tmp_path / "r.duckdb", [history], opts, backend="local")
    assert job.sides[0].start == dt.date(1995, 1, 1) and job.sides[0].report_start == dt.date(1997, 1, 1)
    assert job.start().wait(300)
    snap = job.snapshot()
    assert snap.state == "finished", snap.error
    assert set(snap.result.runs["year"]) == {1997}
    with pytest.raises(InputError, match="report from"):
        state.check_options(RunOptions(report_year=2030), history)


def test_runs_reporting_from_a_later_year_are_found_again_whatever_year_is_reported(tmp_path) -> None:
    """The first day reported changes no simulated day: the stored run holds every year, and an experiment of
    the same runs reporting from another year reuses it and shows its own years."""
    from nkborder.experiments import ensemble, load_experiment
    from nkborder.scenarios.burnin import report_from

    history, db = load_scenario("history"), tmp_path / "r.duckdb"
    job = jobs.Job("ensemble", db, [history], RunOptions(scale=0.002, reps=1, end_year=1997, report_year=1997),
                   backend="local")  # the app's in-process runs
    assert job.start().wait(300) and job.snapshot().state == "finished", job.snapshot().error
    every = ensemble("history", reps=1, scale=0.002, end="1997-12-31", db=db, name="every")
    assert (every.computed, every.reused) == (0, 1) and set(every.runs["year"]) == {1995, 1996, 1997}
    short = history.with_dates(None, dt.date(1997, 12, 31))
    later = ensemble(report_from(short, 1996, "--report-from"), reps=1, scale=0.002, db=db, name="from-1996")
    assert (later.computed, later.reused) == (0, 1) and set(later.runs["year"]) == {1996, 1997}
    assert set(load_experiment(db, job.name).runs["year"]) == {1997}  # each experiment its own years
    assert len(set(every.runs["run_id"]) | set(later.runs["run_id"])) == 1


def test_report_from_refuses_a_year_outside_the_simulated_years() -> None:
    from nkborder.scenarios.burnin import report_from

    history = load_scenario("history")
    assert report_from(history, None, "--report-from") is history
    assert report_from(history, 1995, "--report-from").report_start is None  # the first year: everything reported
    assert report_from(history, 2012, "--report-from").report_start == dt.date(2012, 1, 1)
    late = history.with_dates(dt.date(2012, 1, 1), None)
    for year in (1994, 2011, 2026):
        with pytest.raises(InputError, match=r"--report-from.*outside the simulated years") as err:
            report_from(late if year == 2011 else history, year, "--report-from")
        assert err.value.allowed == ("a year from 2012 to 2025" if year == 2011 else "a year from 1995 to 2025")


def test_cli_report_from_keeps_the_later_years_of_a_run_from_the_scenario_start(nkb, tmp_path) -> None:
    import io

    import pandas as pd

    db = str(tmp_path / "r.duckdb")
    common = ["history", "--scale", "0.002", "--end", "1997-12-31", "--db", db, "--format", "csv"]
    full = nkb("run", *common, cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    later = nkb("run", *common, "--report-from", "1997", cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    assert "reported from 1997-01-01" in later.stderr and "warning" not in later.stderr
    every, shown = pd.read_csv(io.StringIO(full.stdout)), pd.read_csv(io.StringIO(later.stdout))
    assert set(every["year"]) == {1995, 1996, 1997} and set(shown["year"]) == {1997}
    # the same run from 1995, only its last year kept: 1997 as in the full run (built up, not a cold start)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True),
                                  every.loc[every["year"] == 1997].reset_index(drop=True))
    runs = pd.read_csv(io.StringIO(nkb("runs", "--db", db, "--format", "csv", cwd=tmp_path).stdout))
    assert set(runs["start_date"].astype(str)) == {"1995-01-01"}


def test_cli_report_from_outside_the_run_names_the_option_and_the_years(nkb, tmp_path) -> None:
    db = str(tmp_path / "r.duckdb")
    bad = nkb("run", "history", "--scale", "0.002", "--start", "2012-01-01", "--report-from", "2010", "--db", db,
              cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--report-from: 2010 is outside the simulated years" in bad.stderr
    assert "allowed: a year from 2012 to 2025" in bad.stderr
    cmp_ = nkb("compare", "history", "no-closure", "--reps", "1", "--scale", "0.002", "--report-from", "2030",
               "--db", db, cwd=tmp_path)
    assert cmp_.returncode == 2 and "--report-from: 2030 is outside the simulated years" in cmp_.stderr


def test_cli_compare_reports_from_a_year_and_sums_its_period_from_it(nkb, tmp_path) -> None:
    from nkborder.experiments import load_experiment

    db = str(tmp_path / "c.duckdb")
    out = nkb("compare", "history", "no-closure", "--reps", "1", "--scale", "0.002", "--end", "1997-12-31",
              "--report-from", "1997", "--workers", "1", "--name", "later", "--db", db, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "totals over 1997-1997" in out.stdout
    res = load_experiment(db, "later")
    assert set(res.runs["year"]) == {1997} and res.definition["analysis"]["period"] == [1997, 1997]
    assert {s["start"] for s in res.definition["scenarios"]} == {"1995-01-01"}


def test_cli_sweep_and_sensitivity_report_from_a_year(nkb, tmp_path) -> None:
    from nkborder.experiments import load_experiment

    db = str(tmp_path / "s.duckdb")
    common = ["--reps", "1", "--scale", "0.002", "--end", "1997-12-31", "--report-from", "1997", "--workers", "1",
              "--db", db]
    sweep = nkb("sweep", "history", "--vary", "detect_base=0.3:0.5:2", *common, "--name", "sw", cwd=tmp_path)
    assert sweep.returncode == 0, sweep.stderr
    res = load_experiment(db, "sw")
    assert set(res.runs["year"]) == {1997} and res.definition["scenarios"][0]["start"] == "1995-01-01"
    from nkborder.store import open_store

    with open_store(db) as store:  # stored with every simulated year: runs reporting every year reuse them
        assert set(store.tables(list(res.runs["run_id"].unique()), "yearly")["year"]) == {1995, 1996, 1997}
    sens = nkb("sensitivity", "history", "--method", "morris", "--samples", "2", "--params", "detect_base",
               *common, "--name", "se", cwd=tmp_path)
    assert sens.returncode == 0, sens.stderr
    res = load_experiment(db, "se")
    assert set(res.runs["year"]) == {1997} and res.definition["analysis"]["period"] == [1997, 1997]
    for command in (["sweep", "history", "--vary", "detect_base=0.3:0.5:2"],
                    ["sensitivity", "history", "--params", "detect_base"]):
        bad = nkb(*command, "--scale", "0.002", "--report-from", "1990", "--db", db, cwd=tmp_path)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr
        assert "--report-from: 1990 is outside the simulated years" in bad.stderr
        assert "allowed: a year from 1995 to 2025" in bad.stderr
