"""Smoke test of the benchmark code (``python -m benchmarks``) at a tiny size, so that it cannot rot.

No timing assertions: only that every measurement produces its keys with positive numbers and that the Markdown
writer produces every section. The suite runs in-process here (children replaced by direct calls); one real
child process checks the child protocol.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks import child, report, suite


def _in_process_child(job: str, spec: dict[str, Any], env: dict[str, str] | None = None,
                      timeout: float = 0.0) -> dict[str, Any]:
    out = child.JOBS[job](json.loads(json.dumps(spec)))
    out["maxrss_mib"] = child.maxrss_mib()
    out["process_wall_s"] = 0.0
    return out


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    mp.setattr(suite, "run_child", _in_process_child)
    cfg = suite.Config(**{**suite.asdict(suite.TINY), "reference_end": "1995-04-30"})
    try:
        results = suite.run_all(cfg, "python -m benchmarks --mode tiny")
    finally:
        mp.undo()
    return results


def test_child_protocol_in_a_real_process() -> None:
    out = suite.run_child("tiny", suite.TINY.tiny, timeout=240)
    for key in ("import_s", "first_run_s", "second_run_s", "maxrss_mib", "process_wall_s"):
        assert _positive(out[key]), key


def test_engine_measurement(tiny_results: dict[str, Any]) -> None:
    e = tiny_results["engine"]
    assert e["status"] == "ok", e
    for key in ("setup_s", "sim_s", "sim_cpu_s", "tables_s", "tables_no_daily_s", "tables_daily_s", "run_s",
                "warm_wall_s", "ns_per_agent_day", "ns_per_agent_day_initial", "agent_days_alive",
                "agent_days_initial", "initial_people", "maxrss_run_mib", "maxrss_daily_mib"):
        assert _positive(e[key]), key
    assert set(child.PHASES) <= set(e["phases"])
    assert e["phase_calls"]["run_days"] == 12  # one call per month of 1995
    assert all(v >= 0 for v in e["phases"].values()) and set(e["phases_cpu"]) == set(e["phases"])
    assert e["record"]["stock_writes"] == e["n_days"] * 2 * 5
    assert _positive(e["record"]["stock_s"])
    assert _positive(e["gini_estimate"]["seconds"])


def test_compile_scaling_reference_experiments(tiny_results: dict[str, Any]) -> None:
    comp = tiny_results["compile"]
    assert comp["status"] == "ok", comp
    assert _positive(comp["cold_first_run_s"]) and math.isfinite(comp["compile_s"])
    assert math.isfinite(comp["compile_cpu_s"])
    scal = tiny_results["scaling"]
    assert scal["status"] == "ok", scal
    assert [p["scale"] for p in scal["points"]] == list(suite.TINY.scaling_scales)
    for p in scal["points"]:
        assert _positive(p["sim_s"]) and _positive(p["ns_per_agent_day"]) and _positive(p["agent_days_alive"])
        assert "run_days" in p["phases_cpu"]
    assert math.isfinite(scal["exponent_top"]) and math.isfinite(scal["fit_ns_per_agent_day"])
    ref = tiny_results["reference"]
    if suite.reference_available():
        assert ref["status"] == "ok", ref
        for key in ("ref_s", "fast_run_s", "ref_ns_per_agent_day", "fast_ns_per_agent_day", "speedup"):
            assert _positive(ref[key]), key
    else:
        assert ref["status"] == "not available"
    floor = tiny_results["floor"]
    assert floor["status"] == "ok", floor
    assert floor["months"] == suite.TINY.floor_months and floor["people"] == tiny_results["engine"]["initial_people"]
    for key in ("rules_ns_per_person_month", "engine_ns_per_person_month", "people_month_ns_per_person_month"):
        assert _positive(floor[key]), key
    if suite.reference_available():
        assert floor["budget"]["ns_per_person_month"] == pytest.approx(
            ref["ref_ns_per_agent_day"] / 500 * 30.4375)
        assert floor["rules_share_of_budget"] == pytest.approx(
            floor["rules_ns_per_person_month"] / floor["budget"]["ns_per_person_month"])
    assert tiny_results["experiments"]["status"] == "skipped"  # may take minutes: rendering is tested below
    assert {t["status"] for t in tiny_results["targets"]} <= {"met", "missed", "not measured"}
    # 5 of the speed issue, 2 of the experiments issue, 3 of the layers, 1 of the refactor's steps, 1 of the
    # calibration's hour
    assert len(tiny_results["targets"]) == 12
    assert [t["status"] for t in tiny_results["targets"][-6:]] == ["not measured"] * 6  # layers, refactor, hour


def test_markdown_has_every_section(tiny_results: dict[str, Any], tmp_path: Path) -> None:
    path = report.write_markdown(tiny_results, tmp_path / "BENCHMARKS.md")
    text = path.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "`python -m benchmarks --mode tiny`" in text
    for section in report.SECTIONS:
        assert section in text, section
    assert "AMD" in text or "CPU" in text
    assert "ns per agent-day" in text
    serial = {**tiny_results["compile"], "serial_compile_s": 51.25, "serial_compile_cpu_s": 50.5}
    assert "| one-time compile in one process (s) | 51.25 |" in report.render({**tiny_results, "compile": serial})


def test_markdown_experiments_table_and_missing_parts(tiny_results: dict[str, Any], tmp_path: Path) -> None:
    results = dict(tiny_results)
    results["experiments"] = {"status": "ok", "values": {"ensemble of 4, seconds": 1.5, "workers": 2},
                              "wall_s": 2.0, "quick": True}
    results["reference"] = {"status": "not available", "error": "reference/__init__.py does not exist yet"}
    text = report.render(results)
    assert "| ensemble of 4, seconds | 1.50 |" in text
    results["experiments"]["values"] = {"speedup": {"wall_s": 3.25, "ok": False}, "load": [1.0, 2.0]}
    text = report.render(results)
    assert "| speedup.wall_s | 3.25 |" in text and "| load | 1.00, 2.00 |" in text
    assert "not available" in text
    results["experiments"] = {"status": "not measured yet", "error": "no module"}
    assert "not measured yet" in report.render(results)


def test_floor_loop_applies_the_engines_rules() -> None:
    """The floor loop updates information, discontent and intention as the engine's rules say, skipping the dead."""
    import numpy as np

    from benchmarks.floor import rules_loop
    from nkborder.core.rng import DEATH, stream_key, uniform
    from nkborder.core.state import kernel_params, with_values
    from nkborder.params import Params

    n, seed, month, day = 400, np.uint64(7), 3, 40_000
    rng = np.random.default_rng(0)
    status = np.zeros(n, np.int8)
    status[:50] = 4  # dead rows are skipped
    birth_day = (day - rng.integers(20 * 365, 40 * 365, n)).astype(np.int32)  # all of crossing age, men
    info0, disc0 = rng.random(n).astype(np.float32), rng.random(n).astype(np.float32)
    info, disc, prob = info0.copy(), disc0.copy(), np.zeros(n, np.float32)
    kp = with_values(
        kernel_params(Params()),
        info_decay=0.5, discontent_rate=0.2, discontent_intercept=-1.0, discontent_info=2.0, discontent_hardship=1.0,
        intent_intercept=-3.0, intent_hardship=0.0, intent_discontent=1.0, intent_info=0.0, intent_kin=0.0,
        intent_female=0.0, intent_risk=0.0)
    rules_loop(month, day, seed, status, np.zeros(n, np.int8), np.arange(n, dtype=np.int32), birth_day,
               np.zeros(n, np.uint8), np.zeros(n, np.float32), info, disc, prob, np.full(n, 0.8), np.zeros(n),
               np.zeros(n, np.float32), np.zeros(n, np.float32), np.array([0.3]), np.zeros(1), 0.0, kp)
    key_d = stream_key(seed, DEATH, month)
    updated = (status == 0) & np.array([uniform(key_d, i) >= 0.3 for i in range(n)])
    assert 200 < updated.sum() < 300  # 350 alive, 30 % die
    logistic = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    x = 0.5 * info0 + 0.5 * 0.8
    d = disc0 + 0.2 * (logistic(-1.0 + 2.0 * x) - disc0)
    assert np.allclose(info[updated], x[updated], atol=1e-6) and np.allclose(disc[updated], d[updated], atol=1e-6)
    assert np.allclose(prob[updated], logistic(-3.0 + d[updated]), atol=1e-6)
    assert np.array_equal(info[~updated], info0[~updated]) and np.all(prob[~updated] == 0)


