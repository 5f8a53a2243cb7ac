"""BENCHMARKS.md from the results of :func:`benchmarks.suite.run_all`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from benchmarks.before_after import LAYERS_COMMIT, refactor_section
from benchmarks.before_after import section as before_after_section
from benchmarks.calibration import hour_section, proposals_section
from benchmarks.calibration import parts_section as calibration_parts_section
from benchmarks.calibration import section as calibration_section

SECTIONS = (
    "## Machine",
    "## Targets",
    "## 1. Fast engine: full history",
    "## 2. Compile time: cold vs warm numba cache",
    "## 3. Mesa reference vs fast engine",
    "## 4. Peak memory",
    "## 5. Scaling with population",
    "## 6. Cost of recording daily indicators",
    "## 7. Where the time goes",
    "## 8. Experiments",
    "## 9. What 500x would take",
    "## 10. The inlined exp of the logistic function",
    "## 11. Calibration: CPU time per simulation",
    "## How it was measured",
)
PHASE_NOTES = {
    "run_days": "daily kernel: smuggling, crossings, China/detention, guards, markets, record (per month)",
    "census": "monthly: household members by status, inminban information",
    "remittances": "monthly: remittances from South Korea",
    "household_budgets": "monthly: incomes, food, hardship, savings (households)",
    "people_month": "monthly, one pass over people: deaths and births, information and discontent, crossing "
    "intentions and schedule, list of people in China or detained",
    "resident_smugglers": "monthly: list of smugglers at home",
    "district_snapshot": "yearly: members and means per district",
    "_income_gini": "yearly: Gini of household income (Python + numba)",
    "other": "Python orchestration in Simulation.run (argsort of the schedule, buffers, ...)",
}


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if x == 0 or abs(x) >= 1:
            return f"{x:.{digits}f}"
        return f"{x:.{digits + 1}g}"  # small values keep significant digits
    return str(x)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_f(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _failed(res: dict[str, Any]) -> list[str] | None:
    if res.get("status") == "ok":
        return None
    return [f"**{res.get('status', 'not measured')}**: {res.get('error', '')}", ""]


def _machine(m: dict[str, Any]) -> list[str]:
    cores = f"{m.get('logical_cpus')} logical CPUs ({m.get('physical_cores') or '?'} physical cores listed)"
    load = m.get("load_start")
    load_end = m.get("load_end")
    rows = [
        ["CPU", m.get("cpu_model")], ["cores", cores],
        ["RAM", f"{m['ram_gib']:.1f} GiB" if m.get("ram_gib") else "-"], ["OS", m.get("os")],
        ["Python", f"{m.get('python')} ({m.get('implementation')})"], ["numba", m.get("numba")],
        ["numpy", m.get("numpy")], ["pandas", m.get("pandas")], ["Mesa", m.get("mesa")],
        ["nkborder", f"{m.get('nkborder')} (commit {m.get('commit')}, work tree as found)"],
        ["date", m.get("date")],
        ["load average (1/5/15 min) at start", " / ".join(f"{v:.2f}" for v in load) if load else "-"],
        ["load average at end", " / ".join(f"{v:.2f}" for v in load_end) if load_end else "-"],
    ]
    return _table(["", ""], rows)


def _engine(e: dict[str, Any]) -> list[str]:
    if (bad := _failed(e)) is not None:
        return bad
    lines = [f"`{e['scenario']}` scenario, cities {', '.join(e['cities'])}, scale {e['scale']}, "
             f"{e['start']} to {e['end']} ({e['n_days']:,} days), seed 1, in a new process with a warm numba "
             "cache.", ""]
    rows = [
        ["initial population (agents)", e["initial_people"], ""],
        ["rows used at the end (incl. births)", e["final_rows"], ""],
        ["agent-days, alive (all statuses but dead, summed over days)", e["agent_days_alive"],
         "**the denominator used below**"],
        ["agent-days, initial population x days", e["agent_days_initial"], "for comparison"],
        ["import nkborder (s)", e["import_s"], ""],
        ["load cached kernels (tiny run, s)", e.get("warmup_s"), "once per process"],
        ["set-up: Simulation(...) (s)", e["setup_s"], "population, environment"],
        ["**simulation: Simulation.run() (s)**", e["sim_s"], f"CPU time {_f(e['sim_cpu_s'])} s"],
        ["tables: build_tables(with_daily=False) (s)", e["tables_s"], ""],
        ["run total = set-up + simulation + tables (s)", e["run_s"], "= nkborder.run(daily=False)"],
        ["wall time with warm cache, new process (s)", e["warm_wall_s"], "import + cache load + run total"],
        ["**ns per agent-day (simulation, wall)**", e["ns_per_agent_day"], ""],
        ["ns per agent-day (simulation, CPU time)", e["ns_per_agent_day_cpu"], ""],
        ["ns per agent-day (simulation, initial-population agent-days)", e["ns_per_agent_day_initial"], ""],
    ]
    return lines + _table(["", "value", "note"], rows)


def _compile(c: dict[str, Any]) -> list[str]:
    if (bad := _failed(c)) is not None:
        return bad
    t = c["tiny"]
    lines = [f"Tiny run: `nkborder.run({t['scenario']!r}, seed={t['seed']}, scale={t['scale']}, "
             f"end={t['end']!r}, daily=False)`, timed in a new process "
             + ("with `NUMBA_CACHE_DIR` set to a fresh temporary directory (cold), then in another new process "
                "with the same, now filled, directory (warm)." if c["fresh_cache"] else
                "with the default cache both times (machinery test only: the cache was not cold)."), ""]
    rows = [
        ["import nkborder (s)", c["import_s"], "not included below"],
        ["tiny run, cold cache (s)", c["cold_first_run_s"], "compiles every kernel, in two processes at once "
         "(`nkborder.engine.warmup`)"],
        ["tiny run, warm cache, first call in the process (s)", c["warm_first_run_s"], "loads the cache"],
        ["tiny run, second call in the same process (s)", c["in_process_run_s"], "the run itself"],
        ["**one-time compile = cold - warm (s)**", c["compile_s"],
         f"CPU time of this process {_f(c['cold_first_run_cpu_s'])} - {_f(c['warm_first_run_cpu_s'])} = "
         f"{_f(c['compile_cpu_s'])} s (the daily kernels compile in a child process meanwhile)"],
        ["whole child process, cold / warm (s)", f"{_f(c['cold_process_wall_s'])} / "
         f"{_f(c['warm_process_wall_s'])}", "interpreter start + import + both runs"],
        ["cache written", f"{c['cache_files']} files, {_f(c['cache_mib'])} MiB", ""],
    ]
    if "serial_compile_s" in c:
        rows.insert(5, ["one-time compile in one process (s)", c["serial_compile_s"],
                        "`NKBORDER_PARALLEL_COMPILE=0`, another fresh cache; CPU time "
                        f"{_f(c['serial_compile_cpu_s'])} s"])
    return lines + _table(["", "value", "note"], rows)


def _daily_compile(c: dict[str, Any]) -> list[str]:
    if (bad := _failed(c)) is not None:
        return bad
    return [f"The daily group alone (`python -m nkborder.engine.warmup daily`, a new process, a fresh cache): "
            f"{_f(c['cpu_s'])} s CPU, {_f(c['wall_s'])} s wall. Its loop runs the daily steps of the step plan "
            "(`nkborder/engine/plan.py`) as direct calls with each step inlined (`chained`); compiled as separate "
            "kernels, the steps (each taking the wide `DayContext`) made this group's compile about twice as long.",
            "",
            "Where the daily group's compile goes (`NUMBA_CACHE_DIR=$(mktemp -d) python -m benchmarks.compile_profile "
            "daily`: CPU seconds per compiled function, without the functions it compiled in turn, from numba's "
            "compile events). Without the options below, on a loaded 2-core host: `run_days` 7.2 s, `cross` 3.6 s, "
            "`smuggling_day` 2.8 s, `abroad_and_detained_day` 2.5 s, `pay_for_crossing` 1.5 s (compiled twice: its "
            "last argument is the literal 0 at one call and 1 at the other), `guards_day` 0.7 s and about 25 small "
            "helpers at 0.1-0.3 s each (the fixed cost of a separate compile); 20.5 of the 24.6 s were numba's native "
            "lowering (LLVM IR, its optimisation, machine code). The state's named tuples make the code large: a "
            "kernel receives `People`, `Households`, `Environment` (37 arrays) and the parameters as a named tuple "
            "(128 floats) as about 1,000 scalar arguments, its Python wrapper unboxes them all, and numba adds a "
            "reference-count increment and decrement for every array of a tuple each time the tuple is read or "
            "passed on (the unoptimised IR of `run_days` had 64,000 lines, 56,000 of them `extractvalue`).",
            "",
            "Levers, tried one after another (CPU seconds of the daily group's compile and tiny run, one process "
            "with a fresh cache each, loaded host): small helpers inlined (`inline=\"always\"`) 24.6 -> 21.5; "
            "kernels that only the daily loop calls compiled without Python and C wrappers 17.9; no reference counts "
            "in those and in the daily loop 13.9 (`nkborder/core/jit.py`: `inner_kernel`, `loop_kernel`). Not kept: "
            "the large daily kernels inlined into the loop as well, 47.6 (LLVM optimises one huge function much more "
            "slowly); the monthly person pass without reference counts (its buffers allocated by its caller), "
            "13.84 against 14.03 s for the monthly group (means of 3 interleaved pairs); `add_child` and the "
            "schedule sort inlined into the person pass, 16.5 against 15.3 s (2 pairs). The daily child also "
            "compiled the smugglers' hand-over and list and the brokers' month, which the monthly process compiles: "
            "they are stand-ins there now.",
            "",
            "Without and with these options, interleaved on a 2-core host shared with another job (`python -m "
            "nkborder.engine.warmup daily`, a fresh cache each, 3 pairs): 29.4-33.8 s CPU without (mean 31.9), "
            "15.6-20.2 s with them (mean 17.4); the monthly group (a tiny run with the daily loop as a stand-in, 2 "
            "pairs): 17.7 and 20.5 s without, 15.3 and 15.5 s with. The tables are bit-identical "
            "(`tests/test_regression.py`; a history run at scale 0.25 gives the same daily, monthly and sector "
            "arrays), and that run's simulation took 2.10 s CPU with them against 2.37 s without (means of 3 "
            "interleaved pairs).",
            "",
            "Kernel arguments: the monthly person pass (`people_month`) takes the agents and the month's records as "
            "named tuples (`Agents`, `Records` in `nkborder/core/state.py`) with no measurable cost. The daily "
            "kernels `cross` and `smuggling_day` keep their positional arguments: with the same two named tuples "
            "the daily loop (`run_days`) took 3-15 % more CPU in a history run at scale 0.25 (3 interleaved pairs of "
            "4 runs on a loaded 2-core host: 0.448, 0.477, 0.510 s against 0.435, 0.446, 0.436 s). `remittances`, "
            "called from Python once a month, keeps its arguments too: unboxing `Agents`, `Environment` and the "
            "parameters' named tuple costs about 45 us a call (0.027 against 0.010 s CPU per history run at scale "
            "0.25).",
            "",
            "The parameters as one record: `KernelParams` (`nkborder/core/state.py`) is a numpy record with a "
            "float64 field per parameter, which numba passes as one pointer; as a named tuple the 128 parameters "
            "were 128 scalar arguments of every kernel that takes them, each read an `extractvalue`. Against the "
            "named tuple (commit `9ded2b5`), on a 2-core host shared with a calibration on 2 workers (load average "
            "3), in interleaved pairs, each in a new process:",
            "",
            "- per compiled function (`NUMBA_CACHE_DIR=$(mktemp -d) python -m benchmarks.compile_profile daily`, "
            "and `monthly`; 3 pairs, CPU s, named tuple -> record): `run_days` 7.25-7.81 -> 5.90-6.16, "
            "`people_month` 4.54-5.56 -> 3.98-4.39, `household_budgets` 2.09-3.13 -> 1.65-2.63, numba's native "
            "lowering 9.6-10.5 -> 8.5-8.9 (daily group) and 9.3-11.4 -> 8.2-10.0 (monthly group); `cross` gained "
            "nothing measurable (3.4-3.7 against 3.3-4.7);",
            "- the whole first compile (the `compile` job of `NKBORDER_BENCH_BEFORE=9ded2b5 python -m benchmarks "
            "--update before_after`, CPU of the process and its children; two runs of 3 pairs): 27.30, 27.98, "
            "31.43 and 29.87, 30.39, 37.02 s with the named tuple, 24.52, 26.24, 30.08 and 25.10, 29.06, 27.78 s "
            "with the record: shorter in all 6 pairs, median ratio 0.92;",
            "- the run is the same within the noise: the full history at scale 1.0 (`history` job, same runs) "
            "9.10, 9.27, 9.90 and 15.78, 12.08, 15.45 s against 9.41, 9.67, 9.48 and 10.98, 10.13, 11.85 s; in 5 "
            "more pairs timed per phase, each phase's CPU time as a multiple of `census` (which reads no "
            "parameter) was the same within 2 % (`people_month` 5.44-5.98 against 5.46-5.69, `run_days` 2.36-2.47 "
            "against 2.38-2.45, `household_budgets` 0.87-0.89 against 0.89-0.90). One calibration simulation "
            "(`calibration` job): median ratios 0.98 and 1.03.",
            "",
            "A call from Python is not cheaper: numba's dispatcher types a record in Python at each call, about 12 "
            "us for a kernel that reads two fields, as long as unboxing the named tuple's 128 floats (12.7 us); "
            "with three such calls a month (`people_month`, `household_budgets`, `run_days`) about 0.01 s of a full "
            "history. Loops that read parameters per "
            "person or household copy them into locals first (`people_month`, `household_budgets`, and the floor "
            "loop of section 9): a field of the record is read through a pointer, and LLVM may reload it after "
            "each store to an array (it vectorises such a loop only behind a run-time check that the two do not "
            "overlap). numba caches kernels that take the record (`cache=True`): a second process with the same "
            "cache directory compiles nothing, and loading the cached kernels (the first tiny run of a new process, "
            "4 pairs) took 0.61-0.65 s CPU against 0.62-0.71 s with the named tuple. The tables are bit-identical "
            "(`tests/test_regression.py` unchanged).",
            "",
            "LLVM's passes (`install_function_passes` in `nkborder/core/jit.py`): numba optimises each function's "
            "IR alone at `NUMBA_OPT` (default 3) before linking it into its module, then the whole module at the "
            "same level, which makes the machine code. In the daily group's compile (`benchmarks.compile_profile "
            "daily` under `cProfile`, fresh cache, load average 5-7), 19.6 s CPU went to LLVM: 9.9 s the "
            "per-function passes (277 runs), 4.8 s the module passes (38 modules), 4.0 s the machine code. The "
            "first compile (the `compile` job of `benchmarks/before_after.py`: a new process per run with a fresh "
            "`NUMBA_CACHE_DIR` and the setting in its environment, CPU of the process and its children; rounds in "
            "alternating order on a 2-core host at load average 3-7), as the median ratio to numba's defaults over "
            "5 rounds: `NUMBA_OPT=2` 0.96, `NUMBA_OPT=1` 0.95, `NUMBA_OPT=0` 0.76, `NUMBA_LOOP_VECTORIZE=0` 0.99 "
            "(`NUMBA_SLP_VECTORIZE` is already 0 in numba 0.68). The lower levels cost the run: the full history "
            "at scale 1.0 (`history` job) took 13.75 s CPU at `NUMBA_OPT=1` against 11.76 s (1 pair), and at "
            "`NUMBA_OPT=0` it was stopped after more than 100 s. Kept: the per-function passes at level 0 and the "
            "module's at 3 (a copy of the tree in which an environment variable set the per-function level): the "
            "first compile 36.99, 36.46, 35.29, 42.34, 36.72 s CPU with numba's defaults against 27.42, 27.06, "
            "32.94, 26.28, 30.44 s (5 pairs, median ratio 0.74; per-function level 1: 0.89 in 2 pairs). The "
            "machine code differs a little (lines of assembly: `run_days` 13,927 -> 13,908, `people_month` "
            "8,144 -> 8,161, `household_budgets` 4,764 -> 4,736, `census` 2,627 -> 2,641) and the run is the same "
            "within the noise: the full history in 10 pairs (two series of 5, load average 3.5-6) 146.4 s CPU in "
            "all with numba's defaults against 148.8 s, median ratio of the pairs 1.01 (single pairs 0.78-1.33). "
            "The tables are bit-identical (`tests/test_regression.py` unchanged). Not kept: `error_model=\"numpy\"` "
            "on the kernels (no division-by-zero checks) on top of it: 28.98, 27.43, 28.29 s without, 27.96, "
            "29.70, 28.67 s with it (3 pairs, median ratio 1.01). Section 11's before/after table compares the "
            "kept change with the commit before it (`b19c5ff`).",
            ""]


def _threads() -> list[str]:
    """The monthly person pass on numba's threads: tried, measured, not kept (fixed text)."""
    return [
        "Tried and not kept: the monthly person pass on numba's threads (commit `50f2445`). With more than one "
        "thread, each person's rules of the month (death, birth draw, information, discontent, intention, attempt "
        "draw) ran first for everyone in a `prange` over blocks of 4,096 people, into scratch rows, and one pass in "
        "person order then recorded deaths and births, filled the lists and added the per-city sums, so the tables "
        "were the same bits with any thread count (checked by a test, and `tests/test_regression.py` unchanged); "
        "with one thread the rules ran inside that pass. The layers job on an idle host (`python -m benchmarks "
        "--update layers`, 3 interleaved pairs against `3bc5aed`, GNU OpenMP with `OMP_WAIT_POLICY=PASSIVE`): the "
        "full history on two threads took 12.49, 10.18, 11.08 s wall and 15.70, 12.81, 13.91 s CPU against 10.22, "
        "9.00, 9.29 s (wall 1.19x, CPU 1.50x); on one thread 10.73, 10.38, 10.22 s CPU against 11.47, 9.75, "
        "10.27 s (0.995x); the first compile 26.20, 25.00, 25.10 s CPU against 28.12, 22.91, 23.59 s (1.06x). "
        "Two threads were slower than one: the rules are about half of the pass's work, and the pass in person "
        "order then reads every row the other core has just written. Measured while building it, on this host "
        "with other simulations running (single runs, rough):",
        "",
        "- first compile of the monthly group (`NUMBA_CACHE_DIR=$(mktemp -d) python -m benchmarks.compile_profile "
        "monthly`): 10.4 s CPU before; 16.7 s with the rules inlined into the `prange` body; 14.3 s with the body "
        "one call per block and no Python wrappers on the parallel kernels (the rules compiled twice: for the "
        "pass in person order, and for the blocks). Kept from it: `people_month` takes the people, households, "
        "cities and the day's four conditions instead of all agents and the whole environment, which made its "
        "own compile 3.0 -> 2.0 s in that tree (its Python wrapper unboxes fewer arrays).",
        "- GNU OpenMP's threads spin after each parallel loop by default, on the core the serial rest of the run "
        "needs: the full history on two threads took 17.7 s CPU for 12.6 s wall with the default, 13.7 s for "
        "12.9 s with `OMP_WAIT_POLICY=PASSIVE` (loaded host).",
        "- numba 0.68.1 drops writes, in a `prange` body, to arrays unpacked from a named tuple in the same "
        "function (`a, b = pair` then `a[i] = ...`), and a tuple of several values cannot enter a `prange` body "
        "(\"scalar type UniTuple given for non scalar argument\").",
        "- `NUMBA_NUM_THREADS=1` for local Dask workers through `distributed.nanny.pre-spawn-environ` does not "
        "work: the nannies copy the setting into the client process's own environment, and numba refuses a new "
        "thread count once its threads run (`RuntimeError` at the next compile). Checking "
        "`distributed.get_worker()` in the run did.",
        "",
        "Branches the CPU cannot predict, in the monthly passes (history with the shipped calibration, seed 1, "
        "`NUMBA_NUM_THREADS=1`, interleaved pairs on a 2-core host shared with a calibration; a phase's CPU time "
        "as a multiple of another phase's in the same run, which the load moves less than the seconds; the "
        "tables bit-identical in each case). Kept: `people_month` draws every resident's birth number before "
        "asking whether she may give birth (the draw is rarely below the monthly birth probability; a woman of "
        "18-45 or not is a coin toss from one row to the next): at scale 1.0 (3 pairs) `people_month` 5.28, "
        "5.30, 5.31 -> 5.09, 5.15, 5.08 times `census`, the whole simulation 10.39, 10.46, 10.40 -> 10.27, "
        "10.26, 10.29 times `census`; at scale 0.25 `people_month` 5.55, 5.60, 5.61 -> 5.32, 5.32, 5.35 times "
        "`census`. Not kept (scale 0.25, 3 pairs each): the census's household counts and inminban sums in "
        "locals, written back when the household changes (`census` 0.227-0.243 -> 0.294-0.310 s: a branch per "
        "household); the census without a branch on status (0 or 1 added for each row; `census` 1.05-1.12 -> "
        "1.16-1.19 times `household_budgets`); the attempt probability computed for every resident and kept by "
        "a select instead of a branch on age 15-65 (`people_month` 5.6 -> 6.0 times `census`); `listed` reset "
        "only where set (5.49-5.68 -> 5.73-5.85); the per-city sums of `people_month` added in the array "
        "instead of locals switched on a change of city (5.29-5.74 -> 5.30-5.32); `household_budgets`' arrays "
        "taken out of the named tuple before its loop (0.91-0.94 -> 0.89-0.95 times `census`); a list of the "
        "rows not dead, rewritten by `people_month` and read by `census` and the next `people_month`, so that "
        "neither visits the dead (`census` 0.220-0.225 -> 0.202-0.206 s, but `people_month` 1.17-1.21 -> "
        "1.31-1.33 s: each row read through the list).",
        "",
        "The daily loop (`run_days`), four bit-identical changes (history with the shipped calibration, seed 1, "
        "`NUMBA_NUM_THREADS=1`, `Simulation.run()` at scale 1.0, 3 interleaved pairs, each side in a new process, "
        "CPU s, each against the tree before it; 2-core host shared with other jobs, so each run's time is also "
        "given as a multiple of `census`, which none of them touches; the raw arrays of a history at scale 0.1 "
        "are the same bits and `tests/test_regression.py` is unchanged). Where the loop's time went, from runs "
        "with one daily step left out (not the same model, only a guide): `run_days` was 0.48 times "
        "`people_month` with every step, 0.42 without the guards, 0.38 without smuggling, 0.22 without the China "
        "phase. Kept:",
        "",
        "- `guards_day`: whether a guard's slot is manned is his slot's offset below `on_duty` while every slot "
        "at the 2006 density is manned (troops at 1 or more: all of the history), instead of the manning rank "
        "`rank_of_slot` computes with an integer division, for every guard every day; and the day's pay per "
        "city added up in a local, in guard order, not in the record. `run_days` 2.58, 2.43, 2.58 -> 2.22, 2.17, "
        "2.23 s; the simulation 10.39, 10.23, 10.34 -> 9.95, 10.11, 9.94 times `census`.",
        "- `hand_over_smuggling` walks a vacant household's members, chained in person order "
        "(`Households.first_member`, `People.next_member`, extended at each birth), instead of every person: "
        "0.127, 0.152, 0.216 -> 0.095, 0.133, 0.162 s; the simulation 10.16, 10.05, 10.11 -> 10.11, 9.97, 10.06 "
        "times `census` (what is left is the monthly check of every household's smuggler).",
        "- `abroad_and_detained_day` prefetches, for the person a few entries ahead, only what it reads of "
        "everyone every day: not the release day (the list rarely holds someone detained at home) nor the "
        "household (read on a return home or an onward journey). `run_days` 2.03, 1.97, 1.94 -> 1.73, 1.81, "
        "1.80 s; the simulation 10.04, 10.03, 9.96 -> 9.78, 9.80, 9.80 times `census`.",
        "- `smuggling_day` draws a smuggler's trip before reading his status, with the smugglers' cities listed "
        "beside them for the month (`DayContext.smuggler_city`): on most days a smuggler makes no trip, so his "
        "status, scattered over the people arrays, is read on trip days only (the draw is a hash of day and "
        "person, so its place among the checks changes nothing). `run_days` 1.79, 1.79, 1.72 -> 1.68, 1.72, "
        "1.68 s; the simulation 9.86, 9.79, 9.77 -> 9.71, 9.72, 9.84 times `census` (within the noise).",
        "",
        "The four together, against the same tree without them (3 pairs at scale 1.0): `Simulation.run()` 9.59, "
        "9.80, 9.43 -> 9.27, 9.11, 8.83 s CPU (median ratio of the pairs 0.936), `run_days` 2.22, 2.27, 2.17 -> "
        "1.82, 1.77, 1.70 s, the simulation 10.26, 10.27, 10.32 -> 9.80, 9.71, 9.78 times `census`. At scale "
        "0.25 (two series of 5 and 4 pairs) `run_days` 0.371, 0.429, 0.365, 0.377, 0.376, 0.434, 0.426, 0.458, "
        "0.422 -> 0.325, 0.317, 0.320, 0.364, 0.325, 0.340, 0.379, 0.422, 0.395 s and the simulation 10.33, "
        "10.56, 10.33, 10.29, 10.28, 10.45, 10.37, 10.47, 10.25 -> 10.10, 10.02, 9.99, 10.14, 10.09, 10.05, "
        "10.19, 10.11, 10.21 times `census`; the seconds themselves did not separate there (2.07, 2.28, 2.03, "
        "2.10, 2.09, 2.40, 2.38, 2.51, 2.35 -> 2.10, 2.06, 2.07, 2.22, 2.10, 2.19, 2.42, 2.67, 2.41 s: in 7 of "
        "the 9 pairs the later run's `census` and `people_month`, which the changes do not touch, were 2-11 % "
        "slower as well, and the load average of the host was 1.6-2.8). "
        "The first compile (a tiny history with an empty cache, CPU of the process and its children, 3 pairs): "
        "21.64, 24.54, 26.47 -> 22.55, 23.90, 24.91 s (median ratio of the pairs 0.97).",
        "",
        "Not built: the census computed by the person pass of the month before, as counts kept up to date as "
        "statuses change during the days. The counts can be kept exactly, but each inminban's mean information "
        "is a sum in person order over its residents, which cannot be corrected by subtraction: every inminban "
        "with a resident who left or came back during the days would need its sum again in person order. At "
        "scale 1.0 that is 368 of the 2,884 inminbans in a mean month (at most 876), measured from the statuses "
        "after the person pass and before the next census.",
        "",
    ]


