"""The model responds to the state's levers the way its rules say it should.

Stochastic comparisons use the same seeds in both arms (common random numbers) and sum or average over several
seeds at small scale. Each threshold was chosen from the model's equations before looking at the output; the
comment next to it gives the reasoning.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nkborder.api import Result, resolve, run
from nkborder.engine.sim import Simulation
from nkborder.model.policy import build_environment, policy_levers, reference_brokers_risk
from nkborder.scenarios import PolicyEvent, load_scenario

SEEDS = (1, 2, 3)
SCALE = 0.03


@pytest.fixture(scope="module")
def history() -> dict[int, Result]:
    return {seed: run("history", seed=seed, scale=SCALE, daily=False) for seed in SEEDS}


@pytest.fixture(scope="module")
def no_closure() -> dict[int, Result]:
    return {seed: run("no-closure", seed=seed, scale=SCALE, daily=False) for seed in SEEDS}


def by_year(results: dict[int, Result], column: str, city: str | None = None) -> pd.Series:
    """``column`` summed over the cities (or for one city), averaged over seeds, indexed by year."""
    frames = []
    for res in results.values():
        y = res.yearly if city is None else res.yearly[res.yearly.city == city]
        frames.append(y.groupby("year")[column].sum())
    return pd.concat(frames, axis=1).mean(axis=1)


# ------------------------------------------------------------------------------------------ detection
def test_more_detection_means_fewer_successful_crossings() -> None:
    def successes(detect: float) -> float:
        return sum(
            run("history", seed=seed, scale=SCALE, start="1995-01-01", end="2004-12-31",
                overrides={"detect_base": detect}, daily=False).yearly["crossings_succeeded"].sum()
            for seed in SEEDS
        )

    low, high = successes(0.2), successes(0.8)
    assert low > 100  # enough crossings for the comparison to mean something
    # At 0.8 a lone crosser is detected four times as often; only those who can pay a bribe and whom the guard
    # accepts (0.85) pass, and the higher risk index deters attempts. Even if every household could pay, the
    # success rate of a lone crosser falls from >= 0.97 to <= 0.88 and attempts fall; with the famine-era poor
    # most cannot pay, so the fall should be far larger. We ask for at least a quarter fewer successes.
    assert high < 0.75 * low


def test_more_detection_means_more_arrests_at_the_border() -> None:
    def arrest_share(detect: float) -> float:
        ys = [run("hoeryong-2007", seed=seed, scale=0.05, overrides={"detect_base": detect},
                  daily=False).yearly for seed in SEEDS]
        return sum(y.arrests_at_border.sum() for y in ys) / sum(y.crossings_attempted.sum() for y in ys)

    # the share of attempts ending in arrest must rise with the detection probability (strictly, and by a lot:
    # detection itself rises from 0.2 to 0.8, and under the 2007 crackdown paid guards betray half the time)
    assert arrest_share(0.8) > 1.5 * arrest_share(0.2)


def test_lax_border_lowers_detection_before_2000_only() -> None:
    sc, params = resolve("history")
    lax = build_environment(sc, params.model_copy(update={"lax_detect_cut": 0.6}))
    strict = build_environment(sc, params.model_copy(update={"lax_detect_cut": 0.0}))

    def hazard_ratio(day: str) -> np.ndarray:
        d = (dt.date.fromisoformat(day) - sc.start).days
        return np.log1p(-lax.detect_self[d]) / np.log1p(-strict.detect_self[d])

    # lax-border-before-2000 (1995-1999, both cities): hazard x (1 - 0.6); from 2000 on nothing changes
    assert hazard_ratio("1997-06-01") == pytest.approx([0.4, 0.4])
    assert hazard_ratio("1999-12-31") == pytest.approx([0.4, 0.4])
    assert hazard_ratio("2000-01-01") == pytest.approx([1.0, 1.0])


def test_lax_border_lets_more_famine_crossers_through() -> None:
    def successes(cut: float) -> float:
        return sum(
            run("history", seed=seed, scale=SCALE, end="1999-12-31", overrides={"lax_detect_cut": cut},
                daily=False).yearly["crossings_succeeded"].sum()
            for seed in SEEDS
        )

    # cut 0.8 divides the detection hazard by 5: detect_base 0.35 -> 0.08; a lone crosser who cannot pay is
    # caught less than a quarter as often, and the lower risk deters fewer attempts: at least a third more
    # successes
    assert successes(0.8) > 1.33 * successes(0.0)


# ------------------------------------------------------------------------------------------ 2020 closure
def test_closure_cuts_crossings(history: dict[int, Result]) -> None:
    succeeded = by_year(history, "crossings_succeeded")
    before, after = succeeded.loc[2017:2019].mean(), succeeded.loc[2021:2023].mean()
    assert before > 5  # a few dozen a year at 3% scale: enough to see the cut
    # closure stops 90% of brokered routes and triples-plus the detection hazard (closure + buffer + fences),
    # so successful crossings should fall by far more than the 70% asked here
    assert after < 0.3 * before


def test_closure_cuts_crossings_in_hyesan_2020() -> None:
    ys = [run("hyesan-2020", seed=seed, scale=0.05, daily=False).yearly for seed in SEEDS]
    succeeded = pd.concat([y.set_index("year")["crossings_succeeded"] for y in ys], axis=1).mean(axis=1)
    assert succeeded.loc[2021:2023].mean() < 0.3 * succeeded.loc[2017:2019].mean()


def test_no_closure_has_more_arrivals_after_2020(history: dict[int, Result],
                                                 no_closure: dict[int, Result]) -> None:
    hist = by_year(history, "arrivals_south_korea").loc[2020:2025].sum()
    what_if = by_year(no_closure, "arrivals_south_korea").loc[2020:2025].sum()
    # the closure cuts the onward hazard from China by 70% (closure_onward_stop) and almost stops new
    # crossings; without it arrivals should be well over 1.5 times as many (same seeds, so the same people
    # until 2020)
    assert what_if > 1.5 * hist
    # and until 2019 the two are the same run (common random numbers, and no lever differs before 2020 except
    # trade held from mid-2019)
    pd.testing.assert_series_equal(by_year(history, "crossings_succeeded").loc[:2018],
                                   by_year(no_closure, "crossings_succeeded").loc[:2018])


# ------------------------------------------------------------------------------------------ Hoeryong 2007
@pytest.fixture(scope="module")
def purification() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hoeryong's yearly rows in hoeryong-2007 and in no-purification over the same years and seed."""
    hist = run("hoeryong-2007", seed=1, scale=0.02, daily=False).yearly
    nopur = run("no-purification", seed=1, scale=0.02, start="1995-01-01", end="2009-12-31",
                daily=False).yearly  # from 1995 as hoeryong-2007: the posted fee of 2005 still follows the 2004 step
    return hist.set_index("year"), nopur[nopur.city == "Hoeryong"].set_index("year")