def test_reference_size_calibration() -> None:
    import datetime as dt
    import time

    def fake_reference(scenario: str, seed: int, scale: float, start: Any = None, end: Any = None) -> None:
        time.sleep(0.005 + 2.0 * scale)  # 5 ms fixed + 2 s per unit of scale

    spec = {"scenario": "hoeryong-2007", "seed": 1, "target_s": 0.05, "min_scale": 0.002, "pilot_scale": 0.01,
            "max_scale": 1.0}
    scale, n_days, pilots = child._calibrate(spec, fake_reference, dt.date(1995, 1, 1), 365)
    assert 0.012 < scale < 0.03 and n_days == 365 and len(pilots) == 2
    scale, n_days, _ = child._calibrate({**spec, "target_s": 0.004}, fake_reference, dt.date(1995, 1, 1), 365)
    assert scale == 0.002 and 31 <= n_days < 365  # even the smallest size is too slow: shorter period


def test_render_only_round_trip(tiny_results: dict[str, Any], tmp_path: Path) -> None:
    from benchmarks.__main__ import main

    results = {**tiny_results, "command": "python -m benchmarks --quick -->"}
    path = report.write_markdown(results, tmp_path / "BENCHMARKS.md")
    loaded = report.embedded_results(path.read_text())
    assert loaded["command"] == results["command"]
    assert loaded["engine"]["agent_days_alive"] == results["engine"]["agent_days_alive"]
    assert main(["--render-only", "--output", str(path)]) == 0
    assert report.embedded_results(path.read_text())["command"] == results["command"]


