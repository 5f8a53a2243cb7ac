"""The command line, run as users run it: a subprocess, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nkborder.store import ResultsStore

Cli = Callable[..., subprocess.CompletedProcess]  # the nkb fixture (conftest.py)


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory: pytest.TempPathFactory, nkb: Cli) -> tuple[Path, str]:
    """One small run stored by the CLI: (work dir, run id)."""
    cwd = tmp_path_factory.mktemp("cli")
    done = nkb("run", "hoeryong-2007", "--scale", "0.02", "--seed", "3", "--db", "r.duckdb", "--out", "y.csv",
               "--calibrated", "--set", "detect_base=0.5", cwd=cwd)
    assert done.returncode == 0, done.stderr
    (cwd / "stdout.txt").write_text(done.stdout)
    with ResultsStore(cwd / "r.duckdb", read_only=True) as store:
        runs = store.runs()
    return cwd, str(runs["run_id"].iloc[0])


def test_run_prints_yearly_table_stores_run_and_writes_out(stored_run: tuple[Path, str]) -> None:
    cwd, run_id = stored_run
    with ResultsStore(cwd / "r.duckdb", read_only=True) as store:
        record = store.run(run_id)
        yearly = store.table(run_id, "yearly")
    assert record.status == "finished"
    assert record.params["detect_base"] == 0.5  # --set wins over --calibrated
    from nkborder.calibration import calibrated_params

    shipped = {k: v for k, v in calibrated_params().items() if k != "detect_base"}
    assert len(shipped) >= 12 and all(record.params[k] == pytest.approx(v) for k, v in shipped.items())
    from nkborder.calibration import load_shipped

    said = (cwd / "stdout.txt").read_text()
    assert f"values of the shipped calibration {load_shipped().name}" in said, said[:500]
    assert "1 set with --set" in said
    assert record.seed == 3
    written = pd.read_csv(cwd / "y.csv")
    assert list(written["year"]) == list(range(2005, 2010))  # hoeryong-2007 reports from 2005
    assert set(written["city"]) == {"Hoeryong"}
    pd.testing.assert_series_equal(written["crossings_attempted"], yearly["crossings_attempted"],
                                   check_dtype=False)


def test_runs_lists_in_csv_and_json(stored_run: tuple[Path, str], nkb: Cli) -> None:
    cwd, run_id = stored_run
    as_csv = nkb("runs", "--db", "r.duckdb", "--format", "csv", cwd=cwd)
    assert as_csv.returncode == 0, as_csv.stderr
    assert run_id in as_csv.stdout and as_csv.stdout.startswith("run_id,")
    as_json = nkb("runs", "--db", "r.duckdb", "--format", "json", cwd=cwd)
    rows = json.loads(as_json.stdout)
    assert rows[0]["run_id"] == run_id and rows[0]["status"] == "finished"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export(stored_run: tuple[Path, str], fmt: str, nkb: Cli) -> None:
    cwd, run_id = stored_run
    done = nkb("export", run_id, "--format", fmt, "--db", "r.duckdb", "--out", str(cwd / "exp"), cwd=cwd)
    assert done.returncode == 0, done.stderr
    path = cwd / "exp" / f"{run_id}_yearly.{fmt}"
    frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    assert len(frame) == 5 and "arrivals_south_korea" in frame.columns


def test_scenarios_check_params_plan(tmp_path: Path, nkb: Cli) -> None:
    listed = nkb("scenarios", cwd=tmp_path)
    for name in ("history", "hoeryong-2007", "hyesan-2020", "no-closure", "no-purification"):
        assert name in listed.stdout
    checked = nkb("check", "no-closure", cwd=tmp_path)
    assert checked.returncode == 0 and "ok" in checked.stdout
    params = nkb("params", "--format", "csv", cwd=tmp_path)
    assert "detect_base" in params.stdout and "seed-hoeryong-2007" in params.stdout
    plan = nkb("plan", cwd=tmp_path)
    assert plan.stdout.index("smuggling") < plan.stdout.index("markets")


BAD_INPUT = [
    (["run", "history", "--set", "nope=1"], "nope", "unknown parameter"),
    (["run", "history", "--set", "detect_base=2"], "detect_base", "0.05"),
    (["run", "history", "--set", "detect_base=abc"], "detect_base", "not a number"),
    (["run", "history", "--start", "2000-13-01"], "--start", "YYYY-MM-DD"),
    (["run", "history", "--scale", "0"], "--scale", "0 < scale"),
    (["run", "atlantis"], "atlantis", "one of: history"),
    (["run", "history", "--out", "y.xlsx"], "--out", ".csv or .parquet"),
    (["check", "missing.toml"], "missing.toml", "no such scenario file"),
    (["runs", "--db", "none.duckdb"], "none.duckdb", "no results file"),
]


@pytest.mark.parametrize(("args", "names", "allowed"), BAD_INPUT)
def test_bad_input_exits_2_with_one_clear_line(
    tmp_path: Path, args: list[str], names: str, allowed: str, nkb: Cli
) -> None:
    done = nkb(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert names in done.stderr and allowed in done.stderr


def test_bad_scenario_file_names_file_line_and_allowed(tmp_path: Path, nkb: Cli) -> None:
    (tmp_path / "broken.toml").write_text('name = "x"\nstart = 1995-01-01\nend = [\n')
    done = nkb("check", "broken.toml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "broken.toml" in done.stderr and "line" in done.stderr
    (tmp_path / "kind.toml").write_text('base = "history"\n[[events]]\nid = "x"\nkind = "coup"\nstart = 2001-01-01\n')
    done = nkb("check", str(tmp_path / "kind.toml"), cwd=tmp_path)
    assert done.returncode == 2 and "kind.toml" in done.stderr and "border_closure" in done.stderr


def test_export_of_unknown_run_exits_2(stored_run: tuple[Path, str], nkb: Cli) -> None:
    cwd, _ = stored_run
    done = nkb("export", "nope", "--db", "r.duckdb", cwd=cwd)
    assert done.returncode == 2 and "nope" in done.stderr and "Traceback" not in done.stderr


# The CLI as users run it, with SIGINT sent from inside the simulation once the first month is done: the signal
# always arrives while the run is simulating, whatever the machine's speed.
INTERRUPT_AFTER_FIRST_MONTH = """
import os, signal
from nkborder.engine.sim import Simulation
steps = Simulation.steps
def first_month_then_interrupt(self):
    for item in steps(self):
        yield item
        os.kill(os.getpid(), signal.SIGINT)  # when the run asks for its second month
