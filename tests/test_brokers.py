"""Brokers and guards' income from crossers: routes, capacity, exposure, prices, commissions, who pays a crossing,
the hush-money order of 2007, the Hoeryong purification and the 2012 tightening.

Comparisons between runs use the same seed on both sides (common random numbers); thresholds were set from the
rules before looking at the output, and the comment next to each gives the reasoning.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nkborder.api import run
from nkborder.core import slots as S
from nkborder.core.rng import seed_key
from nkborder.core.state import Brokers
from nkborder.model.brokers import client_arrested, commission_rate, exposure_on, find_broker, route_open
from nkborder.model.policy import (
    adjusting_price,
    brokers_risk,
    build_environment,
    called_for_fee_cny,
    reference_brokers_risk,
)
from nkborder.params import Params
from nkborder.scenarios import Scenario, load_scenario

SCALE = 0.05


def history_window(city: str, start: dt.date, end: dt.date, drop: tuple[str, ...] = ()) -> Scenario:
    """The ``history`` timeline for one city from ``start`` to ``end``, without the events ``drop``."""
    sc = load_scenario("history").with_dates(start, end)
    return sc.model_copy(update={"cities": (city,), "events": tuple(e for e in sc.events if e.id not in drop)})


def brokers(n: int) -> Brokers:
    """``n`` brokers of one city, nobody booked, exposed or caught."""
    return Brokers(city=np.zeros(n, np.int8), earnings_cny=np.zeros(n), city_start=np.array([0, n], np.int32),
                   booked=np.zeros(n, np.int32), exposure=np.zeros(n), exposure_day=np.zeros(n, np.int32),
                   out_until=np.zeros(n, np.int32))


# ------------------------------------------------------------------------------------------ the broker agents
def test_nobody_can_guarantee_a_route_when_every_broker_is_fully_booked() -> None:
    b, key = brokers(3), seed_key(1)
    assert find_broker(b, 0, 10, key, 7, 1.0, 4.0, 3.0) >= 0
    b.booked[:] = 4
    assert all(find_broker(b, 0, 10, key, i, 1.0, 4.0, 3.0) == -1 for i in range(200))
    b.booked[1] = 3  # one place left with broker 1: whoever finds a broker finds him
    found = {find_broker(b, 0, 10, key, i, 1.0, 4.0, 3.0) for i in range(200)}
    assert found == {-1, 1}


def test_a_caught_broker_is_out_until_his_place_is_taken_and_routes_close_with_the_open_share() -> None:
    b, key = brokers(1), seed_key(2)
    daily = np.zeros((400, 1, S.N_DAILY))
    client_arrested(b, 0, 5, key, 3, 1.0, 365.0, 180.0, daily)  # catch probability 1 x exposure 1
    assert b.out_until[0] == 185 and daily[5, 0, S.BROKERS_CAUGHT] == 1 and b.exposure[0] == 0.0
    assert find_broker(b, 0, 184, key, 1, 1.0, 4.0, 10.0) == -1
    assert find_broker(b, 0, 185, key, 1, 1.0, 4.0, 10.0) == 0
    assert not any(route_open(key, k, 0.0) for k in range(2000))
    assert abs(np.mean([route_open(key, k, 0.1) for k in range(2000)]) - 0.1) < 0.03  # binomial sd 0.007


def test_exposure_grows_with_each_client_arrested_and_decays() -> None:
    b, key = brokers(1), seed_key(3)
    daily = np.zeros((1000, 1, S.N_DAILY))
    client_arrested(b, 0, 0, key, 1, 0.0, 365.0, 180.0, daily)  # never caught
    client_arrested(b, 0, 0, key, 2, 0.0, 365.0, 180.0, daily)
    assert exposure_on(b, 0, 0, 365.0) == 2.0
    assert exposure_on(b, 0, 365, 365.0) == pytest.approx(2.0 / np.e)


def test_commission_rises_from_base_to_top_as_brokers_stop_working() -> None:
    assert commission_rate(20.0, 20.0, 0.25, 0.7) == 0.25
    assert commission_rate(0.0, 20.0, 0.25, 0.7) == 0.7
    assert commission_rate(2.0, 20.0, 0.25, 0.7) == pytest.approx(0.25 + 0.45 * 0.9)


# ------------------------------------------------------------------------------------------ prices and betrayal
@pytest.fixture(scope="module")
def history_env() -> tuple[pd.DatetimeIndex, object, Params]:
    sc = load_scenario("history")
    params = sc.parameters()
    days = pd.date_range(sc.start, sc.end)
    return days, build_environment(sc, params), params


def yearly(days: pd.DatetimeIndex, values: np.ndarray, c: int) -> pd.Series:
    return pd.Series(values[:, c], index=days).groupby(days.year).mean()


def test_brokers_risk_is_the_chance_that_a_brokered_crossing_ends_in_arrest() -> None:
    assert brokers_risk(np.array(0.4), np.array(0.8), np.array(0.25)) == pytest.approx(0.4 * (1 - 0.8 * 0.75))
    p = Params()
    assert reference_brokers_risk(p) == pytest.approx((1 - (1 - p.detect_base) ** p.broker_detect_factor)
                                                      * (1 - p.bribe_accept))


def test_the_posted_fee_follows_the_brokers_risk_through_the_tightenings(history_env) -> None:
    days, env, _ = history_env
    fee = yearly(days, env.broker_fee_cny, 1)  # Hyesan: no purification
    risk = yearly(days, env.broker_risk, 1)
    # the 2010 tightening at least doubles the brokers' risk, and the fee rises faster than the risk (exponent > 1)
    assert risk[2010] > 2 * risk[2005]
    assert fee[2010] / fee[2005] > risk[2010] / risk[2005]
    # the 2012 tightening keeps the fee above that of 2008-2009 (the order to betray alone)
    assert fee[2012] > fee[2009]


def test_a_posted_price_moves_toward_the_called_for_price_with_its_time_constant() -> None:
    steady = adjusting_price(np.full((50, 2), 500.0), 60.0)
    assert steady == pytest.approx(np.full((50, 2), 500.0))
    # a tenfold step on day 1: after 60 days the log price has covered 1 - 1/e of the step, and it never overshoots
    called = np.r_[np.full((1, 1), 500.0), np.full((400, 1), 5000.0)]
    posted = adjusting_price(called, 60.0)
    assert np.log(posted[60, 0] / 500.0) == pytest.approx((1.0 - np.exp(-1.0)) * np.log(10.0))
    assert (np.diff(posted[:, 0]) > 0).all() and (posted <= called + 1e-9).all()
    assert posted[400, 0] == pytest.approx(5000.0, rel=1e-2)
    # the shorter the time constant, the faster the price follows
    assert adjusting_price(called, 14.0)[30, 0] > posted[30, 0]


def test_the_purification_raises_the_posted_fee_over_months_not_overnight(history_env) -> None:
    days, env, params = history_env
    called = pd.Series(called_for_fee_cny(env.risk, env.broker_risk, params)[:, 0], index=days)  # Hoeryong
    posted = pd.Series(env.broker_fee_cny[:, 0], index=days)
    before, month = posted["2006-11-30"], posted["2006-12-31"]
    # the purification and the hush-money order (1 December 2006) multiply the called-for fee more than tenfold ...
    assert called["2006-12-15"] > 10 * called["2006-11-30"]
    # ... but in its first month the posted fee covers only 1 - exp(-31 / fee_adjust_days) of the step, in logs
    share = 1.0 - np.exp(-31.0 / params.fee_adjust_days)
    assert np.log(month / before) == pytest.approx(share * np.log(called["2006-12-15"] / before), rel=1e-6)
    # by the end of the campaign year the posted fee has nearly reached the called-for fee
    assert posted["2007-12-31"] == pytest.approx(called["2007-12-31"], rel=0.01)


def test_the_hush_money_order_raises_betrayal_from_december_2006_on(history_env) -> None:
    days, env, _ = history_env
    betray = pd.Series(env.betray[:, 1], index=days)  # Hyesan
    order = next(e for e in load_scenario("history").events if e.id == "hush-money-order-2007")
    assert (betray[: "2006-11-30"] == 0.0).all()
    quiet = betray["2008-01-01":"2009-12-31"]  # no crackdown in Hyesan then
    assert (quiet == order.level).all()
    assert (betray["2006-12-01":] >= order.level).all()  # from then on, more under a crackdown


# ------------------------------------------------------------------------------------------ runs
def test_purification_cuts_hoeryong_guards_bribes_instead_of_raising_them() -> None:
    # the purification (Dec 2006 - Dec 2007): trips stop, arrests go to state security, crossings fall; with the
    # same seed, the guards of 2007 take less than without it, and state security takes release money only with it
    start, end = dt.date(1995, 1, 1), dt.date(2007, 12, 31)
    sc = history_window("Hoeryong", start, end)
    without = history_window("Hoeryong", start, end, drop=("purification-hoeryong",))
    a = run(sc, seed=4, scale=SCALE, daily=False).yearly.set_index("year")
    b = run(without, seed=4, scale=SCALE, daily=False).yearly.set_index("year")
    assert a.loc[2007, "guard_bribes_per_guard_cny"] < b.loc[2007, "guard_bribes_per_guard_cny"]
    assert a.loc[2007, "smuggling_trips"] < b.loc[2007, "smuggling_trips"]
    assert a.loc[2007, "security_bribes_cny"] > 0 and b.loc[2007, "security_bribes_cny"] == 0
    assert a.loc[2007, "guard_bribes_per_guard_cny"] < a.loc[2005:2006, "guard_bribes_per_guard_cny"].mean()


@pytest.fixture(scope="module")
def hyesan_closure() -> pd.DataFrame:
    # 80 brokers per 100,000: 8 brokers in Hyesan at this scale, so that a tenth of the routes is a count
    sc = history_window("Hyesan", dt.date(1995, 1, 1), dt.date(2021, 12, 31))
    return run(sc, seed=5, scale=SCALE, daily=False, overrides={"brokers_per_100k": 80.0}).yearly.set_index("year")


def test_the_closure_leaves_nobody_to_guarantee_a_route_and_attempts_fall(hyesan_closure: pd.DataFrame) -> None:
    y = hyesan_closure
    # nine routes in ten close: working brokers fall (more than half of 8 open routes would have probability
    # below 0.001 when each stays open with 0.1), attempts are given up, fewer reach the river
    assert y.loc[2021, "brokers_working"] <= 0.5 * y.loc[2019, "brokers_working"]
    assert y.loc[2021, "attempts_no_route"] > y.loc[2019, "attempts_no_route"]
    assert y.loc[2021, "crossings_attempted"] < 0.5 * y.loc[2017:2019, "crossings_attempted"].mean()


def test_crossers_pay_guards_with_money_from_kin_or_borrowed(hyesan_closure: pd.DataFrame) -> None:
    y = hyesan_closure
    assert y.loc[2005:2019, "crossings_kin_paid"].sum() > 0
    sc = history_window("Hyesan", dt.date(1995, 1, 1), dt.date(2008, 12, 31))
    nobody = run(sc, seed=5, scale=SCALE, daily=False, overrides={"kin_pay_prob": 0.0, "crossing_credit": 0.0})
    lend = run(sc, seed=5, scale=SCALE, daily=False, overrides={"kin_pay_prob": 0.0, "crossing_credit": 0.3})
    n, m = nobody.yearly.set_index("year"), lend.yearly.set_index("year")
    assert n["crossings_kin_paid"].sum() == 0 and n["crossings_on_credit"].sum() == 0
    assert m["crossings_on_credit"].sum() > 0
    # money lent to crossers reaches the guards (bribes and their share of fees)
    assert m.loc[2000:2008, "bribes_paid_cny"].sum() > n.loc[2000:2008, "bribes_paid_cny"].sum()


def test_paid_guards_turn_crossers_in_only_with_the_order_of_2007() -> None:
    # 2008-2009 in Hyesan: no crackdown, so only the hush-money order makes a paid guard turn the crosser in;
    # more crossers who can pay (credit, a higher intent) so that there are paid guards to count
    start, end = dt.date(1995, 1, 1), dt.date(2009, 12, 31)
    paying = {"crossing_credit": 0.3, "intent_intercept": -9.0}
    with_order = run(history_window("Hyesan", start, end), seed=6, scale=SCALE, daily=False, overrides=paying)
    without = run(history_window("Hyesan", start, end, drop=("hush-money-order-2007",)), seed=6, scale=SCALE,
                  daily=False, overrides=paying)
    a, b = with_order.yearly.set_index("year"), without.yearly.set_index("year")
    assert b.loc[2008:2009, "arrests_after_bribe"].sum() == 0
    assert a.loc[2008:2009, "arrests_after_bribe"].sum() > 0
    assert a.loc[:2005, "arrests_after_bribe"].equals(b.loc[:2005, "arrests_after_bribe"])  # same run before
    assert (a.loc[2000:2009, "guard_bribes_crossers_cny"] > 0).all()