def test_update_measures_one_part_again_and_keeps_the_others(tiny_results: dict[str, Any], tmp_path: Path) -> None:
    from benchmarks.__main__ import main

    results = {k: v for k, v in tiny_results.items() if k != "logistic"}
    path = report.write_markdown(results, tmp_path / "BENCHMARKS.md")
    assert "## 10. The inlined exp of the logistic function\n\n**not measured**" in path.read_text()
    assert main(["--update", "logistic", "--output", str(path)]) == 0
    loaded = report.embedded_results(path.read_text())
    assert loaded["engine"] == json.loads(json.dumps(results["engine"], default=str))
    assert loaded["logistic"]["identical"] is True
    assert 0 < loaded["logistic"]["fastexp_ns"] < 1000 and 0 < loaded["logistic"]["libm_ns"] < 1000
    assert "the inlined exp (`fastexp.logistic`)" in path.read_text()


def test_experiment_targets_are_judged_on_the_median_speedup() -> None:
    rows: list[dict[str, Any]] = []

    def row(target: str, measured: str, ok: bool | None, note: str = "") -> None:
        rows.append({"target": target, "measured": measured, "ok": ok})

    exp = {"status": "ok", "values": {
        "speedup": {"speedup": 1.85, "speedups": [1.7, 1.85, 1.9], "ok": True, "runs": 4, "scale": 0.5},
        "overhead": {"overhead_share": 0.062, "cpu_overhead_share": 0.031, "ok": False, "run_s": 5.0, "scale": 0.5},
    }}
    suite._experiment_targets(exp, True, "", row)
    assert rows[0]["measured"] == "1.85x (median of 1.70, 1.85, 1.90)" and rows[0]["ok"] is True
    assert rows[1]["measured"].startswith("6.2 % of wall time") and rows[1]["ok"] is False
    rows.clear()
    suite._experiment_targets(exp, False, "; quick mode", row)  # reduced sizes are not judged
    assert [r["ok"] for r in rows] == [None, None]