def _reference(r: dict[str, Any], engine: dict[str, Any]) -> list[str]:
    if (bad := _failed(r)) is not None:
        return bad
    ref = r["reference"]
    lines = [f"Both on `{r['scenario']}` at scale {r['scale']} ({r['initial_people']:,} agents at the start), "
             f"{r['start']} to {r['end']} ({r['n_days']:,} days), seed 1, each in a new process."]
    if ref.get("pilots"):
        lines[0] += (" The size was chosen to last about the target time from pilot runs of the reference over the "
                     "whole period (" + ", ".join(f"scale {p['scale']}: {_f(p['seconds'])} s" for p in ref["pilots"])
                     + "; time = a + b x scale through them).")
    lines += ["Both are timed end to end (set-up, simulation and the yearly table); the fast engine is the best "
              "of its repeats after its kernels were loaded. Per agent-day both divide by the same count (alive "
              "agent-days of the fast engine's run).", ""]
    rows = [
        ["Mesa reference `run_reference(...)`", r["ref_s"], r["ref_ns_per_agent_day"], "1x"],
        ["fast engine, set-up + simulation + tables", r["fast_run_s"], r["fast_ns_per_agent_day"],
         f"**{r['speedup']:,.0f}x**"],
        ["fast engine, simulation only", r["fast_sim_s"], r["fast_sim_ns_per_agent_day"],
         f"{r['speedup_sim_only']:,.0f}x"],
    ]
    if engine.get("status") == "ok":
        rows.append([f"fast engine at scale {engine['scale']} (section 1), simulation", engine["sim_s"],
                     engine["ns_per_agent_day"], f"{r['ref_ns_per_agent_day'] / engine['ns_per_agent_day']:,.0f}x"
                     " (per agent-day, different size)"])
    rows.append(["CPU time: Mesa / fast engine (set-up + simulation + tables)",
                 f"{_f(r['ref_cpu_s'])} / {_f(r['fast_run_cpu_s'])}", "-", f"{r['speedup_cpu']:,.0f}x"])
    lines += _table(["", "seconds", "ns per agent-day", "speed-up vs Mesa"], rows)
    lines += [f"Agent-days (alive) on this size: {r['agent_days_alive']:,}. At this small size the fast engine's "
              "fixed costs (numba dispatch of about ten kernel calls a month, NumPy set-up, table building) weigh "
              "more than at full scale, so the same-size ratio is the conservative one.", ""]
    return lines