def test_crackdown_raises_posted_broker_fees(purification: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    hist, nopur = purification
    fee = hist["broker_fee_posted_cny"]
    # the fee is exp(elasticity x extra risk) times the base: a crackdown of intensity 1 raises detection
    # and so the fee; the fee of 2007 (crackdown all year) must exceed 2005's and the same year without the
    # campaign
    assert fee.loc[2007] > fee.loc[2005]
    assert fee.loc[2007] > nopur.loc[2007, "broker_fee_posted_cny"]
    # the same before the campaign; after it the posted fee comes down over months (fee_adjust_days), so it is
    # still above in 2008, and within 1 % a year later (the remaining step shrinks as exp(-days / 60))
    assert fee.loc[2005] == pytest.approx(nopur.loc[2005, "broker_fee_posted_cny"])
    assert fee.loc[2008] > nopur.loc[2008, "broker_fee_posted_cny"]
    assert fee.loc[2009] == pytest.approx(nopur.loc[2009, "broker_fee_posted_cny"], rel=0.01)


def test_fee_and_bribe_are_the_observed_prices_under_the_2004_punishment() -> None:
    sc, params = resolve("history")
    env = build_environment(sc, params)

    def on(day: str) -> int:
        return (dt.date.fromisoformat(day) - sc.start).days

    # mid-2006: the 2004 punishment (2 years) and no other lever, the regime of the 500 CNY quotes (the posted fee
    # has had 19 months to move to it: the gap is exp(-19 months / fee_adjust_days) of the step, under 1e-3)
    assert env.broker_fee_cny[on("2006-06-01")] == pytest.approx([params.broker_fee_base_cny] * 2, rel=1e-3)
    assert env.bribe_cny[on("2006-06-01")] == pytest.approx([params.crossing_bribe_cny] * 2, rel=1e-3)
    # 2003 (60 days' detention): lower risk, both prices below the quotes, the bribe capped at the fee
    early = on("2003-06-01")
    assert (env.broker_fee_cny[early] < params.broker_fee_base_cny).all()
    assert (env.bribe_cny[early] == env.broker_fee_cny[early]).all()
    # 2015 (5 years, border control, fences): the fee rises faster than the bribe, so a lone crossing is cheaper
    late = on("2015-06-01")
    assert (env.bribe_cny[late] > params.crossing_bribe_cny).all()
    assert (env.bribe_cny[late] < env.broker_fee_cny[late]).all()
    # the fee's crossers'-risk factor is the bribe's to the power of the ratio of elasticities; on top of it the fee
    # prices the brokers' risk, and it is capped; 17 months after the last change of the levers (January 2014) the
    # posted fee has reached the called-for fee (the gap shrinks as exp(-days / fee_adjust_days): exp(-8) at most)
    danger = (env.broker_risk[late] / reference_brokers_risk(params)) ** params.broker_risk_fee_elasticity
    expected = np.minimum(params.broker_fee_base_cny * danger * np.exp(
        params.broker_fee_elasticity / params.crossing_bribe_elasticity
        * np.log(env.bribe_cny[late] / params.crossing_bribe_cny)), params.broker_fee_max_cny)
    assert env.broker_fee_cny[late] == pytest.approx(expected, rel=1e-3)
    assert (danger > 1.0).all()  # border control, fences and the order to betray raise the brokers' risk
    assert (env.bribe_cny <= env.broker_fee_cny).all()


def test_crackdown_raises_the_guards_cut(history: dict[int, Result],
                                         purification: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, nopur = purification
    y = history[SEEDS[0]].yearly
    hist_2007 = y[(y.city == "Hoeryong") & (y.year == 2007)]["guard_cut_share"].item()
    assert hist_2007 > nopur.loc[2007, "guard_cut_share"]
    assert nopur.loc[2007, "guard_cut_share"] == pytest.approx(0.11)  # guard_cut_base: nothing else in force
    assert hist_2007 == pytest.approx(0.7)  # guard_cut_max at full pressure all of 2007


# ------------------------------------------------------------------------------------------ redenomination
def _households_at(end: str) -> Simulation:
    scenario, params = resolve("hoeryong-2007", start="2009-11-01", end=end)
    sim = Simulation(scenario, params, seed=4, scale=0.05)
    sim.run()
    return sim


def test_redenomination_cuts_won_savings_a_hundredfold() -> None:
    # same start and seed: the run ending on 29 November is the run ending on the 30th up to its last day
    before, after = _households_at("2009-11-29"), _households_at("2009-11-30")
    n = len(before.env.kpw_per_cny)
    for field in before.env._fields:
        np.testing.assert_array_equal(getattr(before.env, field), getattr(after.env, field)[:n],
                                      err_msg=field)
    kpw0, kpw1 = before.pop.households.kpw, after.pop.households.kpw
    assert kpw0.sum() > 0
    # won are divided by 100 (and above the limit wiped); on the day households can only pay out, not earn won
    assert np.all(kpw1 <= kpw0 / 100.0 * (1.0 + 1e-12))
    assert kpw0.sum() / kpw1.sum() >= 100.0
    rich = kpw0 > before.params.redenomination_limit_kpw
    assert rich.any()
    limit = before.params.redenomination_limit_kpw / 100.0  # what is left of a household above the limit
    assert np.all(kpw1[rich] <= limit * (1.0 + 1e-12))
    assert np.median(kpw1[rich]) == pytest.approx(limit, rel=1e-9)
    # yuan savings are untouched by the reform itself
    assert after.pop.households.cny.sum() >= 0.99 * before.pop.households.cny.sum()


def test_redenomination_shows_in_the_daily_prices() -> None:
    res = run("hoeryong-2007", seed=0, scale=0.02, start="2009-11-01", end="2009-12-31")
    d = res.daily.set_index("date")
    day_before, day = pd.Timestamp("2009-11-29"), pd.Timestamp("2009-11-30")
    assert d.loc[day_before, "rice_price_kpw"] / d.loc[day, "rice_price_kpw"] == pytest.approx(100.0, rel=0.1)
    assert d.loc[day_before, "kpw_per_cny"] / d.loc[day, "kpw_per_cny"] == pytest.approx(100.0, rel=0.1)
    confiscated = d["confiscated_cny"]
    assert confiscated.loc[day] > 0
    assert confiscated.drop(index=day).sum() == 0  # only on the reform day (no crackdown here)


# A currency_reform before the run's start is not moved to day 0, where it would fire again.
def test_redenomination_does_not_repeat_in_runs_that_start_later() -> None:
    for scenario in ("history", "hyesan-2020", "no-closure"):
        sc, params = resolve(scenario, start="2015-01-01")
        assert build_environment(sc, params).reform.max() == 0.0, scenario


# ------------------------------------------------------------------------------------------ remittances
def test_remittances_start_only_after_someone_reached_south_korea(history: dict[int, Result]) -> None:
    for res in history.values():
        for city, y in res.yearly.groupby("city"):
            y = y.set_index("year")
            first_arrival = y.index[y["in_south_korea"] > 0].min()
            assert np.isfinite(first_arrival), city
            assert (y.loc[: first_arrival - 1, "remittances_cny"] == 0).all(), city
            assert y.loc[first_arrival:, "remittances_cny"].sum() > 0, city
            # each person in South Korea remits with probability remit_prob_month = 0.08 a month: a year without
            # any remittance from 12 people has probability 0.92 ** 144 < 1e-5 (before the 2020 phone blocks)
            many = y["in_south_korea"].shift(1) >= 12
            years = y.index[many & (y.index <= 2019)]
            assert len(years) > 5, city
            assert (y.loc[years, "remittances_cny"] > 0).all(), city


def test_remittances_never_precede_the_first_arrival_day() -> None:
    res = run("history", seed=5, scale=SCALE, start="1995-01-01", end="2008-12-31")
    for _, d in res.daily.groupby("city"):
        first_arrival = d.loc[d["in_south_korea"] > 0, "date"].min()
        first_remittance = d.loc[d["remittances_cny"] > 0, "date"].min()
        assert first_remittance > first_arrival


def test_commission_rises_towards_its_maximum_after_2020_in_hyesan(history: dict[int, Result]) -> None:
    # the commission follows the share of brokers who cannot work: at most 30 % before the closure ("up to 30%",
    # 2010/2012) apart from years when brokers were caught, and near 70 % once nine routes in ten are closed
    p = history[SEEDS[0]].params
    for res in history.values():
        y = res.yearly[res.yearly.city == "Hyesan"].set_index("year")["broker_commission_posted"]
        assert y.loc[2000:2019].median() <= 0.30
        assert y.loc[2021:].min() >= p.commission_base + 0.8 * (p.commission_max - p.commission_base)
        assert y.max() <= p.commission_max


# ------------------------------------------------------------------------------------------ timing
def test_in_china_rises_before_arrivals(history: dict[int, Result]) -> None:
    for res in history.values():
        for city, y in res.yearly.groupby("city"):
            first_china = y.loc[y["in_china"] > 0, "year"].min()
            first_arrival = y.loc[y["arrivals_south_korea"] > 0, "year"].min()
            # arrivals need the onward route (half developed in route_year) and the onward fee saved or
            # paid by kin, so they lag the first crossings by years
            assert first_arrival > first_china, city


def test_arrivals_lag_crossings_on_average(history: dict[int, Result]) -> None:
    # everyone who reached South Korea crossed first, so arrivals to date never exceed crossings to date
    for res in history.values():
        for _, y in res.yearly.groupby("city"):
            assert np.all(y["arrivals_south_korea"].cumsum().to_numpy()
                          <= y["crossings_succeeded"].cumsum().to_numpy())


# ------------------------------------------------------------------------------------------ policy levers
# Setter kinds (punishment, market_tolerance, leadership) stop at their end date.
def test_setter_events_stop_at_their_end(write_toml) -> None:
    path = write_toml("""
        name = "ban"
        cities = ["Hoeryong"]
        start = 2000-01-01
        end = 2003-12-31

        [[events]]
        id = "ban"
        kind = "market_tolerance"
        start = 2001-01-01
        end = 2001-12-31
        intensity = 0.2

        [[events]]
        id = "harsh"
        kind = "punishment"
        start = 2001-01-01
        end = 2001-12-31
        intensity = 10
    """)
    sc = load_scenario(path)
    lv = policy_levers(sc)
    day = (dt.date(2002, 6, 1) - sc.start).days
    assert lv["tolerance"][day, 0] == 1.0
    assert np.isnan(lv["punishment_years"][day, 0])


def test_markets_expand_over_kim_jong_uns_early_years() -> None:
    # seed-hyesan-2024: "Kim initially tolerated markets, even encouraging wealthy donju ... to invest and expand
    # them"; Hyesan's stalls grew from 6,326 (2012) to 7,627 (2015), data/local_observations.csv
    sc = load_scenario("history")
    tolerance = policy_levers(sc)["tolerance"]
    days = np.datetime64(sc.start, "D") + np.arange(tolerance.shape[0])
    for c in range(len(sc.cities)):
        before = tolerance[days == np.datetime64("2011-12-16"), c][0]
        early = tolerance[(days >= np.datetime64("2011-12-17")) & (days <= np.datetime64("2015-12-31")), c]
        after = tolerance[(days > np.datetime64("2015-12-31")) & (days < np.datetime64("2017-01-01")), c]
        assert before == pytest.approx(0.7)
        assert np.all(np.diff(early) > 0) and 0.7 < early[0] < 0.71
        assert np.all(after == 1.0)
        in_2012 = tolerance[(days >= np.datetime64("2012-01-01")) & (days < np.datetime64("2013-01-01")), c]
        in_2015 = tolerance[(days >= np.datetime64("2015-01-01")) & (days < np.datetime64("2016-01-01")), c]
        assert in_2015.mean() > 1.2 * in_2012.mean()


def test_a_ramp_that_ended_before_the_run_holds_its_end_level() -> None:
    # kim-jong-un ramps tolerance to 1 by the end of 2015; a run from 2018 starts with it (times the sanctions)
    sc = load_scenario("history").with_dates(dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    assert np.all(policy_levers(sc)["tolerance"] == 1.0)
    assert np.allclose(build_environment(sc, sc.parameters()).tolerance, 0.5)


def test_step_events_hold_between_start_and_end() -> None:
    sc = load_scenario("history")
    lv = policy_levers(sc)
    idx = {c: i for i, c in enumerate(sc.cities)}

    def at(day: str, lever: str, city: str) -> float:
        return lv[lever][(dt.date.fromisoformat(day) - sc.start).days, idx[city]]

    assert at("2006-11-30", "crackdown", "Hoeryong") == 0.0
    assert at("2006-12-01", "crackdown", "Hoeryong") == 1.0
    assert at("2007-12-31", "crackdown", "Hoeryong") == 1.0
    assert at("2008-01-01", "crackdown", "Hoeryong") == 0.0
    assert at("2007-01-15", "crackdown", "Hyesan") == 0.0  # a Hoeryong event
    assert at("2009-11-30", "reform", "Hyesan") == 1.0
    assert at("2009-12-01", "reform", "Hyesan") == 0.0
    built = (dt.date(2021, 12, 31) - dt.date(2020, 1, 22)).days + 1  # days of fence building so far
    span = (dt.date(2023, 12, 31) - dt.date(2020, 1, 22)).days + 1  # days the ramp takes
    # the 2012 fences (0.72 of the frontage) hold until the 2020-23 ramp takes the share from 0.72 to 1
    assert at("2011-12-31", "fence", "Hyesan") == 0.0 and at("2019-12-31", "fence", "Hyesan") == 0.72
    assert at("2021-12-31", "fence", "Hyesan") == pytest.approx(0.72 + 0.28 * built / span)
    assert at("2025-06-01", "fence", "Hyesan") == 1.0


def test_nobody_is_shot_before_the_buffer_zone(history: dict[int, Result]) -> None:
    # shooting probability is shoot_prob x the buffer-zone lever, which is zero before 2020-08-25
    for res in history.values():
        y = res.yearly
        assert y.loc[y.year < 2020, "shot_at_border"].sum() == 0
        assert (y["shot_at_border"] <= y["deaths"]).all()  # the shot are counted among the deaths


# ------------------------------------------------------------------------------- guard posts and soldiers
def test_guard_posts_and_soldiers_set_detection() -> None:
    sc, params = resolve("history")
    env = build_environment(sc, params)
    day = (dt.date(2024, 6, 1) - sc.start).days
    calm = (dt.date(2005, 6, 1) - sc.start).days
    # 2005: no event raises detection, soldiers at the 2006 density -> exactly detect_base
    assert env.detect_self[calm] == pytest.approx([params.detect_base] * 2)
    # the 20x guard posts of 2020-23 multiply the hazard by 20 ** post_detect_elasticity on top of the others
    kept = tuple(e for e in sc.events if e.id != "guard-posts")
    without_posts = build_environment(sc.model_copy(update={"events": kept}), params)
    ratio = np.log1p(-env.detect_self[day]) / np.log1p(-without_posts.detect_self[day])
    assert ratio == pytest.approx([20.0 ** params.post_detect_elasticity] * 2)
    # 10 instead of 20 metres of river per soldier: twice the soldiers, twice the hazard at elasticity 1
    dense = build_environment(sc, sc.parameters({"m_per_guard": 10.0}))
    sparse = build_environment(sc, sc.parameters({"m_per_guard": 20.0}))
    h_dense, h_sparse = -np.log1p(-dense.detect_self[calm]), -np.log1p(-sparse.detect_self[calm])
    assert h_dense == pytest.approx(h_sparse * 2.0 ** params.troop_detect_elasticity)


def test_troops_event_applies_to_its_city_only() -> None:
    sc = load_scenario("history")
    lv = policy_levers(sc)
    day = (dt.date(2021, 1, 1) - sc.start).days
    hoeryong, hyesan = sc.cities.index("Hoeryong"), sc.cities.index("Hyesan")
    assert lv["troops"][day, hoeryong] == 1.0 and lv["troops"][day, hyesan] == pytest.approx(1.07)
    # the guard-post ramp: 1 before 2020, 20 from the end of 2023, in between on the line
    start = (dt.date(2020, 1, 22) - sc.start).days
    assert lv["posts"][start - 1, 0] == 1.0 and lv["posts"][-1, 0] == pytest.approx(20.0)
    mid = (dt.date(2022, 1, 1) - sc.start).days
    assert 1.0 < lv["posts"][mid, 0] < 20.0


def test_more_guard_posts_mean_fewer_successful_crossings() -> None:
    # no closure, buffer or fences: only the posts differ (common random numbers on both sides)
    base = load_scenario("no-closure")

    def successes(posts: float) -> float:
        event = PolicyEvent(id="posts", kind="guard_posts", start=dt.date(2020, 1, 1), intensity=posts)
        sc = base if posts == 1.0 else base.model_copy(update={"events": (*base.events, event)})
        return sum(run(sc, seed=seed, scale=0.05, start="2015-01-01", daily=False)
                   .yearly.query("year >= 2020")["crossings_succeeded"].sum() for seed in SEEDS)

    few, many = successes(1.0), successes(20.0)
    assert few > 30
    # 20 ** 0.25 = 2.1 times the hazard: a lone crosser's detection rises from 0.35 to 0.60 and a brokered one's
    # from 0.12 to 0.24, and the risk index deters attempts; at least a fifth fewer successes
    assert many < 0.8 * few
