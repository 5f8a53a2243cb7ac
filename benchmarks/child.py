"""Jobs measured inside a child process: ``python -m benchmarks.child JOB 'JSON SPEC'``.

The child prints one line ``BENCH-RESULT {json}`` (the last such line is the result); anything else it prints
is ignored. Peak memory is the child's ``ru_maxrss`` (Linux: KiB), so each number belongs to one process.

Jobs:

- ``tiny``: import time, then a tiny run twice (first call loads or compiles the kernels; second is warm).
- ``engine``: the fast engine on one size: set-up, ``Simulation.run()``, table building with and without the
  daily table, agent-days, peak memory, optionally the time of each phase and the record-keeping cost.
- ``floor``: the monthly person rules alone in a stand-alone loop (:mod:`benchmarks.floor`).
- ``reference``: the Mesa reference (``reference.run_reference``), calibrated by a pilot run to last about
  ``target_s`` seconds unless the size is given.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

MARKER = "BENCH-RESULT "

# names looked up at call time by Simulation.run (nkborder.engine.sim) and its monthly steps (nkborder.engine.month):
# wrapping them there times each phase
PHASES = (
    "census",
    "remittances",
    "household_budgets",
    "people_month",
    "resident_smugglers",
    "run_days",
    "district_snapshot",
)
GINI_PHASE = "_income_gini"  # a method of Simulation (Python + numba gini), once a year
# daily slots that count events; every event writes at most a few slots of the day's row
COUNTED_EVENTS = (
    "crossings_attempted", "reported_before_border", "repatriated", "returned_from_china", "arrivals_south_korea",
    "released", "births", "deaths", "smuggling_trips", "guards_discharged",
)
WRITES_PER_EVENT = 8  # generous upper bound: cross() writes at most 7 slots for one crossing


def maxrss_mib() -> float:
    """Peak resident memory of this process so far, MiB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _tiny_run(spec: dict[str, Any]) -> tuple[float, float]:
    """Wall and CPU seconds of ``nkborder.run`` on the tiny size, after compiling ahead as the CLI and the clusters
    do (``ensure_compiled``: only on a cold cache, once per process)."""
    from nkborder.api import run
    from nkborder.engine.warmup import ensure_compiled

    t, c = time.perf_counter(), time.process_time()
    ensure_compiled()
    run(spec["scenario"], seed=spec["seed"], scale=spec["scale"], end=spec["end"], daily=False)
    return time.perf_counter() - t, time.process_time() - c


def job_tiny(spec: dict[str, Any]) -> dict[str, Any]:
    """Import, then the same tiny run twice in this process."""
    t = time.perf_counter()
    import nkborder.api  # noqa: F401

    import_s = time.perf_counter() - t
    first_s, first_cpu_s = _tiny_run(spec)
    second_s, second_cpu_s = _tiny_run(spec)
    return {"import_s": import_s, "first_run_s": first_s, "first_run_cpu_s": first_cpu_s,
            "second_run_s": second_s, "second_run_cpu_s": second_cpu_s}


class PhaseTimers:
    """Wraps the kernels ``Simulation.run`` and its monthly steps call (module globals of ``sim_mod`` and of
    ``nkborder.engine.month``) with wall and CPU timers.

    ``seconds``, ``cpu_seconds`` and ``calls`` are per phase; :meth:`undo` restores the originals. A phase whose
    name is in neither module is skipped (it then shows up in "other").
    """

    def __init__(self, sim_mod: Any) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._restore: list[Callable[[], None]] = []
        import nkborder.engine.month as month_mod

        for name in PHASES:
            module = next((m for m in (sim_mod, month_mod) if hasattr(m, name)), None)
            if module is not None:
                fn = getattr(module, name)
                setattr(module, name, self._timed(name, fn))
                self._restore.append(lambda module=module, name=name, fn=fn: setattr(module, name, fn))
        method = getattr(sim_mod.Simulation, GINI_PHASE, None)
        if method is not None:
            setattr(sim_mod.Simulation, GINI_PHASE, self._timed(GINI_PHASE, method))
            self._restore.append(lambda: setattr(sim_mod.Simulation, GINI_PHASE, method))

    def add(self, owner: Any, name: str, label: str | None = None) -> None:
        """Time ``owner.name`` (a module's function or a class's method) too, as phase ``label`` (default ``name``)."""
        fn = getattr(owner, name)
        setattr(owner, name, self._timed(label or name, fn))
        self._restore.append(lambda: setattr(owner, name, fn))

    def _timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        for totals in (self.seconds, self.cpu_seconds, self.calls):
            totals.setdefault(name, 0)  # one label may time several functions

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t
                self.cpu_seconds[name] += time.process_time() - c
                self.calls[name] += 1

        return wrapper

    def undo(self) -> None:
        for fn in self._restore:
            fn()


