"""The first run after an install compiles the kernels in two processes at once.

Kernels are compiled by numba on first use and kept in numba's on-disk cache, so only the first run after an install
(or after a change of the code) compiles them: about half a minute to a minute on a 2-core machine. Most of that
time falls into two groups that do not call each other: the daily kernel with the submodels it calls
(:func:`~nkborder.engine.daily.run_days`) and the monthly kernels (census, brokers, remittances, household
budgets, the person pass, the smugglers' hand-over and list, districts). When the cache lacks the daily kernel or
the person pass and the machine has at least two cores, :func:`ensure_compiled` compiles the daily group in a child
process while this process compiles the monthly group. Each does it with a tiny run in which the other group's
kernels are stand-ins that do nothing (the stand-ins only replace names in :mod:`nkborder.engine.month` and
:mod:`nkborder.engine.sim` for that tiny run); both write numba's cache, so the real run then loads every kernel
from it. Results are unaffected: the real run calls the real kernels.

Set ``NKBORDER_PARALLEL_COMPILE=0`` to compile in one process (as numba does by itself on the first run).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np

import nkborder.engine.month as month_module
import nkborder.engine.sim as sim_module
from nkborder.scenarios import load_scenario

#: The kernels of each group, by the module that calls them and their name there, and what their stand-ins return.
MONTHLY_STANDINS: dict[tuple[ModuleType, str], Callable[..., Any]] = {
    (month_module, "census"): lambda *args: 0,
    (month_module, "remittances"): lambda *args: None,
    (month_module, "household_budgets"): lambda *args: None,
    (month_module, "people_month"): lambda *args: (0, 0, 0),
    (month_module, "hand_over_smuggling"): lambda *args: None,
    (month_module, "resident_smugglers"): lambda *args: np.empty(0, np.int64),
    (month_module, "working_brokers"): lambda *args: None,
    (month_module, "commission_rate"): lambda *args: 0.0,
    (sim_module, "district_snapshot"): lambda *args: None,
}
DAILY_STANDINS: dict[tuple[ModuleType, str], Callable[..., Any]] = {(sim_module, "run_days"): lambda *args: None}
CHILD_TIMEOUT_S = 900.0

_lock = threading.Lock()  # one compile per process, also when threads start runs at once
_checked = False
_announce: Callable[[], None] | None = None


def announce_compiling(callback: Callable[[], None] | None) -> None:
    """Have :func:`ensure_compiled` call ``callback`` when it is about to compile (e.g. a command saying so).

    A command that lets a local cluster compile (after the experiment has checked its input) says it compiles only
    then, instead of compiling before its input is checked.
    """
    global _announce
    _announce = callback


def kernels_cached() -> bool:
    """Whether numba's cache holds compiled versions of the current daily kernel and the person pass."""
    return _has_cache_entry(sim_module.run_days) and _has_cache_entry(month_module.people_month)


def _has_cache_entry(dispatcher: Any) -> bool:
    """Whether ``dispatcher``'s cache index lists an overload of its current source (numba's cache files)."""
    cache = getattr(dispatcher, "_cache", None)
    cache_file = getattr(cache, "_cache_file", None)
    if cache_file is None:  # no cache (e.g. NUMBA_DISABLE_JIT): nothing to compile ahead
        return True
    try:
        return bool(cache_file._load_index())
    except Exception:  # an unreadable index: numba recompiles, and so do we
        return False


def ensure_compiled(parallel: bool | None = None) -> bool:
    """Compile the kernels ahead of the first run of this process if the cache is cold; True if it compiled.

    ``parallel`` (default: two or more cores and ``NKBORDER_PARALLEL_COMPILE`` not ``0``) compiles the daily group
    in a child process meanwhile. Later calls in the same process return at once.
    """
    global _checked
    with _lock:
        if _checked:
            return False
        _checked = True
        if kernels_cached():
            return False
        if _announce is not None:
            _announce()
        if parallel is None:
            parallel = _cores() >= 2 and os.environ.get("NKBORDER_PARALLEL_COMPILE", "1") != "0"
        child = _start_child() if parallel else None
        try:
            with _standins(DAILY_STANDINS if child is not None else {}):
                _tiny_run()
        except Exception:  # compiling ahead is only an optimisation: the real run compiles what is missing
            pass
        if child is not None:
            try:
                child.wait(timeout=CHILD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                child.kill()
        return True


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_child() -> subprocess.Popen[bytes] | None:
    """``python -m nkborder.engine.warmup daily``: compiles the daily group and writes it to the cache."""
    try:
        return subprocess.Popen([sys.executable, "-m", "nkborder.engine.warmup", "daily"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:  # cannot start a process here: compile everything in this one
        return None


@contextmanager
def _standins(standins: dict[tuple[ModuleType, str], Callable[..., Any]]) -> Iterator[None]:
    """Replace kernels by stand-ins in the modules that call them for the duration of a tiny run."""
    originals = {key: getattr(*key) for key in standins}
    try:
        for (module, name), standin in standins.items():
            setattr(module, name, standin)
        yield
    finally:
        for (module, name), original in originals.items():
            setattr(module, name, original)


def _tiny_run() -> None:
    """Two months of both cities at 1/1000 of the population: calls every kernel that is not a stand-in."""
    sc = load_scenario("history").with_dates(None, dt.date(1995, 2, 28))
    sim_module.Simulation(sc, sc.parameters(), seed=0, scale=0.001).run()


def main(argv: list[str] | None = None) -> int:
    """``python -m nkborder.engine.warmup daily``: the child's half of :func:`ensure_compiled`."""
    global _checked
    args = sys.argv[1:] if argv is None else argv
    if args != ["daily"]:
        print("usage: python -m nkborder.engine.warmup daily", file=sys.stderr)
        return 2
    _checked = True  # the child's own tiny run must not start another child
    with _standins(MONTHLY_STANDINS):
        _tiny_run()
    return 0


if __name__ == "__main__":  # run main() of the imported module, whose flag Simulation.run reads
    from nkborder.engine.warmup import main as module_main

    raise SystemExit(module_main())
