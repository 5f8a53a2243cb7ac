"""Before and after a change: CPU seconds of the same simulations under an earlier commit and under this tree.

``NKBORDER_BENCH_BEFORE=REF python -m benchmarks --update before_after`` extracts the commit ``REF`` (``git
archive``) into a temporary folder and runs, in interleaved pairs (earlier commit, then this tree, ``repeats``
times), each in a new process with that tree first on ``PYTHONPATH``:

* ``calibration``: one simulation of the calibration (history to 2023, every observed series read during the run,
  scale 0.25): mean CPU seconds over 6 prior draws (seed 1) after one run that loads the kernels;
* ``history``: the full history at scale 1.0 with the shipped calibration, seed 1: CPU and wall seconds of
  ``Simulation.run()`` after a tiny run that loads the kernels, with numba's default threads (one per core: the
  person pass of a tree that has a parallel one runs on all of them);
* ``compile``: the first run of a process with ``NUMBA_CACHE_DIR`` set to a fresh, empty folder (a tiny history,
  two months at scale 0.001): CPU seconds of the process and of any child processes it starts (a tree that
  compiles in two processes counts both), so mostly the cold compile of every kernel.

Pairs share the machine's state, so their ratio is the number to read on a loaded machine. Threaded code uses more
CPU than it saves in wall time: both are recorded (``walls``, and ``threads`` per run). The prior draws are
the same in both trees only if the calibrated parameters and their priors are. A job that fails in a tree (an
earlier commit without one of the APIs it calls) is recorded as missing (``-``), with its error on stderr.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import ROOT

JOBS = ("calibration", "history", "compile")
#: What a child process runs: ``python -c CHILD JOB OBSERVED`` (only APIs that both trees have).
CHILD = textwrap.dedent("""
    import json, sys, time
    job, observed = sys.argv[1], sys.argv[2]
    if job == "calibration":
        import numpy as np
        from nkborder.calibration.smc import prepare
        setup = prepare("history", observed, 2015, 0.25, 1, 200)
        model = setup.model()
        rng = np.random.default_rng(1)
        draws = [{p["name"]: float(rng.uniform(p["lo"], p["hi"])) for p in setup.definition["priors"]}
                 for _ in range(6)]
        model.run(draws[0])
        t = time.process_time()
        for p in draws:
            model.run(p)
        print(json.dumps({"cpu_s": (time.process_time() - t) / len(draws)}))
    elif job == "compile":
        import resource
        import nkborder
        nkborder.run("history", seed=1, scale=0.001, end="1995-02-28", daily=False)
        cpu = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        print(json.dumps({"cpu_s": cpu}))
    else:
        import nkborder
        from nkborder.api import resolve
        from nkborder.calibration import calibrated_params
        from nkborder.engine.sim import Simulation
        nkborder.run("history", seed=1, scale=0.001, end="1995-02-28", daily=False)
        if job == "history":
            import numba
            scenario, params = resolve("history", None, None, calibrated_params())
            sim = Simulation(scenario, params, seed=1, scale=1.0)
            t, wall = time.process_time(), time.perf_counter()
            sim.run()
            print(json.dumps({"cpu_s": time.process_time() - t, "wall_s": time.perf_counter() - wall,
                              "threads": numba.get_num_threads()}))
