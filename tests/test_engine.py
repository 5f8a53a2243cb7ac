"""The engine: reproducibility, the counter-based RNG, the step plan and the shape of the public tables."""

from __future__ import annotations

import datetime as dt
import types

import numpy as np
import pandas as pd
import polars as pl
import pytest
from numba import njit

from nkborder.api import Result, run
from nkborder.core.prefetch import prefetch
from nkborder.core.rng import ATTEMPT, DETECT, TRIP, seed_key, stream_key, uniform
from nkborder.engine import daily, plan
from nkborder.engine import sim as sim_module
from nkborder.engine.sim import Simulation
from nkborder.scenarios import load_scenario

SCALE = 0.05
PUBLIC = [
    "population", "crossings_attempted", "crossings_succeeded", "arrests_at_border", "in_china",
    "repatriated", "arrivals_south_korea", "detained", "smuggling_volume_cny", "market_turnover_kpw",
    "income_mean_kpw", "income_gini", "remittances_cny", "broker_fee_cny", "broker_commission_share",
    "guard_bribes_cny", "guard_bribes_per_guard_cny", "discontent_mean",
]  # fmt: skip
COUNTS = ["population", "crossings_attempted", "crossings_succeeded", "arrests_at_border", "in_china",
          "repatriated", "arrivals_south_korea", "detained", "births", "deaths", "guard_bribes_cny",
          "remittances_cny", "smuggling_volume_cny", "market_turnover_kpw"]  # fmt: skip


# ------------------------------------------------------------------------------------------ runs
@pytest.fixture(scope="module")
def short() -> Result:
    """Hoeryong 2005-2009 (the purification crackdown), 5% of the population."""
    return run("hoeryong-2007", seed=11, scale=SCALE)


@pytest.fixture(scope="module")
def both_cities() -> Result:
    """Both cities, 2008-2010 (across the redenomination)."""
    return run("history", seed=3, scale=0.02, start="2008-01-01", end="2010-12-31")


# ------------------------------------------------------------------------------------------ reproducibility
def test_same_seed_gives_bit_identical_tables(short: Result) -> None:
    again = run("hoeryong-2007", seed=11, scale=SCALE)
    for freq in ("yearly", "monthly", "daily"):
        pd.testing.assert_frame_equal(short.table(freq), again.table(freq), check_exact=True)
    assert len(short.daily) == (pd.Timestamp("2009-12-31") - pd.Timestamp("2005-01-01")).days + 1


def test_different_seed_gives_different_results(short: Result) -> None:
    other = run("hoeryong-2007", seed=12, scale=SCALE)
    assert not short.daily.equals(other.daily)
    cols = ["crossings_attempted", "smuggling_trips", "deaths", "births"]
    assert not np.array_equal(short.yearly[cols].to_numpy(), other.yearly[cols].to_numpy())
    # the posted conditions are the environment, not draws: they do not depend on the seed
    np.testing.assert_array_equal(short.daily["broker_fee_posted_cny"], other.daily["broker_fee_posted_cny"])


def test_simulation_state_is_reproducible() -> None:
    from nkborder.api import resolve

    sims = []
    for _ in range(2):
        sim = Simulation(*resolve("hoeryong-2007", end="2006-06-30"), seed=5, scale=0.02)
        sim.run()
        sims.append(sim)
    a, b = sims
    for name in a.pop.people._fields:
        np.testing.assert_array_equal(getattr(a.pop.people, name), getattr(b.pop.people, name), err_msg=name)
    np.testing.assert_array_equal(a.pop.households.kpw, b.pop.households.kpw)
    np.testing.assert_array_equal(a.pop.guards.earnings_cny, b.pop.guards.earnings_cny)


def test_a_run_without_summaries_is_the_same_run_without_gini_and_districts() -> None:
    """``summaries=False`` (what a calibration runs) changes no number a rule computes: the daily records, the
    monthly ones but the income Gini, and the people are those of the run with them; it has no tables."""
    from nkborder.api import resolve
    from nkborder.core import slots as S

    sims = {}
    for summaries in (True, False):
        sim = Simulation(*resolve("history", end="2001-06-30"), seed=3, scale=0.01, summaries=summaries)
        for _ in sim.steps():
            pass
        sims[summaries] = sim
    full, lean = sims[True], sims[False]
    np.testing.assert_array_equal(full.daily, lean.daily)
    np.testing.assert_array_equal(full.sectors, lean.sectors)
    gini = S.MONTHLY_NAMES.index("income_gini")
    others = [i for i in range(S.N_MONTHLY) if i != gini]
    np.testing.assert_array_equal(full.monthly[:, :, others], lean.monthly[:, :, others])
    assert np.isfinite(full.monthly[:, :, gini]).any() and np.isnan(lean.monthly[:, :, gini]).all()
    for name in full.pop.people._fields:
        np.testing.assert_array_equal(getattr(full.pop.people, name), getattr(lean.pop.people, name), err_msg=name)
    assert sorted(full.district_years) == list(range(1995, 2002)) and not lean.district_years
    assert full.raw().yearly_gini and not lean.yearly_gini
    with pytest.raises(RuntimeError, match="summaries"):
        lean.raw()