def _memory(e: dict[str, Any], scaling: dict[str, Any]) -> list[str]:
    if (bad := _failed(e)) is not None:
        return bad
    rows = [
        ["after importing nkborder", e["maxrss_import_mib"]],
        ["after loading the cached kernels", e["maxrss_warm_mib"]],
        [f"**after the run at scale {e['scale']} (set-up, simulation, tables without daily)**",
         e["maxrss_run_mib"]],
        ["after also building the tables with the daily table", e.get("maxrss_daily_mib")],
    ]
    lines = ["Peak resident set size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) of the child process that ran "
             "section 1, read at each step (it only grows):", ""]
    lines += _table(["peak RSS so far", "MiB"], rows)
    if scaling.get("status") == "ok":
        lines += ["Peak RSS of each scaling run: " + ", ".join(
            f"scale {p['scale']}: {_f(p['maxrss_mib'], 0)} MiB" for p in scaling["points"]) + ".", ""]
    return lines


def _scaling(s: dict[str, Any]) -> list[str]:
    if (bad := _failed(s)) is not None:
        return bad
    pts = s["points"]
    period = f"to {s['end']}" if s.get("end") else "over the whole scenario"
    lines = [f"`history` (both cities) {period}, seed 1, simulation time only (`Simulation.run()`), one new "
             "process per size (the 1x run is the one of section 1 when the sizes match).", ""]
    rows = [[str(p["scale"]), p["initial_people"], p["n_days"], p["agent_days_alive"], p["setup_s"], p["sim_s"],
             p["sim_cpu_s"], p["ns_per_agent_day"], p["ns_per_agent_day_cpu"], p["maxrss_mib"]] for p in pts]
    lines += _table(["scale", "agents", "days", "agent-days", "set-up s", "simulation s", "CPU s",
                     "ns/agent-day", "ns/agent-day CPU", "peak RSS MiB"], rows)
    if "fit_ns_per_agent_day" in s:
        for suffix, what in (("_cpu", "CPU time"), ("", "wall time")):
            v = {key: s[key + suffix] for key in ("fit_ns_per_agent_day", "fit_fixed_s", "fit_r2", "exponent_all",
                                                  "exponent_top", "ns_ratio_top")}
            lines += [
                f"- {what}: linear fit `seconds = a + b x agent-days` gives b = {_f(v['fit_ns_per_agent_day'])} ns "
                f"per agent-day, a = {_f(v['fit_fixed_s'])} s, R^2 = {v['fit_r2']:.4f}; log-log exponent (cost ~ "
                f"agent-days^k) k = {v['exponent_all']:.3f} over all sizes and k = {v['exponent_top']:.3f} from "
                f"{pts[-2]['scale']}x to {pts[-1]['scale']}x; ns per agent-day at {pts[-1]['scale']}x / at "
                f"{pts[-2]['scale']}x = {v['ns_ratio_top']:.2f}.",
            ]
        lines += ["- k = 1 is linear; k < 1 means fixed costs still matter at the smaller size. Linearity is judged "
                  "on CPU time because the machine is shared (wall time includes waiting for a core).", ""]
    return lines