def _alive_agent_days(daily: Any, first_stock: int) -> int:
    """People in the model who are not dead (resident, in China, in South Korea, detained), summed over days."""
    return int(daily[:, :, first_stock:first_stock + 4].sum())


def record_cost(raw: Any, remit_cny: float) -> dict[str, Any]:
    """Time the kernels' record-keeping, replicated in stand-alone numba loops of the same size.

    The stock copy is exactly what ``run_days`` does at the end of each day (5 stocks per city and day); the
    flow writes are ``WRITES_PER_EVENT`` scattered ``+=`` into the day's row per counted event (an upper bound
    on what the kernels write), in day order as in the run.
    """
    import numpy as np
    from numba import njit

    from nkborder.core import slots as S

    @njit(cache=False)
    def record_stocks(daily: np.ndarray, counts: np.ndarray) -> None:
        for d in range(daily.shape[0]):
            for c in range(counts.shape[0]):
                for s in range(S.N_STATUS):
                    daily[d, c, S.FIRST_STOCK + s] = counts[c, s]

    @njit(cache=False)
    def flow_writes(daily: np.ndarray, day: np.ndarray, city: np.ndarray, slot: np.ndarray) -> None:
        for k in range(day.shape[0]):
            daily[day[k], city[k], slot[k]] += 1.0

    n_days, n_c, n_slots = raw.daily.shape
    idx = [S.DAILY_NAMES.index(n) for n in COUNTED_EVENTS]
    events = float(raw.daily[:, :, idx].sum())
    remit_idx = S.DAILY_NAMES.index("remittances_gross_cny")
    events += float(raw.daily[:, :, remit_idx].sum()) / max(remit_cny, 1e-9)
    n_writes = int(events * WRITES_PER_EVENT)
    rng = np.random.default_rng(0)
    day = np.sort(rng.integers(0, n_days, n_writes))
    city = rng.integers(0, n_c, n_writes).astype(np.int64)
    slot = rng.integers(0, S.FIRST_STOCK, n_writes).astype(np.int64)
    counts = np.ones((n_c, 5), np.int64)
    scratch = np.zeros((n_days, n_c, n_slots))
    record_stocks(scratch[:2], counts)  # compile
    flow_writes(scratch, day[:2], city[:2], slot[:2])
    best_stock, best_flow = np.inf, np.inf
    for _ in range(3):
        t = time.perf_counter()
        record_stocks(scratch, counts)
        best_stock = min(best_stock, time.perf_counter() - t)
        t = time.perf_counter()
        flow_writes(scratch, day, city, slot)
        best_flow = min(best_flow, time.perf_counter() - t)
    return {"events": events, "writes_per_event": WRITES_PER_EVENT, "flow_writes": n_writes,
            "stock_writes": n_days * n_c * 5, "stock_s": best_stock, "flow_s": best_flow,
            "daily_array_mib": raw.daily.nbytes / 2**20}