# ------------------------------------------------------------------------------------------ RNG
@njit
def _draws(seed: np.uint64, stream: int, period: int, n: int, offset: int) -> np.ndarray:
    """Draws for agents offset .. offset + n - 1, exactly as the kernels make them (a uint64 run key)."""
    key = stream_key(seed, stream, period)
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform(key, i + offset)
    return out


@njit
def _draws_reversed(seed: np.uint64, stream: int, period: int, n: int) -> np.ndarray:
    key = stream_key(seed, stream, period)
    out = np.empty(n)
    for i in range(n - 1, -1, -1):
        out[i] = uniform(key, i)
    return out


N_DRAWS = 100_000


@pytest.mark.parametrize("seed", [0, 1, 2, 123456789])
def test_uniform_in_unit_interval_with_right_moments(seed: int) -> None:
    x = _draws(seed_key(seed), ATTEMPT, 17, N_DRAWS, 0)
    assert x.min() >= 0.0 and x.max() < 1.0
    # standard error of the mean of 1e5 uniforms is 0.29 / 316 = 0.0009; of the variance 0.00024
    assert abs(x.mean() - 0.5) < 0.005
    assert abs(x.var() - 1.0 / 12.0) < 0.002
    # no empty tenths either (each holds 10% +- 0.1%)
    counts = np.histogram(x, bins=10, range=(0.0, 1.0))[0]
    assert np.all(np.abs(counts / N_DRAWS - 0.1) < 0.005)


def test_uniform_depends_only_on_its_inputs() -> None:
    k = seed_key(42)
    a = _draws(k, DETECT, 100, 1000, 0)
    np.testing.assert_array_equal(a, _draws(k, DETECT, 100, 1000, 0))
    np.testing.assert_array_equal(a, _draws_reversed(k, DETECT, 100, 1000))  # order of the loop is irrelevant
    np.testing.assert_array_equal(a[500:], _draws(k, DETECT, 100, 500, 500))  # and so is where it starts
    # each input matters
    for other in (_draws(seed_key(43), DETECT, 100, 1000, 0), _draws(k, DETECT + 1, 100, 1000, 0),
                  _draws(k, DETECT, 101, 1000, 0), _draws(k, DETECT, 100, 1000, 1)):
        assert np.mean(a == other) < 0.01
    assert seed_key(42) == seed_key(42) and seed_key(42) != seed_key(43)


@pytest.mark.parametrize(
    ("stream_a", "period_a", "stream_b", "period_b", "shift"),
    [(DETECT, 5, TRIP, 5, 0), (DETECT, 5, DETECT, 6, 0), (ATTEMPT, 0, ATTEMPT, 0, 1),
     (ATTEMPT, 3, DETECT, 4, 0)],
)
def test_different_streams_are_uncorrelated(stream_a: int, period_a: int, stream_b: int, period_b: int,
                                            shift: int) -> None:
    k = seed_key(7)
    a = _draws(k, stream_a, period_a, N_DRAWS, 0)
    b = _draws(k, stream_b, period_b, N_DRAWS, shift)
    # |corr| of independent samples of 1e5 has a standard deviation of 0.0032
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01


def test_uniform_called_from_python_is_uniform_on_unit_interval() -> None:
    for seed in (0, 1, 2, 3):
        key = stream_key(seed_key(seed), ATTEMPT, 17)
        x = np.array([uniform(key, i) for i in range(20_000)])
        assert x.min() >= 0.0 and x.max() < 1.0
        assert abs(x.mean() - 0.5) < 0.01
        assert x.max() > 0.9


@njit
def _sum_with_prefetch(values: np.ndarray, order: np.ndarray, ahead: int) -> float:
    total = 0.0
    for k in range(order.shape[0]):
        prefetch(values, order[min(k + ahead, order.shape[0] - 1)])
        total += values[order[k]]
    return total


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int8])
def test_prefetch_is_only_a_hint(dtype: type) -> None:
    rng = np.random.default_rng(5)
    values = (rng.random(10_000) * 100).astype(dtype)
    order = rng.integers(0, len(values), 5_000)
    assert _sum_with_prefetch(values, order, 16) == _sum_with_prefetch(values, order, 0)
    assert _sum_with_prefetch(values, order, 16) == pytest.approx(float(values[order].astype(np.float64).sum()))