def _recording(e: dict[str, Any]) -> list[str]:
    if (bad := _failed(e)) is not None:
        return bad
    if "tables_daily_s" not in e:
        return ["not measured", ""]
    total = e["setup_s"] + e["sim_s"] + e["tables_daily_s"]
    extra = e["tables_daily_s"] - e["tables_no_daily_s"]
    rows = [
        ["build_tables(raw, scale, with_daily=False) (s)", e["tables_no_daily_s"],
         f"{100 * e['tables_no_daily_s'] / (e['setup_s'] + e['sim_s'] + e['tables_no_daily_s']):.1f}% of a "
         "daily=False run"],
        ["build_tables(raw, scale, with_daily=True) (s)", e["tables_daily_s"],
         f"{100 * e['tables_daily_s'] / total:.1f}% of a daily=True run"],
        ["**extra cost of the daily table (s)**", extra, f"{100 * extra / total:.1f}% of a daily=True run"],
    ]
    lines = ["Both on the raw records of the section 1 run, best of 2 each.", ""]
    lines += _table(["", "seconds", "share of run time (set-up + simulation + tables)"], rows)
    rec = e.get("record")
    if rec:
        share = 100 * (rec["stock_s"] + rec["flow_s"]) / e["sim_s"]
        lines += [
            "Record-keeping inside the kernels (writes into the `daily[day, city, slot]` array, "
            f"{_f(rec['daily_array_mib'])} MiB) cannot be switched off without changing package code, so it was "
            "replicated in stand-alone numba loops of the same size and timed (best of 3):", "",
        ]
        lines += _table(["", "writes", "seconds"], [
            ["end-of-day stock copy (5 stocks x cities x days, as in run_days)", rec["stock_writes"], rec["stock_s"]],
            [f"flow `+=` writes ({rec['events']:,.0f} counted events x {rec['writes_per_event']}, an upper bound)",
             rec["flow_writes"], rec["flow_s"]],
        ])
        lines += [f"Together {_f(rec['stock_s'] + rec['flow_s'], 4)} s, {share:.3f}% of the simulation time.", ""]
    return lines