def job_engine(spec: dict[str, Any]) -> dict[str, Any]:
    """The fast engine on one size (see the module docstring); times are the minimum over ``repeats``."""
    t = time.perf_counter()
    import nkborder.engine.sim as sim_mod
    from nkborder.api import resolve
    from nkborder.core import slots as S
    from nkborder.engine.record import build_tables

    out: dict[str, Any] = {"import_s": time.perf_counter() - t, "maxrss_import_mib": maxrss_mib()}
    if spec.get("warmup"):
        out["warmup_s"] = _tiny_run(spec["warmup"])[0]  # loads the cached kernels (or compiles them)
    out["maxrss_warm_mib"] = maxrss_mib()
    sc, params = resolve(spec["scenario"], _date(spec.get("start")), _date(spec.get("end")))
    runs = []
    for r in range(spec.get("repeats", 1)):
        timers = PhaseTimers(sim_mod) if spec.get("phases") and r == 0 else None
        t, c = time.perf_counter(), time.process_time()
        sim = sim_mod.Simulation(sc, params, seed=spec["seed"], scale=spec["scale"])
        setup_s, setup_cpu_s = time.perf_counter() - t, time.process_time() - c
        initial = int(sim.pop.people.count[0])
        t, c = time.perf_counter(), time.process_time()
        raw = sim.run()
        one = {"setup_s": setup_s, "setup_cpu_s": setup_cpu_s, "sim_s": time.perf_counter() - t,
               "sim_cpu_s": time.process_time() - c}
        if timers is not None:
            timers.undo()
            out["phases"], out["phases_cpu"], out["phase_calls"] = timers.seconds, timers.cpu_seconds, timers.calls
        if spec.get("tables", True):
            t, c = time.perf_counter(), time.process_time()
            build_tables(raw, spec["scale"], with_daily=False)
            one["tables_s"], one["tables_cpu_s"] = time.perf_counter() - t, time.process_time() - c
        runs.append(one)
        if r == 0:
            out.update(
                n_days=sim.n_days, n_cities=len(sc.cities), cities=list(sc.cities), start=sc.start.isoformat(),
                end=sc.end.isoformat(), initial_people=initial, final_rows=int(sim.pop.people.count[0]),
                agent_days_alive=_alive_agent_days(raw.daily, S.FIRST_STOCK), agent_days_initial=initial * sim.n_days,
                maxrss_run_mib=maxrss_mib(),
            )
        if r < spec.get("repeats", 1) - 1:
            del sim, raw
    for key in runs[0]:
        out[key] = min(one[key] for one in runs)
    out["runs"] = runs
    if spec.get("daily_tables"):
        best = {False: float("inf"), True: float("inf")}
        for _ in range(spec.get("table_repeats", 2)):
            for with_daily in (False, True):
                t = time.perf_counter()
                build_tables(raw, spec["scale"], with_daily=with_daily)
                best[with_daily] = min(best[with_daily], time.perf_counter() - t)
        out["tables_no_daily_s"], out["tables_daily_s"] = best[False], best[True]
        out["maxrss_daily_mib"] = maxrss_mib()
    if spec.get("record_cost"):
        out["record"] = record_cost(raw, float(params.remit_cny))
    if spec.get("gini_estimate"):
        out["gini_estimate"] = monthly_gini_cost(sim, len(sim.month_starts))
    return out


def monthly_gini_cost(sim: Any, n_months: int) -> dict[str, Any]:
    """Estimate the part of ``household_budgets`` spent in the monthly income Gini (a sort per city and month).

    Times ``gini()`` on the last month's incomes of the households with someone at home (best of 5 per city)
    and multiplies by the number of months.
    """
    import numpy as np

    from nkborder.model.livelihoods import gini

    hh, starts = sim.pop.households, sim.pop.cities.household_start
    per_month, sizes = 0.0, []
    for c in range(len(starts) - 1):
        a, b = int(starts[c]), int(starts[c + 1])
        incomes = np.ascontiguousarray(hh.income_kpw[a:b][hh.n_home[a:b] > 0])
        sizes.append(int(incomes.shape[0]))
        gini(incomes[:2])  # compiled already; make sure
        best = float("inf")
        for _ in range(5):
            t = time.process_time()
            gini(incomes)
            best = min(best, time.process_time() - t)
        per_month += best
    return {"households": sizes, "per_month_s": per_month, "seconds": per_month * n_months}


def _round_sig(x: float, digits: int = 2) -> float:
    return float(f"{x:.{digits}g}")


def _calibrate(spec: dict[str, Any], run_reference: Callable[..., Any], start: dt.date,
               full_days: int) -> tuple[float, int, list[dict[str, float]]]:
    """A size (scale, days) on which the reference lasts about ``target_s``.

    Pilot runs over the whole period at ``min_scale`` and ``pilot_scale``; the line time = a + b x scale through
    them gives the scale. If even ``min_scale`` is too slow, the period is shortened instead.
    """
    target, lo = spec["target_s"], spec["min_scale"]
    pilots: list[dict[str, float]] = []

    def pilot(scale: float) -> float:
        t = time.perf_counter()
        run_reference(spec["scenario"], spec["seed"], scale, start=start,
                      end=start + dt.timedelta(days=full_days - 1))
        pilots.append({"scale": scale, "days": full_days, "seconds": time.perf_counter() - t})
        return pilots[-1]["seconds"]

    t1 = pilot(lo)
    if t1 >= target:
        return lo, max(31, int(full_days * target / t1)), pilots
    hi = max(spec["pilot_scale"], 2 * lo)
    t2 = pilot(hi)
    slope = (t2 - t1) / (hi - lo)
    scale = (target - (t1 - slope * lo)) / slope if slope > 0 else hi * target / t2
    return _round_sig(min(max(scale, lo), spec["max_scale"])), full_days, pilots


