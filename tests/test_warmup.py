"""The first run's compilation in two processes (nkborder.engine.warmup)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import nkborder.engine.month as month_module
import nkborder.engine.sim as sim_module
from nkborder.core import slots as S
from nkborder.engine import warmup
from nkborder.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]


class _FakeChild:
    def __init__(self) -> None:
        self.waited = False

    def wait(self, timeout: float) -> int:
        self.waited = True
        return 0


def test_standins_are_restored_even_after_an_error() -> None:
    real = sim_module.run_days
    with pytest.raises(RuntimeError), warmup._standins(warmup.DAILY_STANDINS):
        assert sim_module.run_days is warmup.DAILY_STANDINS[(sim_module, "run_days")]
        raise RuntimeError("stop")
    assert sim_module.run_days is real


def test_nothing_is_compiled_ahead_when_the_cache_is_warm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: True)
    monkeypatch.setattr(warmup, "_tiny_run", lambda: pytest.fail("compiled although the cache is warm"))
    assert warmup.ensure_compiled() is False


def test_a_cold_cache_compiles_the_daily_group_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    child = _FakeChild()
    seen: dict[str, Any] = {}
    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    monkeypatch.setattr(warmup, "_start_child", lambda: child)
    monkeypatch.setattr(warmup, "_tiny_run", lambda: seen.update(run_days=sim_module.run_days,
                                                                  people_month=month_module.people_month))
    real_run_days, real_people_month = sim_module.run_days, month_module.people_month
    assert warmup.ensure_compiled(parallel=True) is True
    assert seen["run_days"] is warmup.DAILY_STANDINS[(sim_module, "run_days")]  # left to the child
    assert seen["people_month"] is real_people_month  # compiled here
    assert child.waited and sim_module.run_days is real_run_days
    assert warmup.ensure_compiled(parallel=True) is False  # once per process


def test_without_parallel_compilation_everything_compiles_here(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    monkeypatch.setattr(warmup, "_start_child", lambda: pytest.fail("started a child"))
    monkeypatch.setattr(warmup, "_tiny_run", lambda: seen.update(run_days=sim_module.run_days))
    monkeypatch.setenv("NKBORDER_PARALLEL_COMPILE", "0")
    assert warmup.ensure_compiled() is True
    assert seen["run_days"] is sim_module.run_days


def test_the_child_rejects_other_arguments() -> None:
    assert warmup.main(["monthly"]) == 2


def test_the_first_cli_run_on_a_cold_cache_compiles_says_so_and_fills_the_cache(tmp_path: Path) -> None:
    """A fresh numba cache, as after an install: the first run compiles (in two processes), the second loads."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    command = [sys.executable, "-m", "nkborder", "run", "hoeryong-2007", "--scale", "0.002", "--end", "1995-03-31",
               "--db", str(tmp_path / "r.duckdb")]
    first = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr
    assert "compiling the model's kernels" in first.stdout
    check = ("import nkborder.engine.sim as s, nkborder.engine.month as m; "
             "from nkborder.engine.warmup import _has_cache_entry as h; "
             "print(h(s.run_days), h(m.people_month), h(m.census))")
    cached = subprocess.run([sys.executable, "-c", check], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert cached.stdout.split() == ["True", "True", "True"], cached.stderr
    second = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "compiling" not in second.stdout


def test_cli_notice_only_when_the_cache_is_cold_and_the_work_is_local(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from nkborder.cli.kernels import NOTICE, compile_kernels

    compiled: list[bool] = []
    monkeypatch.setattr(warmup, "ensure_compiled", lambda: compiled.append(True) or True)
    console = Console(record=True, width=200)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: True)
    assert compile_kernels(console) is False and not compiled
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    assert compile_kernels(console, "tcp://127.0.0.1:8786") is False and not compiled  # remote workers
    assert compile_kernels(console) is True and compiled == [True]
    assert console.export_text().count(NOTICE[:40]) == 1


def test_a_local_cluster_compiles_before_its_workers_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from nkborder.experiments.cluster import dask_client

    calls: list[str] = []
    monkeypatch.setattr(warmup, "ensure_compiled", lambda: calls.append("compiled") or False)
    with dask_client(workers=1) as client:
        calls.append(f"{len(client.scheduler_info()['workers'])} worker")
    assert calls == ["compiled", "1 worker"]


def test_a_failed_compile_ahead_leaves_the_real_run_to_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ValueError("no scenario here")

    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    monkeypatch.setattr(warmup, "_tiny_run", broken)
    real = sim_module.run_days
    assert warmup.ensure_compiled(parallel=False) is True
    assert sim_module.run_days is real


def test_a_simulation_run_never_compiles_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "ensure_compiled", lambda *args: pytest.fail("Simulation.run compiled ahead"))
    sc = load_scenario("hoeryong-2007").with_dates(None, dt.date(1995, 1, 31))
    raw = sim_module.Simulation(sc, sc.parameters(), seed=0, scale=0.002).run()
    assert raw.daily[:, 0, S.POPULATION].min() > 0


def test_a_cache_index_left_by_other_kernel_sources_is_never_opened(tmp_path: Path) -> None:
    """An index written by other sources (here naming a module that no longer exists) is not read: numba would
    unpickle it before comparing stamps and fail with ModuleNotFoundError instead of recompiling."""
    check = (
        "import os, pickle, numba\n"
        "from nkborder.engine import sim\n"
        "f = sim.run_days._cache._cache_file\n"
        "stale = os.path.join(os.path.dirname(f._cache_path), os.path.basename(f._index_path))\n"
        "os.makedirs(os.path.dirname(stale), exist_ok=True)\n"
        "open(stale, 'wb').write(pickle.dumps(numba.__version__) + b'cnkborder.engine.state\\nPeople\\n.')\n"
        "assert os.path.basename(f._cache_path).startswith('kernels-'), f._cache_path\n"
        "print(f._load_index())\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", check], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "{}", done.stderr


def test_compiling_ahead_is_announced_only_when_it_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "_announce", None)
    monkeypatch.setattr(warmup, "_tiny_run", lambda: None)
    warmup.announce_compiling(lambda: said.append("compiling"))
    monkeypatch.setattr(warmup, "kernels_cached", lambda: True)
    assert warmup.ensure_compiled(parallel=False) is False and said == []
    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    assert warmup.ensure_compiled(parallel=False) is True and said == ["compiling"]


def test_an_experiment_with_bad_input_compiles_nothing_on_a_cold_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The experiment checks its input before the local cluster compiles: a bad --vary ends at once."""
    from typer.testing import CliRunner

    from nkborder.cli import app
    from nkborder.cli.kernels import NOTICE

    monkeypatch.setattr(warmup, "_checked", False)
    monkeypatch.setattr(warmup, "_announce", None)
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    monkeypatch.setattr(warmup, "_tiny_run", lambda: pytest.fail("compiled before the input was checked"))
    done = CliRunner().invoke(app, ["sweep", "history", "--vary", "detect_base=a:b:c", "--scale", "0.01"])
    assert done.exit_code == 2, done.output
    assert "LO:HI:STEPS" in done.output and NOTICE[:40] not in done.output