def _phases(e: dict[str, Any], scaling: dict[str, Any]) -> list[str]:
    if (bad := _failed(e)) is not None:
        return bad
    phases, cpu = dict(e.get("phases", {})), dict(e.get("phases_cpu", {}))
    if not phases:
        return ["not measured", ""]
    phases["other"], cpu["other"] = e["phase_other_s"], e["phase_other_cpu_s"]
    calls = e.get("phase_calls", {})
    sim, sim_cpu = e["sim_s"], e["sim_cpu_s"]
    rows = [[name, calls.get(name, "-"), secs, cpu.get(name), f"{100 * cpu.get(name, 0.0) / sim_cpu:.1f}%",
             PHASE_NOTES.get(name, "")] for name, secs in sorted(phases.items(), key=lambda kv: -cpu.get(kv[0], 0))]
    gini = e.get("gini_estimate")
    if gini:
        rows.append(["  of which: monthly income Gini in household_budgets (estimate)", "-", "-", gini["seconds"],
                     f"{100 * gini['seconds'] / sim_cpu:.1f}%",
                     f"a sort of {', '.join(f'{n:,}' for n in gini['households'])} household incomes per city "
                     "and month: gini() on the last month's incomes, CPU-timed, x months"])
    lines = [f"Run of section 1 ({_f(sim)} s wall, {_f(sim_cpu)} s CPU of simulation). Every kernel that "
             "`Simulation.run` calls was wrapped, for that run, with wall (`time.perf_counter`) and CPU "
             "(`time.process_time`) timers by replacing its name in `nkborder.engine.sim` (about 4,000 calls in "
             "all, so the wrappers add well under 0.1 s); \"other\" is the simulation time not inside any wrapped "
             "call. Shares are of CPU time (the machine is shared).", ""]
    lines += _table(["phase", "calls", "wall s", "CPU s", "share of CPU", "what"], rows)
    points = [p for p in scaling.get("points", []) if p.get("phases_cpu")] if scaling.get("status") == "ok" else []
    if points:
        names = [n for n in PHASE_NOTES if n != "other" and n in points[0]["phases_cpu"]]
        lines += ["CPU ns per agent-day of each phase at each scaling size (section 5); a phase whose cost per "
                  "agent-day grows with the population scales worse than linearly:", ""]
        body = [[name, *(1e9 * p["phases_cpu"].get(name, math.nan) / p["agent_days_alive"] for p in points)]
                for name in names]
        body.append(["simulation (all)", *(p["ns_per_agent_day_cpu"] for p in points)])
        lines += _table(["phase", *(f"scale {p['scale']}" for p in points)], body)
    return lines


