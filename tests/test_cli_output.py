"""What the CLI prints: tables never cut, every table as CSV or JSON, likely names for a typo, and a runtime
estimate before an experiment starts."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nkborder.errors import close_names, unknown_name
from nkborder.experiments.design import check_indicators
from nkborder.experiments.estimate import agent_days, describe_estimate, estimate_seconds
from nkborder.experiments.spec import RunSpec
from nkborder.params import Params, describe_parameters
from nkborder.scenarios import load_scenario

Cli = Callable[..., subprocess.CompletedProcess]  # the nkb fixture (conftest.py)


def test_close_names_suggest_the_misspelt_name_and_nothing_for_nonsense() -> None:
    known = list(Params.model_fields)
    assert close_names("intent_intercep", known)[0] == "intent_intercept"
    assert close_names("zzzzqqqq", known) == []
    err = unknown_name("--set", "intent_intercep", known, "parameter", "nkborder params")
    assert "did you mean intent_intercept" in str(err) and f"lists all {len(known)}" in str(err)
    assert "remittance_share" not in str(err)  # the 100-odd other names are not listed


def test_unknown_indicator_names_the_likely_one() -> None:
    runs = pd.DataFrame({"run_id": ["a"], "year": [2000], "city": ["Hoeryong"], "arrivals_south_korea": [1.0],
                         "in_china": [2.0]})
    check_indicators("--output", ["in_china"], runs)  # known: no error
    with pytest.raises(ValueError, match="did you mean arrivals_south_korea"):
        check_indicators("--output", ["arrivals_south_korae"], runs)


@pytest.mark.parametrize("args, said", [
    (["run", "history", "--scale", "0.01", "--set", "intent_intercep=1"], "did you mean intent_intercept"),
    (["run", "histroy", "--scale", "0.01"], "did you mean history"),
    (["sweep", "history", "--vary", "detect_bas=0.1:0.2:2", "--scale", "0.01"], "did you mean detect_base"),
    (["params", "--format", "xml"], "unknown format"),
])
def test_typos_get_a_suggestion_on_the_command_line(args: list[str], said: str, nkb: Cli, tmp_path: Path) -> None:
    done = nkb(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr
    assert len(done.stderr) < 400  # one line, not a list of every parameter


def test_piped_tables_are_not_cut(nkb: Cli, tmp_path: Path) -> None:
    done = nkb("params", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    frame = describe_parameters()
    longest = frame.loc[frame["source"].str.len().idxmax()]
    line = next(x for x in done.stdout.splitlines() if f" {longest['name']} " in x)
    assert longest["source"] in line  # the longest source, whole, on its parameter's row


@pytest.mark.parametrize("command", [["params"], ["scenarios"]])
def test_tables_as_csv_and_json(command: list[str], nkb: Cli, tmp_path: Path) -> None:
    as_csv = nkb(*command, "--format", "csv", cwd=tmp_path)
    as_json = nkb(*command, "--format", "json", cwd=tmp_path)
    assert as_csv.returncode == 0 and as_json.returncode == 0, as_csv.stderr + as_json.stderr
    frame = pd.read_csv(io.StringIO(as_csv.stdout))
    records = json.loads(as_json.stdout)
    assert len(frame) == len(records) > 3
    assert list(frame.columns) == list(records[0])


def test_experiment_table_as_csv_with_messages_on_stderr_and_an_estimate(nkb: Cli, tmp_path: Path) -> None:
    done = nkb("ensemble", "hoeryong-2007", "--reps", "2", "--scale", "0.01", "--end", "2005-12-31",
               "--workers", "1", "--db", "e.duckdb", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout))  # stdout is the CSV alone
    assert {"year", "city", "indicator", "median", "p5", "p95"} <= set(frame.columns)
    assert set(frame["year"]) == {2005}
    assert "estimate: 2 runs" in done.stderr and "runs computed" in done.stderr
    listed = nkb("experiments", "--db", "e.duckdb", "--format", "csv", cwd=tmp_path)
    assert listed.returncode == 0 and pd.read_csv(io.StringIO(listed.stdout))["kind"].tolist() == ["ensemble"]
    none = nkb("calibrations", "--db", "e.duckdb", "--format", "csv", cwd=tmp_path)
    assert none.returncode == 0 and none.stdout.startswith("name,scenario,status,generations")


def test_estimate_grows_with_agent_days_and_shrinks_with_workers() -> None:
    small = load_scenario("hoeryong-2007")
    specs = [RunSpec.make(small, {}, seed, 0.1, {}) for seed in range(4)]
    bigger = [RunSpec.make(small, {}, seed, 0.5, {}) for seed in range(4)]
    assert agent_days(bigger[0]) == pytest.approx(5 * agent_days(specs[0]), rel=1e-3)
    assert estimate_seconds(bigger, 1) > estimate_seconds(specs, 1)
    assert estimate_seconds(specs, 2) < estimate_seconds(specs, 1)
    assert estimate_seconds([], 2) == 0.0
    assert "4 runs" in describe_estimate(specs, 2) and "2 workers" in describe_estimate(specs, 2)