""")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def _child(tree: Path, job: str) -> dict[str, Any] | None:
    """What the child printed (``cpu_s``, and for the history jobs ``wall_s`` and ``threads``), or None."""
    observed = ROOT.parent / "shared" / "data"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory(prefix="nkbench-numba-") as cache:
        if job == "compile":
            env["NUMBA_CACHE_DIR"] = cache
        proc = subprocess.run([sys.executable, "-c", CHILD, job, str(observed)], cwd=tree, env=env,
                              capture_output=True, text=True, timeout=1800)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0:
        print(f"before_after: job {job!r} failed in {tree}: {proc.stderr.strip()[-400:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1]) if lines else None  # the warm-up job prints nothing


#: The commit before the package was arranged in layers (core <- model <- engine <- api; issue 16): the
#: ``layers`` part compares its cold compile and full history with this tree's.
LAYERS_COMMIT = "3bc5aed"


def measure_layers(cfg: Any = None, repeats: int = 3) -> dict[str, Any]:
    """``python -m benchmarks --update layers``: the compile and full-history jobs against :data:`LAYERS_COMMIT`."""
    return measure(cfg, before=LAYERS_COMMIT, repeats=repeats, jobs=("compile", "history"))


def measure(cfg: Any = None, before: str | None = None, repeats: int = 3,
            jobs: tuple[str, ...] = JOBS, after: str | None = None) -> dict[str, Any]:
    """Interleaved pairs of ``jobs`` under ``before`` (default: ``$NKBORDER_BENCH_BEFORE``) and this tree (or the
    commit ``after``)."""
    ref = before or os.environ.get("NKBORDER_BENCH_BEFORE")
    if not ref:
        raise ValueError("NKBORDER_BENCH_BEFORE is not set: give the git commit to compare with, e.g. "
                         "NKBORDER_BENCH_BEFORE=main~2 python -m benchmarks --update before_after")
    with contextlib.ExitStack() as stack:
        commit, folder = stack.enter_context(extracted(ref))
        later, later_folder = (stack.enter_context(extracted(after)) if after
                               else (_git("rev-parse", "--short", "HEAD"), ROOT))
        trees = {"before": folder, "after": later_folder}
        for tree in trees.values():
            _child(tree, "warm")  # compiles the kernels of a fresh tree into its own cache
        runs: dict[str, dict[str, list[float | None]]] = {job: {"before": [], "after": []} for job in jobs}
        walls: dict[str, dict[str, list[float | None]]] = {job: {"before": [], "after": []} for job in jobs}
        threads: dict[str, dict[str, list[int | None]]] = {job: {"before": [], "after": []} for job in jobs}
        for job in jobs:
            for _ in range(repeats):
                for side, tree in trees.items():
                    out = _child(tree, job) or {}
                    runs[job][side].append(out.get("cpu_s"))
                    walls[job][side].append(out.get("wall_s"))
                    threads[job][side].append(out.get("threads"))
    return {"before": commit, "after": later, "repeats": repeats, "runs": runs,
            "walls": walls, "threads": threads, "load_average": list(os.getloadavg())}


#: The commits of the refactor of issue 16 that touch the engine, the model or the core, each with the commit
#: before it (``before``, ``after``, what it changed). Rules and speed-ups land between them, so no single commit
#: holds the refactor without the rules; each step measured against its parent isolates the refactor's cost.
REFACTOR_STEPS = (
    ("3bc5aed", "7b16a2e", "layers core <- model <- engine <- api, the input layer"),
    ("aad1cc1^", "aad1cc1", "one declaration of state, one enum of random streams, an executable step plan"),
    ("1cc8cbd^", "1cc8cbd", "one run path; library code instead of repeats"),
    ("61ae9a3^", "61ae9a3", "the daily loop calls the plan's steps directly"),
    ("88aa048", "4609b24", "kernels take named structures (the monthly ones; the daily ones keep positions)"),
    ("4c56345^", "4c56345", "kernel parameters as one numpy record"),
    ("eb0dfec^", "eb0dfec", "numba's per-function LLVM passes at level 0"),
)


def measure_refactor(cfg: Any = None, repeats: int = 5) -> dict[str, Any]:
    """``python -m benchmarks --update refactor``: the full history of each step of :data:`REFACTOR_STEPS` against
    its parent, in ``repeats`` interleaved pairs per step; ``product`` is the product of the steps' median CPU
    ratios (the refactor's cost without the rules that landed between its commits)."""
    steps = []
    for before, after, what in REFACTOR_STEPS:
        res = measure(cfg, before=before, after=after, repeats=repeats, jobs=("history",))
        steps.append({**res, "what": what, "ratio": median_ratio(res, "history")})
    ratios = [s["ratio"] for s in steps]
    product = None if None in ratios else math.prod(ratios)
    return {"steps": steps, "repeats": repeats, "product": product, "load_average": list(os.getloadavg()),
            "status": "ok"}


def product_interval(steps: list[dict[str, Any]], level: float = 0.9, draws: int = 4000,
                     seed: int = 1) -> tuple[float, float] | None:
    """The ``level`` interval of the product of the steps' median ratios (after / before, CPU), by the bootstrap:
    each step's pairs resampled with replacement, ``draws`` times; None if a step lacks a complete pair. The width
    says how much of the product the machine's noise can explain."""
    rng = np.random.default_rng(seed)
    product = np.ones(draws)
    for step in steps:
        runs = step["runs"]["history"]
        ratios = np.array([a / b for a, b in zip(runs["after"], runs["before"], strict=True) if a and b])
        if ratios.size == 0:
            return None
        product *= np.median(ratios[rng.integers(0, ratios.size, (draws, ratios.size))], axis=1)
    lo, hi = np.quantile(product, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def interval_text(steps: list[dict[str, Any]]) -> str:
    """:func:`product_interval` in words ('' without complete pairs)."""
    interval = product_interval(steps)
    return "" if interval is None else f"90 % interval {interval[0]:.3f}-{interval[1]:.3f}"


@contextlib.contextmanager
def extracted(ref: str) -> Iterator[tuple[str, Path]]:
    """The commit ``ref`` (its short hash) extracted with ``git archive`` into a temporary folder, removed after."""
    commit = _git("rev-parse", "--short", ref)
    folder = Path(tempfile.mkdtemp(prefix="nkbench-before-"))
    try:
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        yield commit, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def median_ratio(res: dict[str, Any], job: str, clock: str = "runs") -> float | None:
    """Median over the interleaved pairs of ``job`` of after / before (None if no pair has both runs); ``clock``
    is ``"runs"`` (CPU seconds) or ``"walls"`` (wall seconds)."""
    runs = res.get(clock, {}).get(job)
    if not runs:
        return None
    ratios = [a / b for a, b in zip(runs["after"], runs["before"], strict=True) if a and b]
    return statistics.median(ratios) if ratios else None


def refactor_section(res: dict[str, Any]) -> list[str]:
    """The table of the refactor's steps, each against its parent (``--update refactor``)."""
    if res.get("status") != "ok":
        return []
    lines = [
        "The refactor of the layers (issue 16) step by step: each commit of it that touches the engine, the model "
        "or the core against the commit before it, the full history at scale 1.0 (shipped calibration of each "
        f"tree, seed 1, `Simulation.run()`), CPU seconds in {res['repeats']} interleaved pairs per step, each run "
        "in a new process (`python -m benchmarks --update refactor`). The rules and speed-ups that landed "
        "between these commits are in neither side of any step. The 90 % interval of the product (the bootstrap "
        "over each step's pairs, `product_interval`) is how far the machine's noise alone moves it. Load average "
        "at the end: "
        f"{', '.join(f'{x:.1f}' for x in res['load_average'])}.",
        "",
        "| step | what | before, s (each pair) | after, s (each pair) | after / before, median of pairs |",
        "| --- | --- | --- | --- | --- |",
    ]
    for step in res["steps"]:
        times = step["runs"]["history"]
        ratio = "-" if step["ratio"] is None else f"{step['ratio']:.3f}"
        lines.append(f"| `{step['before']}` -> `{step['after']}` | {step['what']} | "
                     f"{', '.join(f'{x:.2f}' for x in times['before'] if x)} | "
                     f"{', '.join(f'{x:.2f}' for x in times['after'] if x)} | {ratio} |")
    product = "-" if res["product"] is None else f"{res['product']:.3f}"
    within = interval_text(res["steps"])
    lines.append(f"| all steps | product of the median ratios{within and f' ({within})'} | | | {product} |")
    return [*lines, ""]


def section(res: dict[str, Any], command: str | None = None) -> list[str]:
    """The before/after paragraph and table of BENCHMARKS.md (section 11); ``command`` if not the default one.

    A job with wall times (the history jobs) gets a second row with them.
    """
    if res.get("status") != "ok":
        return []
    command = command or "NKBORDER_BENCH_BEFORE=" + res["before"] + " python -m benchmarks --update before_after"
    labels = {"calibration": "one calibration simulation (scale 0.25, to 2023, 6 prior draws)",
              "history": "full history at scale 1.0 (shipped calibration, seed 1), `Simulation.run()`",
              "compile": "first run with an empty numba cache (tiny history; CPU of the process and its children)"}
    lines = [
        f"Before and after: commit `{res['before']}` against `{res['after']}`, CPU seconds (and wall seconds where "
        f"threads differ) in {res['repeats']} interleaved pairs, each run in a new process (`{command}`, "
        f"`benchmarks/before_after.py`). Load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in res['load_average'])}.",
        "",
        "| simulation | before, s (each pair) | after, s (each pair) | after / before, median of pairs |",
        "| --- | --- | --- | --- |",
    ]
    for job, label in labels.items():
        if job not in res["runs"]:
            continue
        for clock, unit in (("runs", "CPU"), ("walls", "wall")):
            times = res.get(clock, {}).get(job)
            if not times or not any(times["after"]):
                continue
            before, after = times["before"], times["after"]
            median = median_ratio(res, job, clock)
            ratio = f"{median:.3f}" if median is not None else "-"
            lines.append(f"| {label}, {unit} | {', '.join(f'{x:.2f}' for x in before if x)} | "
                         f"{', '.join(f'{x:.2f}' for x in after if x)} | {ratio} |")
    return [*lines, ""]