# ------------------------------------------------------------------------------------------ step plan
def test_the_daily_loop_calls_the_daily_steps_in_plan_order(monkeypatch: pytest.MonkeyPatch) -> None:
    n = len(plan.PLAN.daily)
    calls: list[tuple[int, int]] = []
    recorders = tuple((lambda d, today, k=k: calls.append((d, k))) for k in range(n))
    compiled = daily.run_steps.py_func.__globals__  # the compiled loop's own calls, in order
    assert tuple(compiled[f"step_{k}"] for k in range(n)) == tuple(step.kernel for step in plan.PLAN.daily)
    monkeypatch.setattr(daily, "run_steps", plan.chained(recorders, jit=lambda f: f))
    today = types.SimpleNamespace(counters=np.array([0, 7], np.int64))
    assert daily.run_days.py_func(3, 5, today) == 7
    assert calls == [(d, k) for d in (3, 4) for k in range(n)]


def test_a_month_runs_the_monthly_steps_in_plan_order_then_its_days(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def recording(step: plan.Step) -> plan.Step:
        def kernel(sim: Simulation, month: object) -> None:
            calls.append(step.kernel.__name__)
            step.kernel(sim, month)

        return step._replace(kernel=kernel)

    recorded = plan.PLAN._replace(monthly=tuple(recording(step) for step in plan.PLAN.monthly))
    monkeypatch.setattr(sim_module, "PLAN", recorded)
    real_days = sim_module.run_days
    monkeypatch.setattr(sim_module, "run_days", lambda *args: calls.append("run_days") or real_days(*args))
    sc = load_scenario("hoeryong-2007").with_dates(None, dt.date(1995, 2, 28))
    Simulation(sc, sc.parameters(), seed=1, scale=0.002).run()
    one_month = [step.kernel.__name__ for step in plan.PLAN.monthly] + ["run_days"]
    assert calls == one_month * 2


def test_describe_plan_lists_every_phase_and_kernel() -> None:
    text = plan.describe_plan()
    for phase in plan.phases(plan.PLAN.monthly + plan.PLAN.daily):
        assert f". {phase.name}: {phase.what}" in text
    for step in plan.PLAN.monthly + plan.PLAN.daily:
        assert step.kernel.__name__ in text


# ------------------------------------------------------------------------------------------ tables
def test_yearly_has_one_row_per_year_and_city(both_cities: Result) -> None:
    y = both_cities.yearly
    assert list(y[["year", "city"]].itertuples(index=False, name=None)) == [
        (year, city) for year in (2008, 2009, 2010) for city in ("Hoeryong", "Hyesan")
    ]
    assert not y.duplicated(["year", "city"]).any()
    m = both_cities.monthly
    assert len(m) == 36 * 2 and not m.duplicated(["date", "city"]).any()
    assert len(both_cities.daily) == 2 * ((pd.Timestamp("2010-12-31") - pd.Timestamp("2008-01-01")).days + 1)


def test_public_columns_in_order(both_cities: Result) -> None:
    assert list(both_cities.yearly.columns[:20]) == ["year", "city", *PUBLIC]
    assert list(both_cities.monthly.columns[:20]) == ["date", "city", *PUBLIC]
    assert both_cities.yearly["year"].dtype == np.int64


def test_full_columns_rescale_counts(both_cities: Result) -> None:
    for table in (both_cities.yearly, both_cities.monthly, both_cities.daily):
        for name in COUNTS:
            np.testing.assert_allclose(table[f"{name}_full"], table[name] / 0.02, rtol=1e-12, err_msg=name)
    y = both_cities.yearly
    assert (y["population_full"] > 100_000).all()  # about the census populations


def test_yearly_flows_are_sums_and_stocks_are_last_days(both_cities: Result) -> None:
    d = both_cities.daily.assign(year=both_cities.daily["date"].dt.year)
    y = both_cities.yearly.set_index(["year", "city"])
    for flow in ("crossings_attempted", "crossings_succeeded", "births", "deaths", "guard_bribes_cny"):
        sums = d.groupby(["year", "city"])[flow].sum()
        np.testing.assert_allclose(y[flow], sums.loc[y.index], err_msg=flow)
    last = d.groupby(["year", "city"]).last()
    for stock in ("population", "in_china", "in_south_korea", "detained", "dead"):
        np.testing.assert_array_equal(y[stock], last.loc[y.index, stock])
    ratio = y["guard_bribes_cny"] / y["guards_on_duty_mean"]
    np.testing.assert_allclose(y["guard_bribes_per_guard_cny"], ratio)
    on_duty = d.groupby(["year", "city"])["guards"]
    np.testing.assert_array_equal(y["guards"], on_duty.last().loc[y.index])
    np.testing.assert_allclose(y["guards_on_duty_mean"], on_duty.mean().loc[y.index])


def test_to_polars(both_cities: Result) -> None:
    for freq in ("yearly", "monthly", "daily"):
        frame = both_cities.to_polars(freq)
        assert isinstance(frame, pl.DataFrame)
        assert frame.columns == list(both_cities.table(freq).columns)
        assert frame.height == len(both_cities.table(freq))
    assert both_cities.to_polars()["crossings_succeeded"].to_list() == both_cities.yearly[
        "crossings_succeeded"].tolist()
    with pytest.raises(ValueError, match="freq"):
        both_cities.table("weekly")


def test_polars_true_returns_polars_frames(short: Result) -> None:
    res = run("hoeryong-2007", seed=11, scale=SCALE, polars=True)
    for frame in (res.yearly, res.monthly, res.daily):
        assert isinstance(frame, pl.DataFrame)
    assert res.yearly.columns == list(short.yearly.columns)
    assert res.yearly["crossings_succeeded"].to_list() == short.yearly["crossings_succeeded"].tolist()


def test_daily_false_keeps_columns_but_no_rows(short: Result) -> None:
    res = run("hoeryong-2007", seed=11, scale=SCALE, daily=False)
    assert len(res.daily) == 0
    pd.testing.assert_frame_equal(res.yearly, short.yearly, check_exact=True)


def test_result_records_what_ran() -> None:
    res = run("hoeryong-2007", seed=4, scale=0.02, end="2005-03-31", overrides={"detect_base": 0.6})
    assert res.params.detect_base == 0.6
    assert res.scenario.end.isoformat() == "2005-03-31"
    assert (res.seed, res.scale) == (4, 0.02)
    assert res.yearly["year"].tolist() == [2005]


def test_scale_out_of_range_is_refused() -> None:
    from nkborder.api import resolve

    with pytest.raises(ValueError, match="scale"):
        Simulation(*resolve("hoeryong-2007"), seed=0, scale=0.0)


def test_choose_sector_keeps_home_crossers_on_their_districts_stretch() -> None:
    from nkborder.model.common import choose_sector

    u = (np.arange(10_000) + 0.5) / 10_000
    # 8 districts along 20 sectors: district 3 faces sectors 7 to 9 (3*20//8 = 7 up to 4*20//8 = 10, excl.)
    home = {choose_sector(x, 1.0, 3, 8, 20) for x in u}
    assert home == {7, 8, 9}
    # nobody stays home: every sector of the city, equally often
    anywhere = np.bincount([choose_sector(x, 0.0, 3, 8, 20) for x in u], minlength=20)
    assert anywhere.min() == anywhere.max() == 500
    # more districts than sectors: each district still gets one sector
    assert {choose_sector(x, 1.0, 5, 8, 4) for x in u} == {2}
    # the share: 70% of draws at home
    mixed = np.array([choose_sector(x, 0.7, 3, 8, 20) for x in u])
    assert np.isin(mixed, [7, 8, 9]).mean() == pytest.approx(0.7 + 0.3 * 3 / 20, abs=0.01)


def test_result_has_sector_and_district_tables() -> None:
    res = run("hyesan-2020", seed=1, scale=0.02, daily=False)
    sectors, districts = res.sectors, res.districts
    assert list(sectors.columns[:3]) == ["date", "city", "sector"]
    assert list(districts.columns[:3]) == ["year", "city", "district"]
    # the sectors' monthly flows add up to the city's monthly flows
    by_month = sectors.groupby(["date", "city"])[["crossings_attempted", "smuggling_trips"]].sum()
    monthly = res.monthly.set_index(["date", "city"])[["crossings_attempted", "smuggling_trips"]]
    pd.testing.assert_frame_equal(by_month, monthly.loc[by_month.index], check_dtype=False)
    # districts: one row per year, city and district; residents add up to the city's year-end population
    pop = districts.groupby(["year", "city"])["population"].sum()
    yearly = res.yearly.set_index(["year", "city"])["population"]
    pd.testing.assert_series_equal(pop, yearly.loc[pop.index], check_dtype=False, check_names=False)
    assert districts["district"].nunique() == res.params.districts