def test_layers_targets_judge_the_median_run_and_the_median_ratio_of_pairs() -> None:
    rows: list[dict[str, Any]] = []

    def row(target: str, measured: str, ok: bool | None, note: str = "") -> None:
        rows.append({"target": target, "measured": measured, "ok": ok})

    layers = {"status": "ok", "repeats": 3, "runs": {
        "history": {"before": [8.0, 9.0, 10.0], "after": [9.5, 10.5, 9.0]},  # ratios 1.19, 1.17, 0.90
        "compile": {"before": [30.0, 28.0, None], "after": [27.0, 29.0, 20.0]},  # ratios 0.90, 1.04 (one missing)
    }}
    suite._layers_targets(layers, row)
    assert rows[0]["measured"].startswith("9.5 s CPU (median of 9.5, 10.5, 9.0)") and rows[0]["ok"] is True
    assert rows[1]["measured"].startswith("1.17x") and rows[1]["ok"] is False
    assert rows[2]["measured"].startswith("0.97x") and rows[2]["ok"] is True
    assert len(rows) == 3
    rows.clear()
    suite._layers_targets({"status": "error", "error": "no git"}, row)
    assert [r["ok"] for r in rows] == [None, None, None]


def test_layers_targets_judge_the_history_on_wall_time_and_the_compile_on_cpu_time() -> None:
    rows: list[dict[str, Any]] = []

    def row(target: str, measured: str, ok: bool | None, note: str = "") -> None:
        rows.append({"target": target, "measured": measured, "ok": ok, "note": note})

    layers = {"status": "ok", "repeats": 2, "runs": {
        "history": {"before": [10.0, 10.0], "after": [12.0, 12.0]},  # more CPU on two threads
        "compile": {"before": [30.0, 30.0], "after": [27.0, 27.0]},
    }, "walls": {"history": {"before": [10.2, 10.2], "after": [8.0, 9.0]}},
        "threads": {"history": {"before": [2, 2], "after": [2, 2]}}}
    suite._layers_targets(layers, row)
    assert rows[0]["measured"] == "8.5 s wall (median of 8.0, 9.0)" and rows[0]["ok"] is True
    assert "CPU 12.0 s" in rows[0]["note"]
    assert rows[1]["measured"].startswith("0.83x") and rows[1]["ok"] is True  # 8.0/10.2, 9.0/10.2
    assert "CPU-time ratio 1.20x" in rows[1]["note"]
    assert rows[2]["measured"].startswith("0.90x") and rows[2]["ok"] is True
    assert rows[2]["note"].startswith("CPU time;")


def test_before_after_needs_a_commit_and_reports_the_median_ratio_of_pairs(monkeypatch) -> None:
    from benchmarks import before_after

    monkeypatch.delenv("NKBORDER_BENCH_BEFORE", raising=False)
    with pytest.raises(ValueError, match="NKBORDER_BENCH_BEFORE"):
        before_after.measure()
    res = {"status": "ok", "before": "aaa", "after": "bbb", "repeats": 3, "load_average": [1.0, 1.0, 1.0],
           "runs": {"calibration": {"before": [2.0, 3.0, 4.0], "after": [1.0, 3.0, 2.0]},
                    "history": {"before": [10.0, 10.0, 10.0], "after": [9.0, 8.0, 7.0]}}}
    text = "\n".join(before_after.section(res))
    assert "| 0.500 |" in text  # pairs 0.5, 1.0, 0.5
    assert "| 0.800 |" in text
    assert "NKBORDER_BENCH_BEFORE=aaa" in text


def test_layers_section_names_its_command_and_skips_jobs_it_did_not_run() -> None:
    from benchmarks import report

    res = {"status": "ok", "before": "3bc5aed", "after": "bbb", "repeats": 2, "load_average": [1.0, 1.0, 1.0],
           "runs": {"compile": {"before": [30.0, 20.0], "after": [15.0, 30.0]},
                    "history": {"before": [10.0, 10.0], "after": [9.0, None]}}}
    text = "\n".join(report._layers(res))
    assert "python -m benchmarks --update layers" in text
    assert "empty numba cache" in text and "| 1.000 |" in text  # pairs 0.5 and 1.5
    assert "| 0.900 |" in text  # the pair with a missing run is left out
    assert "calibration simulation" not in text
    res["walls"] = {"history": {"before": [10.0, 10.0], "after": [6.0, 7.0]}}
    res["threads"] = {"history": {"before": [2, 2], "after": [2, 2]}}
    text = "\n".join(report._layers(res))
    assert "`Simulation.run()`, wall | 10.00, 10.00 | 6.00, 7.00 | 0.650 |" in text
    assert report._layers({"status": "error"}) == []