def job_reference(spec: dict[str, Any]) -> dict[str, Any]:
    """The Mesa reference on a size that lasts about ``target_s`` (or on the given ``scale`` and ``end``)."""
    t = time.perf_counter()
    from reference import run_reference

    out: dict[str, Any] = {"import_s": time.perf_counter() - t}
    from nkborder.api import resolve
    from nkborder.model.population import census_populations

    sc, _ = resolve(spec["scenario"])
    pop_full = sum(census_populations()[c] for c in sc.cities)
    start, full_days = sc.start, (sc.end - sc.start).days + 1
    scale, n_days = spec.get("scale"), full_days if spec.get("end") is None else (
        (dt.date.fromisoformat(spec["end"]) - start).days + 1)
    if scale is None:
        scale, n_days, pilots = _calibrate(spec, run_reference, start, full_days)
        out["pilots"] = pilots
    end = start + dt.timedelta(days=n_days - 1)
    t, c = time.perf_counter(), time.process_time()
    table = run_reference(spec["scenario"], spec["seed"], scale, start=start, end=end, overrides=None)
    out.update(ref_s=time.perf_counter() - t, ref_cpu_s=time.process_time() - c, scale=scale,
               scenario=spec["scenario"], start=start.isoformat(), end=end.isoformat(), n_days=n_days,
               initial_people_approx=round(pop_full * scale), rows=len(table))
    return out


def job_floor(spec: dict[str, Any]) -> dict[str, Any]:
    """The floor of the monthly person rules (:func:`benchmarks.floor.measure`)."""
    from benchmarks.floor import measure

    return measure(spec["scenario"], spec["scale"], spec["seed"], spec["months"], spec["repeats"])


def job_logistic(spec: dict[str, Any]) -> dict[str, Any]:
    """CPU ns per logistic function in a kernel: the inlined exp (:mod:`nkborder.core.fastexp`) vs the C library's.

    ``spec``: ``n`` arguments (normal, mean -4, sd 4: the range of the model's intentions and discontent),
    ``repeats`` timings of each (the minimum is kept). Also says whether the two give the same doubles.
    """
    import math

    import numpy as np
    from numba import njit

    from nkborder.core.fastexp import logistic

    @njit(inline="always")
    def libm_logistic(z: float) -> float:
        return 1.0 / (1.0 + math.exp(-z))

    @njit
    def fast_all(z: np.ndarray, out: np.ndarray) -> None:
        for i in range(z.shape[0]):
            out[i] = logistic(z[i])

    @njit
    def libm_all(z: np.ndarray, out: np.ndarray) -> None:
        for i in range(z.shape[0]):
            out[i] = libm_logistic(z[i])

    z = np.random.default_rng(5).normal(-4.0, 4.0, int(spec["n"]))
    a, b = np.empty_like(z), np.empty_like(z)
    fast_all(z[:8], a[:8])
    libm_all(z[:8], b[:8])
    best = {"fastexp": math.inf, "libm": math.inf}
    for _ in range(int(spec["repeats"])):
        for name, fn, out in (("fastexp", fast_all, a), ("libm", libm_all, b)):
            c = time.process_time()
            fn(z, out)
            best[name] = min(best[name], time.process_time() - c)
    return {"n": len(z), "repeats": int(spec["repeats"]), "fastexp_ns": best["fastexp"] / len(z) * 1e9,
            "libm_ns": best["libm"] / len(z) * 1e9, "identical": bool(np.array_equal(a, b))}


JOBS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "tiny": job_tiny,
    "logistic": job_logistic,
    "engine": job_engine,
    "floor": job_floor,
    "reference": job_reference,
}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in JOBS:
        raise SystemExit(f"usage: python -m benchmarks.child {{{','.join(JOBS)}}} 'JSON SPEC'")
    out = JOBS[args[0]](json.loads(args[1]))
    out["maxrss_mib"] = maxrss_mib()
    print(MARKER + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