def _experiments(x: dict[str, Any]) -> list[str]:
    if x.get("status") != "ok":
        status = x.get("status", "not measured yet")
        if status in ("not measured yet", "skipped"):
            return [f"not measured yet ({x.get('error', '')})", ""]
        return [f"**{status}**: {x.get('error', '')}", ""]
    rows = [[k, v] for k, v in _flatten(x["values"])]
    head = f"`benchmarks.bench_experiments.run(quick={x.get('quick', False)})`, {_f(x['wall_s'])} s in all."
    return [head, "", *_table(["measure", "value"], rows)]


def _floor(f: dict[str, Any]) -> list[str]:
    if (bad := _failed(f)) is not None:
        return bad
    lines = [f"`benchmarks/floor.py`: the monthly person rules alone (deaths, births, information, discontent, "
             f"intention and its draw, exactly as the engine computes them), without any bookkeeping, in a "
             f"stand-alone loop over the initial population of `{f['scenario']}` at scale {f['scale']} "
             f"({f['people']:,} people), {f['months']} months, best of {f['repeats']}, CPU time. Every number below "
             "is per person-month (ns per agent-day x 30.4375 days), from this benchmark run.", ""]
    rows = []
    if "budget" in f:
        rows += [["Mesa reference (section 3)", f["reference_ns_per_person_month"], ""],
                 ["**budget of the 500x target**: reference / 500, for every phase together",
                  f["budget"]["ns_per_person_month"], "100 %"]]
    rows.append(["the monthly person rules alone (floor loop)", f["rules_ns_per_person_month"],
                 f"{100 * f['rules_share_of_budget']:.0f} %" if "rules_share_of_budget" in f else "-"])
    share = (lambda x: f"{100 * x / f['budget']['ns_per_person_month']:.0f} %") if "budget" in f else (lambda x: "-")
    if "engine_ns_per_person_month" in f:
        rows += [["fast engine: people_month (section 7)", f["people_month_ns_per_person_month"],
                  share(f["people_month_ns_per_person_month"])],
                 ["fast engine: whole simulation (section 1)", f["engine_ns_per_person_month"],
                  share(f["engine_ns_per_person_month"])]]
    lines += _table(["per person-month", "ns", "share of the 500x budget"], rows)
    lines.append("The floor loop does less than the engine's monthly pass must (no newborns, no records, no tracking "
                 "list, no city means), and nothing of the household budgets, the census or the daily phases.")
    if "rules_share_of_budget" in f:
        x = f["rules_share_of_budget"]
        verdict = ("more than the whole budget" if x >= 1 else "more than half of the budget" if x >= 0.5
                   else f"{100 * x:.0f} % of the budget")
        lines[-1] += (f" Here it alone needs {verdict}: rewriting the same rules in the same form cannot reach 500x"
                      if x >= 0.5 else f" Here it alone needs {verdict}.")
        if x >= 0.5:
            lines[-1] += (". What could is a change of the rules themselves, so that a person-month needs fewer "
                          "draws and logistic functions (for example discontent and intentions kept per household, "
                          "or updated less often than monthly, and deaths and births drawn as event times once): "
                          "that changes the model, every random stream and every calibrated value, and must be "
                          "docked again against the reference.")
    lines.append("")
    return lines


