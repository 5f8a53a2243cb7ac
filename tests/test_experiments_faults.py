"""Faults during experiments: the client killed (SIGKILL, SIGINT) and a worker killed mid-experiment.

Every test is bounded in time and ends the processes it started, by pid.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

import nkborder
from nkborder.experiments import list_experiments, list_runs
from nkborder.store import ResultsStore

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
SMALL = {"scale": 0.01, "start": "2015-01-01", "end": "2020-12-31"}
REPS = 8
ROWS = 6 * 2  # years x cities of each run's yearly table


# The CLI as users run it, with a client that pauses after reporting its first stored run: the test's signal
# always arrives while the experiment has runs left to store, whatever the machine's speed.
SLOW_CLIENT = """
import time
from nkborder.experiments.progress import Reporter
advance = Reporter.advance
def pause_after_first_run(self, *args, **kwargs):
    advance(self, *args, **kwargs)
    time.sleep(120)
Reporter.advance = pause_after_first_run
from nkborder.cli import app
app(prog_name="nkborder")
"""


def _cli(db: Path, name: str) -> list[str]:
    return [sys.executable, "-c", SLOW_CLIENT, "ensemble", "history", "--reps", str(REPS),
            "--scale", str(SMALL["scale"]), "--start", SMALL["start"], "--end", SMALL["end"], "--seed", "5",
            "--db", str(db), "--name", name, "--workers", "1"]


def _wait_for_stored_run(proc: subprocess.Popen, timeout: float) -> list[str]:
    """Lines of the CLI's stderr until it reports its first stored run (read by a thread: no blocking)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if "stored; done" in seen[-1]:
            return seen
    raise AssertionError(f"no run stored within {timeout} s: {''.join(seen)[-2000:]}")


def _end(procs: list[psutil.Process], timeout: float = 20.0) -> list[int]:
    """Wait for processes to exit by themselves; kill (by pid) those still alive; return their pids."""
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        p.kill()
    psutil.wait_procs(alive, timeout=5)
    return [p.pid for p in alive]


def _check_stored(db: Path, name: str) -> list[str]:
    runs = list_runs(db, name)
    assert (runs["status"] == "finished").all()
    with ResultsStore(db, read_only=True) as store:
        for run_id in runs["run_id"]:
            assert len(store.table(run_id, "yearly")) == ROWS
            assert len(store.table(run_id, "monthly")) == 72 * 2
    return list(runs["run_id"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def external(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[subprocess.Popen]]:
    """A real scheduler and two workers (no nanny) on 127.0.0.1, as subprocesses; ended by pid afterwards."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    logs = open(tmp_path_factory.mktemp("dask") / "dask.log", "w")  # noqa: SIM115  (closed below)
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=ENV, cwd=ROOT, stdout=logs, stderr=logs)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--death-timeout", "60"], env=ENV, cwd=ROOT, stdout=logs, stderr=logs))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, procs
    finally:
        for p in procs[1:]:  # workers: nothing to save
            if p.poll() is None:
                p.kill()
        if procs[0].poll() is None:
            procs[0].terminate()
        _end([psutil.Process(p.pid) for p in procs if p.poll() is None], timeout=10)
        for p in procs:
            p.wait(timeout=5)
        logs.close()


@pytest.mark.timeout(240)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "sigint"])
def test_killed_client_loses_no_finished_run(tmp_path: Path, sig: signal.Signals, external) -> None:
    db, name = tmp_path / "kill.duckdb", f"kill-{sig.name.lower()}"
    proc = subprocess.Popen(_cli(db, name), env=ENV, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    children: list[psutil.Process] = []
    try:
        _wait_for_stored_run(proc, timeout=150)
        children = psutil.Process(proc.pid).children(recursive=True)
        with ResultsStore(db, read_only=True) as store:  # another process reads while the client writes
            assert (store.runs(experiment=name)["status"] == "finished").sum() >= 1
        assert list_experiments(db).set_index("name").loc[name, "status"] == "running"
        assert proc.poll() is None, "the experiment ended before it was read"
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 130)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        leftover = _end(children)
    assert not leftover, f"worker processes outlived the client: {leftover}"
    stored = _check_stored(db, name)
    assert 1 <= len(stored) < REPS
    assert list_experiments(db).set_index("name").loc[name, "status"] == "incomplete"  # also after kill -9
    res = nkborder.ensemble("history", reps=REPS, seed=5, db=db, name=name, scheduler=external[0], **SMALL)
    assert (res.computed, res.reused, res.failed) == (REPS - len(stored), len(stored), 0)
    assert set(stored) <= set(_check_stored(db, name)) and res.n_runs == REPS


@pytest.mark.timeout(240)
def test_killed_worker_experiment_completes(tmp_path: Path, external) -> None:
    """Runs last: it kills one of the shared workers."""
    address, procs = external
    victim = procs[1]
    killed: list[int] = []

    def kill_after_first(done: int, failed: int, total: int) -> None:
        if done >= 1 and not killed:
            victim.send_signal(signal.SIGKILL)
            killed.append(victim.pid)

    res = nkborder.ensemble("history", reps=REPS, seed=11, db=tmp_path / "w.duckdb", name="worker-kill",
                            scheduler=address, progress=kill_after_first, **SMALL)
    assert killed and victim.wait(timeout=10) == -signal.SIGKILL
    assert (res.computed, res.failed, res.n_runs) == (REPS, 0, REPS)
    assert len(_check_stored(tmp_path / "w.duckdb", "worker-kill")) == REPS
