"""The pattern catalogue: criteria on synthetic numbers, measures on synthetic yearly tables, the catalogue's
quotes against its sources, and the ``patterns`` command end to end on a small ensemble.

The model is not asked to pass the patterns here: the full table is measured by ``python -m benchmarks
--patterns`` and shown in docs/patterns.md.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nkborder.observation.measures import (
    Average,
    Change,
    Context,
    Level,
    National,
    Quotient,
    Total,
)
from nkborder.observation.sums import city_sums, nan_zero_sum
from nkborder.validation import CATALOGUE, COLUMNS, EXPECTED_INDICATORS, evaluate
from nkborder.validation.criteria import AtLeast, AtMost, Between, WithinFactor
from nkborder.validation.patterns import LEVELS, Pattern, Source, catalogue

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = ROOT / "nkborder" / "data"
SHARED = ROOT.parent / "shared"


# --------------------------------------------------------------------------------------------- criteria


@pytest.mark.parametrize(("criterion", "passing", "failing"), [
    (AtLeast(1000.0), [1000.0, 2500.0, math.inf], [999.9, 0.0]),
    (AtMost(0.5), [0.5, 0.1, 0.0], [0.51, 3.0, math.inf]),
    (Between(0.25, 0.45), [0.25, 0.3, 0.45], [0.249, 0.46]),
    (WithinFactor(500.0, 2.0), [250.0, 500.0, 1000.0], [249.0, 1001.0]),
])  # fmt: skip
def test_each_criterion_passes_inside_and_fails_outside_and_on_nan(criterion, passing, failing) -> None:
    assert all(criterion.check(v) for v in passing)
    assert not any(criterion.check(v) for v in failing)
    assert not criterion.check(math.nan)


def test_criterion_texts_state_the_bounds() -> None:
    assert AtLeast(1000.0).text == ">= 1,000"
    assert AtMost(0.5).text == "<= 0.5"
    assert Between(0.25, 0.45).text == "in [0.25, 0.45]"
    assert WithinFactor(12500.0, 3.16).text == "within x3.16 of 12,500 [3,956, 39,500]"


def test_malformed_criteria_are_refused() -> None:
    with pytest.raises(ValueError):
        Between(2.0, 1.0)
    with pytest.raises(ValueError):
        WithinFactor(500.0, 1.0)
    with pytest.raises(ValueError):
        WithinFactor(0.0, 2.0)


# --------------------------------------------------------------------------------------------- measures


def _yearly(years=range(2000, 2006), **columns) -> pd.DataFrame:
    """A synthetic yearly table, two cities; each column is a function (year, city) -> value."""
    rows = [{"year": y, "city": c, **{k: f(y, c) for k, f in columns.items()}}
            for y in years for c in ("Hoeryong", "Hyesan")]
    return pd.DataFrame(rows)


CTX = Context({"Hoeryong": 0.04, "Hyesan": 0.06}, 2.0)


def test_total_average_and_levels_over_a_period() -> None:
    run = _yearly(x=lambda y, c: (y - 2000) * (1 if c == "Hoeryong" else 3))
    assert Level(Total("x"), 2001, 2002).value(run, CTX) == pytest.approx((4 + 8) / 2)
    assert Level(Total("x", ("Hyesan",)), 2001, 2003, "max").value(run, CTX) == pytest.approx(9)
    assert Level(Total("x"), 2001, 2003, "min").value(run, CTX) == pytest.approx(4)
    assert Level(Average("x"), 2002, 2002).value(run, CTX) == pytest.approx(4)
    assert math.isnan(Level(Total("x"), 2004, 2007).value(run, CTX)), "a period the run does not cover"
    assert math.isnan(Level(Total("x", ("Chongjin",)), 2001, 2002).value(run, CTX)), "a city the run lacks"


def test_quotient_pools_the_period_and_its_max_is_over_years() -> None:
    run = _yearly(num=lambda y, c: 1.0 if y == 2001 else 10.0, den=lambda y, c: 1.0 if y == 2001 else 100.0)
    # yearly quotients: 1.0 in 2001, 0.1 in 2002; pooled over both years: 22 / 202
    assert Level(Quotient("num", "den"), 2001, 2002).value(run, CTX) == pytest.approx(22 / 202)
    assert Level(Quotient("num", "den"), 2001, 2002, "max").value(run, CTX) == pytest.approx(1.0)
    assert Level(Quotient("num", "den", per=1000.0), 2002, 2002).value(run, CTX) == pytest.approx(100.0)
    empty = _yearly(num=lambda y, c: 0.0, den=lambda y, c: 0.0)
    assert math.isnan(Level(Quotient("num", "den"), 2001, 2002).value(empty, CTX))


def test_national_equivalent_divides_by_the_weights_and_the_factor() -> None:
    run = _yearly(n=lambda y, c: 100.0)
    assert Level(National("n"), 2001, 2001).value(run, CTX) == pytest.approx(200.0 / (2.0 * 0.10))


def test_change_is_after_over_before_with_zero_cases() -> None:
    run = _yearly(x=lambda y, c: {2000: 0.0, 2001: 0.0, 2002: 4.0, 2003: 2.0}.get(y, 1.0))
    assert Change(Level(Total("x"), 2003, 2003), Level(Total("x"), 2002, 2002)).value(run, CTX) == pytest.approx(0.5)
    assert Change(Level(Total("x"), 2002, 2002), Level(Total("x"), 2000, 2000)).value(run, CTX) == math.inf
    assert Change(Level(Total("x"), 2001, 2001), Level(Total("x"), 2000, 2000)).value(run, CTX) == 1.0


def _hard_table() -> pd.DataFrame:
    """Three cities x 12 years in shuffled row order; counts from 1e-3 to 1e16 (where compensated and plain sums
    differ), the last two years not filled yet (NaN), an infinite value."""
    cities, years = ("Hoeryong", "Hyesan", "Musan"), np.arange(1999, 2011)
    rng = np.random.default_rng(4)
    columns = {"year": np.repeat(years, 3), "city": np.array(list(cities) * len(years))}
    for name in ("a", "b", "c"):
        columns[name] = 10.0 ** rng.uniform(-3, 16, 3 * len(years))
        columns[name][-6:] = np.nan
    columns["a"][:3] = [1e16, 1.0, 1.0]  # a plain sum gives 1e16, pandas' compensated sum 1e16 + 2
    columns["c"][7] = math.inf
    return pd.DataFrame(columns).sample(frac=1.0, random_state=2).reset_index(drop=True)


@pytest.mark.parametrize("cities", [None, ("Hyesan", "Musan"), ("Musan",), ("Pyongyang",)])
def test_city_sums_equal_pandas_grouped_sum_mean_and_count_to_the_bit(cities) -> None:
    frame = _hard_table()
    chosen = frame if cities is None else frame[frame["city"].isin(cities)]
    for column in ("a", "b", "c"):
        grouped = chosen.groupby("year")[column]
        years, sums, count = city_sums(frame, column, cities)
        np.testing.assert_array_equal(years, grouped.sum().index.to_numpy())
        np.testing.assert_array_equal(sums, grouped.sum().to_numpy())
        np.testing.assert_array_equal(count, grouped.count().to_numpy())
        np.testing.assert_array_equal(Average.combine(sums, count), grouped.mean().to_numpy())
    if cities is None:  # 1e16, 1, 1 in row order: compensated
        assert city_sums(frame.sort_values(["year", "city"]), "a")[1][0] == 1e16 + 2


def test_nan_zero_sum_equals_pandas_series_sum_to_the_bit() -> None:
    values = 10.0 ** np.random.default_rng(1).uniform(-3, 16, 500)
    values[::7] = np.nan
    for n in (0, 3, 9, 200, 500):  # NumPy's pairwise sum differs from a running sum above 8 values
        assert nan_zero_sum(values[:n]) == pd.Series(values[:n]).sum()


def test_measures_read_the_same_from_a_dataframe_and_from_its_column_arrays() -> None:
    """Every indicator, period (inside, at the edges of and outside the table) and statistic gives the same
    value, to the bit, from the DataFrame and from a dict of its columns (how a calibration run reads itself)."""
    frame = _hard_table()
    arrays = {name: frame[name].to_numpy() for name in frame.columns}
    ctx = Context({"Hoeryong": 0.1, "Hyesan": 0.07, "Musan": 0.05}, 2.3)
    indicators = [National("a"), Total("b", ("Hyesan",)), Average("c"), Quotient("a", "b"),
                  Quotient("b", "c", ("Hyesan", "Musan"), 1000.0), Quotient("a", "b", ("Pyongyang",))]
    spans = [(1999, 1999), (2000, 2004), (1999, 2010), (2009, 2010), (1998, 2001), (2010, 2011)]
    compared = 0
    for indicator, (first, last), how in itertools.product(indicators, spans, ("mean", "max")):
        level = Level(indicator, first, last, how)
        expected, got = level.value(frame, ctx), level.value(arrays, ctx)
        assert (math.isnan(expected) and math.isnan(got)) or got == expected, (level.text, got, expected)
        compared += math.isfinite(expected)
    assert compared >= 30


# ------------------------------------------------------------------------------------------- evaluation


def _pattern(pid: str, measure, criterion, min_scale: float = 0.01) -> Pattern:
    return Pattern(pid, "city", "synthetic", (Source("test", "data/none.csv", "x"),), measure, criterion, "test",
                   min_scale)


def test_evaluate_judges_the_median_reports_missing_indicators_and_small_scales() -> None:
    runs = pd.concat([_yearly(x=lambda y, c, v=v: v).assign(run_id=f"r{v}") for v in (1.0, 2.0, 10.0)])
    patterns = (
        _pattern("median-passes", Level(Average("x"), 2001, 2001), AtMost(2.0)),  # p95 above 2: still a pass
        _pattern("median-fails", Level(Average("x"), 2001, 2001), AtLeast(3.0)),  # p95 above 3: still a fail
        _pattern("missing", Level(Average("not_a_column"), 2001, 2001), AtLeast(0.0)),
        _pattern("too-small", Level(Average("x"), 2001, 2001), AtLeast(0.0), min_scale=0.5),
        _pattern("no-years", Level(Average("x"), 1990, 1991), AtLeast(0.0)),
    )
    t = evaluate(runs, 0.1, CTX, patterns).set_index("pattern")
    assert list(t.reset_index().columns) == list(COLUMNS)
    assert t.loc["median-passes", "median"] == pytest.approx(2.0)
    assert t.loc["median-passes", "p95"] > 2.0
    assert t.loc["median-passes", "passed"] is True and t.loc["median-passes", "status"] == "pass"
    assert t.loc["median-fails", "passed"] is False and t.loc["median-fails", "status"] == "fail"
    assert t.loc["missing", "status"] == "indicator missing" and t.loc["missing", "missing"] == "not_a_column"
    assert t.loc["missing", "passed"] is None
    assert t.loc["too-small", "status"] == "not judged at this scale" and t.loc["too-small", "passed"] is None
    assert t.loc["too-small", "median"] == pytest.approx(2.0)
    assert t.loc["no-years", "status"] == "no data"
    none = evaluate(runs.iloc[0:0], 0.1, CTX, patterns)
    assert (none["status"] == "no data").all(), "without runs nothing is judged, nor called missing"


def test_evaluate_observes_each_run_with_its_own_crossing_point_factor() -> None:
    runs = pd.concat([_yearly(n=lambda y, c: 100.0).assign(run_id=f"r{f}", crossing_point_factor=f)
                      for f in (1.0, 2.0, 4.0)])
    t = evaluate(runs, 0.1, CTX, (_pattern("n", Level(National("n"), 2001, 2001), AtLeast(0.0)),))
    national = [200.0 / (f * 0.10) for f in (1.0, 2.0, 4.0)]
    assert t.loc[0, "median"] == pytest.approx(national[1])
    assert t.loc[0, "p95"] > national[1] > t.loc[0, "p05"] and t.loc[0, "p95"] <= national[0]


# -------------------------------------------------------------------------------------------- catalogue


def test_catalogue_has_at_least_15_patterns_on_every_level_with_unique_ids() -> None:
    ids = [p.id for p in CATALOGUE]
    assert len(ids) >= 15 and len(set(ids)) == len(ids)
    assert {p.level for p in CATALOGUE} == set(LEVELS)
    with pytest.raises(ValueError, match="unknown pattern"):
        catalogue(["no-such-pattern"])
    read = {c for p in CATALOGUE for c in p.indicators}
    assert set(EXPECTED_INDICATORS) <= read, "an expected indicator no pattern reads"


def _source_text(file: str) -> str:
    if file.startswith("data/"):
        return (PACKAGE_DATA / file.removeprefix("data/")).read_text(encoding="utf-8")
    path = SHARED / file
    if not path.is_file():
        pytest.skip(f"the reports are not next to the repository ({path})")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("pattern", CATALOGUE, ids=lambda p: p.id)
def test_every_quote_is_verbatim_in_its_source_file(pattern: Pattern) -> None:
    for source in pattern.sources:
        assert source.quote in _source_text(source.file), f"{pattern.id}: quote not in {source.file}"


def test_docs_catalogue_is_the_one_the_code_generates() -> None:
    from nkborder.validation.markdown import CATALOGUE_MARKS, DOC, catalogue_markdown

    text = DOC.read_text(encoding="utf-8")
    block = text.split(CATALOGUE_MARKS[0], 1)[1].split(CATALOGUE_MARKS[1], 1)[0]
    assert block == "\n" + catalogue_markdown(), "regenerate it: python -m nkborder.validation.markdown"


# ------------------------------------------------------------------------------------ command, end to end


def nkb(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nkborder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "220"})


@pytest.fixture(scope="module")
def small_table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """``nkborder patterns history`` on 2 runs at scale 0.02, with --out and --markdown."""
    cwd = tmp_path_factory.mktemp("patterns")
    (cwd / "doc.md").write_text("# t\n\n<!-- patterns-table:start -->\nold\n<!-- patterns-table:end -->\n\nend\n")
    done = nkb("patterns", "history", "--calibrated", "--reps", "2", "--scale", "0.02", "--workers", "2",
               "--db", "p.duckdb", "--out", "t.csv", "--markdown", "doc.md", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return cwd, done


def test_command_writes_the_table_with_every_pattern_and_the_columns(small_table) -> None:
    cwd, done = small_table
    t = pd.read_csv(cwd / "t.csv")
    assert list(t.columns[:8]) == ["pattern", "level", "source", "criterion", "median", "p05", "p95", "passed"]
    assert list(t["pattern"]) == [p.id for p in CATALOGUE]
    assert "mass-repatriation-2023" in done.stdout
    assert ("indicator missing" in done.stdout) == bool(EXPECTED_INDICATORS)
    judged = t.loc[t["status"].isin(["pass", "fail"])]
    assert len(judged) > 0 and (judged["runs"] == 2).all()
    assert ((judged["p05"] <= judged["median"]) & (judged["median"] <= judged["p95"])).all()
    assert (judged["passed"].astype(str).str.lower() == (judged["status"] == "pass").astype(str).str.lower()).all()
    by_id = {p.id: p for p in CATALOGUE}
    for r in judged.itertuples():
        assert by_id[r.pattern].min_scale <= 0.02
        assert by_id[r.pattern].criterion.check(r.median) == (r.status == "pass")


def test_command_reports_missing_indicators_instead_of_judging(small_table) -> None:
    cwd, _ = small_table
    t = pd.read_csv(cwd / "t.csv")
    missing = t.loc[t["status"] == "indicator missing"]
    assert missing["passed"].isna().all() and missing["median"].isna().all()
    named = {name.strip() for names in missing["missing"] for name in names.split(",")}
    assert named <= set(EXPECTED_INDICATORS), f"columns missing that the model used to produce: {named}"
    assert named == set(EXPECTED_INDICATORS), ("the model now produces "
                                               f"{set(EXPECTED_INDICATORS) - named}: remove it from "
                                               "EXPECTED_INDICATORS and regenerate docs/patterns.md")
    assert (t.loc[t["status"] != "indicator missing", "missing"].isna()).all()


def test_command_leaves_large_scale_patterns_unjudged_at_small_scale(small_table) -> None:
    cwd, _ = small_table
    t = pd.read_csv(cwd / "t.csv").set_index("pattern")
    by_id = {p.id: p for p in CATALOGUE}
    # a pattern with a missing indicator, or without a value in these two small runs (e.g. a share of the
    # arrivals of 2023 when none arrived), is reported as such before its scale is considered
    small = [pid for pid in t.index
             if by_id[pid].min_scale > 0.02 and t.loc[pid, "status"] not in ("indicator missing", "no data")]
    assert small and (t.loc[small, "status"] == "not judged at this scale").all()
    # a value was computed (a change from a level of 0 is inf: hush-money-and-betrayal in small runs)
    assert t.loc[small, "passed"].isna().all() and t.loc[small, "median"].notna().all()


def test_markdown_table_replaces_only_the_marked_block_and_names_the_command(small_table) -> None:
    cwd, _ = small_table
    text = (cwd / "doc.md").read_text()
    assert text.startswith("# t\n") and text.rstrip().endswith("end") and "\nold\n" not in text
    assert "Generated by `nkborder patterns history --calibrated --reps 2 --scale 0.02" in text
    assert text.count("| `") == len(CATALOGUE)


def test_command_resumes_from_stored_runs_and_rejects_bad_input(small_table) -> None:
    cwd, _ = small_table
    again = nkb("patterns", "history", "--calibrated", "--reps", "2", "--scale", "0.02", "--workers", "1",
                "--db", "p.duckdb", "--only", "broker-fee-2006,famine-deaths-1996-1998", cwd=cwd)
    assert again.returncode == 0, again.stderr
    assert "broker-fee-2006" in again.stdout and "mass-repatriation-2023" not in again.stdout
    assert "0 runs computed, 2 already stored" in again.stdout
    bad = nkb("patterns", "history", "--only", "no-such-pattern", cwd=cwd)
    assert bad.returncode == 2 and "--only" in bad.stderr and "unknown pattern" in bad.stderr
    bad = nkb("patterns", "history", "--out", "t.xlsx", cwd=cwd)
    assert bad.returncode == 2 and "--out" in bad.stderr


def test_benchmark_job_rewrites_the_results_block(tmp_path: Path) -> None:
    from benchmarks.patterns import run

    doc = tmp_path / "patterns.md"
    doc.write_text("intro\n<!-- patterns-table:start -->\nold\n<!-- patterns-table:end -->\n"
                   "<!-- patterns-posterior-table:start -->\nold\n<!-- patterns-posterior-table:end -->\n")
    done = run(doc, scale=0.005, reps=1, seed=3, posterior_reps=2)
    text = doc.read_text()
    assert "\nold\n" not in text and "1 runs at scale 0.005, base seed 3" in text
    assert "nkborder patterns history --calibrated --reps 1 --scale 0.005 --seed 3" in text
    medians, posterior = text.split("<!-- patterns-posterior-table:start -->")
    assert "posterior predictive" not in medians and "with the shipped calibration (its medians)" in medians
    assert "nkborder patterns history --posterior --reps 2 --scale 0.005 --seed 3" in posterior
    assert "under the posterior predictive" in posterior and posterior.count("| `") == len(CATALOGUE)
    for key in ("medians", "posterior"):
        assert sum(done[key]["counts"].values()) == len(CATALOGUE) and done[key]["failed_runs"] == 0


def test_posterior_draws_follow_the_seed_and_split_off_the_observation_factor() -> None:
    from nkborder.calibration import load_shipped
    from nkborder.validation.evaluate import posterior_draws

    draws, factors = posterior_draws(5, seed=1)
    again, _ = posterior_draws(5, seed=1)
    assert draws == again and len(draws) == 5 and sorted(factors) == list(range(5))
    post = load_shipped()
    assert all("crossing_point_factor" not in d and set(d) <= set(post.names) for d in draws)
    lo, hi = post.particles["crossing_point_factor"].min(), post.particles["crossing_point_factor"].max()
    assert all(lo <= f <= hi for f in factors.values())


@pytest.fixture()
def candidate_toml(tmp_path: Path) -> Path:
    """A calibrated TOML of one particle: the shipped first particle with other values of ``intent_intercept``
    and the crossing-point factor (written as ``nkborder posterior --toml`` writes one)."""
    from nkborder.calibration import load_shipped
    from nkborder.calibration.posterior import Posterior
    from nkborder.calibration.shipped import write_toml

    shipped = load_shipped()
    one = shipped.particles.iloc[[0]].assign(intent_intercept=-9.5, crossing_point_factor=1.25)
    post = Posterior("candidate", one.reset_index(drop=True), pd.Series([1.0]), shipped.definition)
    return write_toml(tmp_path / "candidate.toml", post, {"command": "nkborder calibrate history"})


def test_a_calibration_file_takes_the_place_of_the_shipped_one(candidate_toml: Path) -> None:
    from nkborder.calibration import calibrated_params
    from nkborder.validation.evaluate import observation_context, posterior_draws

    assert calibrated_params(candidate_toml)["intent_intercept"] == -9.5 != calibrated_params()["intent_intercept"]
    # the factor is the candidate's posterior median (its one particle), not the shipped one
    assert observation_context(True, candidate_toml).crossing_point_factor == 1.25
    assert observation_context(True).crossing_point_factor != 1.25
    draws, factors = posterior_draws(3, seed=2, calibration=candidate_toml)
    assert set(factors.values()) == {1.25} and len({tuple(sorted(d.items())) for d in draws}) == 1


def test_patterns_command_judges_a_calibration_file_and_refuses_a_missing_one(candidate_toml: Path,
                                                                                tmp_path: Path) -> None:
    done = nkb("patterns", "history", "--calibration", str(candidate_toml), "--reps", "1", "--scale", "0.01",
               "--workers", "1", "--db", "c.duckdb", "--only", "broker-fee-2006", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ours = json.loads(done.stdout)
    assert [r["pattern"] for r in ours] == ["broker-fee-2006"] and ours[0]["runs"] == 1
    missing = nkb("patterns", "history", "--calibration", "no-such.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "no-such.toml" in missing.stderr and "not found" in missing.stderr