def test_refactor_steps_are_tabled_and_judged_on_the_product_of_their_median_ratios() -> None:
    from benchmarks import before_after, suite

    def step(before: list[float], after: list[float]) -> dict[str, Any]:
        res = {"before": "aaa", "after": "bbb", "repeats": len(before), "what": "a step",
               "runs": {"history": {"before": before, "after": after}}}
        return {**res, "ratio": before_after.median_ratio(res, "history")}

    res = {"status": "ok", "repeats": 3, "load_average": [1.0, 1.0, 1.0],
           "steps": [step([10.0, 10.0, 10.0], [9.0, 9.5, 12.0]), step([8.0, 8.0, 8.0], [8.8, 8.4, 8.0])]}
    res["product"] = 0.95 * 1.05
    text = "\n".join(before_after.refactor_section(res))
    assert "| `aaa` -> `bbb` | a step | 10.00, 10.00, 10.00 | 9.00, 9.50, 12.00 | 0.950 |" in text
    lo, hi = before_after.product_interval(res["steps"])
    # the first step's pairs give medians 0.9-1.2, the second's 1.0-1.1: the product lies in 0.9-1.32
    assert 0.9 <= lo < 0.997 < hi <= 1.2 * 1.1
    assert "| 1.050 |" in text
    assert f"| all steps | product of the median ratios (90 % interval {lo:.3f}-{hi:.3f}) | | | 0.997 |" in text
    rows: list[tuple] = []
    suite._refactor_target(res, lambda *args: rows.append(args))
    assert rows[0][2] is True and rows[0][1].startswith("0.997x (product of 2 steps: 0.950, 1.050)")
    assert f"product's 90 % interval {lo:.3f}-{hi:.3f} (bootstrap)" in rows[0][3]
    same = {**res, "steps": [step([10.0] * 4, [10.5] * 4)]}
    assert before_after.product_interval(same["steps"]) == pytest.approx((1.05, 1.05))  # no spread, no width
    res["steps"][1] = step([8.0, 8.0, 8.0], [8.8, 8.8, 8.0])
    res["product"] = 0.95 * 1.1
    rows.clear()
    suite._refactor_target(res, lambda *args: rows.append(args))
    assert rows[0][2] is False
    assert before_after.refactor_section({"status": "error"}) == []


def _hour_result(walls: list[float], sims: list[int], start_s: float) -> dict[str, Any]:
    table = [{"generation": g, "epsilon": 1e9 if g == 0 else 2.0 / g, "n_simulations": n, "acceptance_rate": 0.5,
              "wall_seconds": w} for g, (w, n) in enumerate(zip(walls, sims, strict=True))]
    return {"status": "ok", "settings": {"scenario": "history", "until": 2015, "scale": 0.25, "population": 200,
                                         "seed": 1},
            "workers": 2, "budget_s": 3600.0, "wall_s": start_s + sum(walls), "generations": len(walls),
            "simulations": sum(sims), "last_tolerance": table[-1]["epsilon"], "table": table, "kernel": "tempered",
            "load_average": [2.0, 2.0, 2.0]}


