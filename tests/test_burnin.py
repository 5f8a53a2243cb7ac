"""Burn-in versus reporting: a run that starts later than its scenario is warned about (CLI and app), and the
app's "report from" runs from the scenario's start and shows only the later years."""

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