def _logistic(g: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    failed = _failed(g)
    if failed:
        return failed
    saved = g["libm_ns"] - g["fastexp_ns"]
    lines = ["`nkborder.core.fastexp` inlines the C library's `exp` (glibc's algorithm with its fused multiply-adds) "
             "into the kernels; the monthly person pass calls the logistic function twice per resident (discontent "
             "and intention). CPU time per call, minimum of "
             f"{g['repeats']} passes over {g['n']:,} arguments (`benchmarks/child.py`, job `logistic`):", ""]
    lines += _table(["logistic function with", "CPU ns per call", "note"], [
        ["the inlined exp (`fastexp.logistic`)", g["fastexp_ns"], "what the model runs"],
        ["the C library's exp (`math.exp` in a kernel)", g["libm_ns"],
         "same doubles: " + ("yes" if g["identical"] else "no")],
        ["saved per resident-month (two calls)", 2 * saved, ""],
    ])
    engine = floor.get("engine_ns_per_person_month")
    if engine:
        lines.append(f"Two calls per resident-month save {2 * saved:.1f} ns of the engine's {engine:.0f} ns per "
                     f"person-month (section 9): {2 * saved / engine:.1%} of the run's CPU time. "
                     "`tests/test_fastexp.py` checks the doubles against `np.exp` in a kernel.")
        lines.append("")
    return lines


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts as ``outer.inner`` rows; lists as comma-separated text."""
    rows: list[tuple[str, Any]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, name + ".")
        elif isinstance(value, list | tuple):
            rows.append((name, ", ".join(_f(v) for v in value)))
        else:
            rows.append((name, value))
    return rows


def _method(results: dict[str, Any]) -> list[str]:
    return [
        "- Every measurement runs in its own child process (`python -m benchmarks.child JOB SPEC`), one after "
        "another, so peak memory belongs to one run and the numba cache can be made cold. Children run at the "
        "repository root with it first on `PYTHONPATH`.",
        "- Wall times are `time.perf_counter`; CPU times are `time.process_time` of the child (the kernels are "
        "single-threaded). The machine is shared: the load average at start and end is in the machine table, "
        "and CPU time is the number less disturbed by other processes.",
        "- ns per agent-day = simulation seconds x 1e9 / agent-days, with agent-days = people in the model who "
        "are not dead (resident, in China, in South Korea, detained) summed over the days (the stock columns of "
        "the daily records); initial population x days is given as well.",
        "- The raw results are embedded as JSON in an HTML comment at the end of this file; "
        "`python -m benchmarks --render-only` rewrites the Markdown from them without measuring again.",
        "- Seed 1 everywhere. The default numba cache is warmed by a tiny run first (section 2 uses its own "
        "fresh cache directory).",
        f"- The whole benchmark took {_f(results.get('total_s'))} s.",
        "",
    ]


JSON_OPEN, JSON_CLOSE = "<!-- benchmark-results-json", "-->"


def embedded_results(text: str) -> dict[str, Any]:
    """The raw results embedded at the end of a BENCHMARKS.md written by :func:`render`."""
    start = text.index(JSON_OPEN) + len(JSON_OPEN)
    return json.loads(text[start:text.index(JSON_CLOSE, start)])


def render(results: dict[str, Any]) -> str:
    """The Markdown text of BENCHMARKS.md."""
    cfg = results["config"]
    engine = results.get("engine", {})
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{results['command']}` (mode **{cfg['mode']}**; `make bench` runs `python -m benchmarks`, "
        "`python -m benchmarks --quick` a reduced size). Do not edit by hand: re-run the command.",
        "",
        "## Machine", "",
        *_machine(results["machine"]),
        "## Targets", "",
        *_table(["target", "measured", "status", "note"],
                [[t["target"], t["measured"], t["status"], t["note"]] for t in results.get("targets", [])]),
        f"## 1. Fast engine: full history (scale {cfg['main_scale']})", "",
        *_engine(engine),
        "## 2. Compile time: cold vs warm numba cache", "",
        *_compile(results.get("compile", {})),
        *_daily_compile(results.get("daily_compile", {"status": "not measured", "error": "not part of this run"})),
        *_threads(),
        "## 3. Mesa reference vs fast engine", "",
        *_reference(results.get("reference", {}), engine),
        "## 4. Peak memory", "",
        *_memory(engine, results.get("scaling", {})),
        "## 5. Scaling with population", "",
        *_scaling(results.get("scaling", {})),
        "## 6. Cost of recording daily indicators", "",
        *_recording(engine),
        "## 7. Where the time goes", "",
        *_phases(engine, results.get("scaling", {})),
        "## 8. Experiments", "",
        *_experiments(results.get("experiments", {})),
        "## 9. What 500x would take", "",
        *_floor(results.get("floor", {"status": "not measured", "error": "not part of this run"})),
        "## 10. The inlined exp of the logistic function", "",
        *_logistic(results.get("logistic", {"status": "not measured", "error": "not part of this run"}),
                   results.get("floor", {})),
        "## 11. Calibration: CPU time per simulation", "",
        *calibration_section(results.get("calibration", {"status": "not measured", "error": "not part of this run"})),
        *calibration_parts_section(results.get("calibration_parts", {})),
        *proposals_section(results.get("proposals", {})),
        *hour_section(results.get("hour", {})),
        *before_after_section(results.get("before_after", {})),
        *_layers(results.get("layers", {})),
        *refactor_section(results.get("refactor", {})),
        "## How it was measured", "",
        *_method(results),
    ]
    # ">" only occurs inside JSON strings, so escaping it keeps "-->" out of the comment and loads back unchanged
    raw = json.dumps(results, default=str, separators=(",", ":")).replace(">", "\\u003e")
    return "\n".join(lines).rstrip() + f"\n\n{JSON_OPEN}\n{raw}\n{JSON_CLOSE}\n"


def write_markdown(results: dict[str, Any], path: str | Path) -> Path:
    """Write BENCHMARKS.md (or ``path``) and return its path."""
    path = Path(path)
    path.write_text(render(results), encoding="utf-8")
    return path


def _layers(res: dict) -> list[str]:
    """The compile and full history against the commit before the layers (``--update layers``)."""
    if res.get("status") != "ok":
        return []
    return [f"The compile and the full history against `{LAYERS_COMMIT}`, the commit before the package was "
            "arranged in layers (`core` <- `model` <- `engine` <- `api`): the rules added since then run in the "
            "later tree too, so its history is not the same model.", "",
            *before_after_section(res, "python -m benchmarks --update layers")]