def test_hour_target_counts_the_generations_finished_within_the_hour() -> None:
    from benchmarks import calibration

    rows: list[dict[str, Any]] = []

    def row(target: str, measured: str, ok: bool | None, note: str = "") -> None:
        rows.append({"target": target, "measured": measured, "ok": ok, "note": note})

    # the cluster starts in 40 s; generations end at 340, 840, 1840, 3340 and 3940 s: the last is past the hour
    res = _hour_result([300.0, 500.0, 1000.0, 1500.0, 600.0], [200, 400, 800, 1500, 700], 40.0)
    assert calibration.hour_simulations(res) == (2900, 3340.0)
    suite._hour_target(res, row)
    assert rows[-1]["measured"].startswith("2,900 simulations in 3,340 s") and rows[-1]["ok"] is False
    fast = _hour_result([300.0, 500.0, 1000.0, 1500.0], [1000, 1200, 1400, 1500], 40.0)
    suite._hour_target(fast, row)
    assert rows[-1]["measured"].startswith("5,100 simulations") and rows[-1]["ok"] is True
    suite._hour_target({}, row)
    assert rows[-1]["ok"] is None and rows[-1]["measured"] == "-"
    text = "\n".join(calibration.hour_section(res))
    assert "| 0 | - | 200 | - | - | 0.500 | 300 | 1.50 |" in text and "| 4 | 0.5 | 700 |" in text
    assert "the tempered kernel" in text and calibration.hour_stops(res) is None
    for g, (before, later) in zip(res["table"], [(0, 0), (50, 10), (300, 40), (700, 90), (400, 20)], strict=True):
        g.update(n_stopped_before_start=before, n_stopped_after_start=later)
    assert calibration.hour_stops(res) == (1050, 140)  # the four generations within the hour
    suite._hour_target(res, row)
    assert rows[-1]["note"].count("1,050 stopped before their first day and 140 after a simulated year") == 1
    assert "| 1 | 2 | 400 | 50 | 10 | 0.500 |" in "\n".join(calibration.hour_section(res))
    assert calibration.hour_section({}) == []


def test_hour_job_runs_the_shipped_calibrations_choices() -> None:
    """The one-hour job estimates what the shipped calibration estimated, holds fixed what it held fixed and settles
    by its command's rule; BENCHMARKS.md names them."""
    from benchmarks import calibration
    from nkborder.calibration import load_shipped
    from nkborder.calibration.shipped import shipped_command

    shipped = load_shipped()
    choices = calibration.shipped_choices()
    assert sorted(choices["parameters"]) == sorted(shipped.particles.columns)
    assert choices["fixed"] == shipped.definition["fixed"] and choices["fixed"]
    assert f"--min-tolerance-fall {choices['min_fall']:g}" in shipped_command()
    res = {**_hour_result([300.0], [200], 40.0), "choices": {"parameters": ["route_year", "onward_rate"],
                                                              "fixed": {"detect_base": 0.7}, "min_fall": 0.03}}
    text = "\n".join(calibration.hour_section(res))
    assert ("2 estimated parameters (`route_year`, `onward_rate`), `detect_base` = 0.7 held fixed, "
            "settling when the tolerance falls by less than 3%") in text


def test_identifiability_job_calibrates_the_shipped_choices_against_the_shipped_medians(monkeypatch, tmp_path) -> None:
    """The synthetic truth is the shipped medians, and the job estimates, fixes and settles as the shipped
    calibration did (the calibration itself replaced by a recorder: the job runs for hours)."""
    import nkborder.calibration as calibration_pkg
    import nkborder.calibration.synthetic as synthetic
    from benchmarks import calibration
    from nkborder.calibration import load_shipped

    seen: dict[str, Any] = {}

    def recorder(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise RuntimeError("recorded")

    real_targets = synthetic.synthetic_targets

    def targets_at(model: Any, truth: dict[str, float]) -> Any:
        seen["truth"] = truth
        return real_targets(model, truth)

    monkeypatch.setattr(calibration_pkg, "calibrate", recorder)
    monkeypatch.setattr(synthetic, "synthetic_targets", targets_at)
    with pytest.raises(RuntimeError, match="recorded"):
        calibration.identifiability(scale=0.005, population=4, db=tmp_path / "ident.duckdb")
    choices = calibration.shipped_choices()
    assert (seen["parameters"], seen["fixed"], seen["min_fall"]) == (choices["parameters"], choices["fixed"],
                                                                     choices["min_fall"])
    truth_rows = seen["targets"].rows
    assert len(truth_rows) > 20 and (truth_rows["low"] == truth_rows["high"]).all()  # points: one run's values
    assert seen["truth"] == load_shipped().median()  # the estimated values; the fixed ones are in the model
    shipped = load_shipped().definition  # the shipped settings but the scale and particles given
    assert (seen["until"], seen["seed"], seen["scale"], seen["population"]) == (shipped["until"], shipped["seed"],
                                                                                0.005, 4)
    assert calibration.shipped_settings() == {"scenario": "history", "until": shipped["until"],
                                              "scale": shipped["scale"], "population": shipped["population"],
                                              "seed": shipped["seed"]}