Simulation.steps = first_month_then_interrupt
from nkborder.cli import app
app(prog_name="nkborder")
"""


def test_interrupted_run_is_marked_and_store_stays_readable(stored_run: tuple[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "i.duckdb"
    proc = subprocess.run([sys.executable, "-c", INTERRUPT_AFTER_FIRST_MONTH, "run", "history", "--scale", "0.02",
                           "--db", str(db)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 130, (out, err)
    with ResultsStore(db, read_only=True) as store:
        runs = store.runs()
    assert list(runs["status"]) == ["interrupted"]


def test_delete_asks_first_and_refuses_bad_input(tmp_path: Path) -> None:
    from store_frames import RUN, yearly
    from typer.testing import CliRunner

    from nkborder.cli import app
    from nkborder.experiments import registry

    db = tmp_path / "r.duckdb"
    with ResultsStore(db) as store:
        run_id = store.record_run(tables={"yearly": yearly()}, **RUN)
        member = store.record_run(tables={"yearly": yearly()}, **RUN, experiment="ens", run_key="k")
        registry.register(store, "ens", {"kind": "ensemble", "scenarios": []},
                          pd.DataFrame({"idx": [0], "run_key": ["k"], "seed": [1], "labels": [{}]}))
        running = store.begin_run(**RUN)
    runner = CliRunner()

    def stored() -> set[str]:
        with ResultsStore(db, read_only=True) as store:
            return set(store.runs()["run_id"])

    declined = runner.invoke(app, ["delete", run_id, "--db", str(db)], input="n\n")
    assert declined.exit_code == 1 and "Delete run" in declined.output and run_id in stored()
    confirmed = runner.invoke(app, ["delete", run_id, "--db", str(db)], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "deleted run" in confirmed.output and run_id not in stored()
    whole = runner.invoke(app, ["delete", "--experiment", "ens", "--db", str(db), "--yes"])
    assert whole.exit_code == 0 and "1 run(s)" in whole.output and stored() == {running}
    for args, expected in [
        (["delete", running], "is running and cannot be deleted"),
        (["delete", "nope"], "no run with id 'nope'"),
        (["delete", "--experiment", "ens"], "no experiment of that name"),
        (["delete"], "give exactly one of them"),
        (["delete", member, "--experiment", "ens"], "give exactly one of them"),
    ]:
        bad = runner.invoke(app, [*args, "--db", str(db), "--yes"])
        assert bad.exit_code == 2 and expected in bad.stderr and "Traceback" not in bad.output, (args, bad.output)
    assert stored() == {running}
