"""The closure and the state, livelihoods and demography: environment levers, vital rates and what a run shows.

The environment tests read ``build_environment`` of the ``history`` scenario; the run tests share one run of
``history`` at scale 0.03 (two cities, 1995-2025).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import nkborder
from nkborder.api import resolve
from nkborder.model.demography import hunger_death_probability, vital_rates
from nkborder.model.policy import Environment, build_environment

HOERYONG, HYESAN = 0, 1


@pytest.fixture(scope="module")
def history_env() -> tuple[Environment, dt.date]:
    sc, params = resolve("history")
    return build_environment(sc, params), sc.start


@pytest.fixture(scope="module")
def yearly() -> pd.DataFrame:
    return nkborder.run("history", seed=4, scale=0.03, daily=False).yearly


def _day(start: dt.date, y: int, m: int = 7, d: int = 1) -> int:
    return (dt.date(y, m, d) - start).days


def test_phone_surveillance_cuts_contact_below_the_closure_alone(history_env) -> None:
    env, start = history_env
    before, after = _day(start, 2019), _day(start, 2021)
    assert env.contact[before, HOERYONG] == env.contact[before, HYESAN] == 1.0
    # both cities are sealed; only Hyesan's calls are policed (the phone-surveillance event)
    assert 0.0 < env.contact[after, HYESAN] < env.contact[after, HOERYONG] < 1.0


def test_inminban_reports_stand_without_a_crackdown_and_rise_in_one(history_env) -> None:
    env, start = history_env
    quiet, purification = _day(start, 2003), _day(start, 2007, 3)
    assert env.crackdown[quiet, HOERYONG] == 0.0 and env.inminban_report[quiet, HOERYONG] > 0.0
    assert env.inminban_report[_day(start, 2022), :].min() > 0.0
    assert env.inminban_report[purification, HOERYONG] > env.inminban_report[quiet, HOERYONG]


def test_closure_cuts_market_tolerance_and_seizes_donju_capital(history_env) -> None:
    env, start = history_env
    before, after = _day(start, 2019), _day(start, 2021)
    assert np.all(env.seizure[before] == 0.0) and np.all(env.seizure[after] > 0.0)
    assert np.all(env.tolerance[after] < env.tolerance[before])


def test_coping_is_lost_in_the_famine_only(history_env) -> None:
    env, start = history_env
    assert np.all(env.coping[_day(start, 1997)] == 0.0)
    assert np.all(env.coping[_day(start, 2001)] > 0.0)


def test_death_rate_rises_with_age_and_gives_the_crude_rate() -> None:
    _, params = resolve("history")
    rng = np.random.default_rng(0)
    ages = np.minimum(rng.exponential(30.0, 20_000), 84.0)
    female = (rng.random(len(ages)) < 0.5).astype(np.uint8)
    vital = vital_rates(params, female, -np.round(ages * 365.25))
    q = vital.death_by_age
    assert q[0] > q[5]  # infants die more often than young children
    assert np.all(np.diff(q[1:]) > 0.0)  # then the death rate rises with every year of age
    assert q[80] > 20 * q[30]
    crude = 12.0 * q[np.minimum(ages.astype(int), len(q) - 1)].mean()
    assert crude == pytest.approx(params.death_rate, rel=0.1)
    assert vital.fertility > params.birth_rate


def test_hunger_deaths_rise_with_hardship() -> None:
    rates = [hunger_death_probability(0.03, h) for h in (0.0, 0.2, 0.5, 1.0)]
    assert rates[0] == 0.0
    assert rates[1] < rates[2] < rates[3]


def test_famine_deaths_are_hunger_deaths_of_1995_98(yearly: pd.DataFrame) -> None:
    y = yearly.groupby("year")[["deaths_hunger", "deaths", "deaths_under_5"]].sum()
    famine = y.loc[1996:1998, "deaths_hunger"].mean()
    assert famine > 0.1 * y.loc[1996:1998, "deaths"].mean()
    assert y.loc[2000:2016, "deaths_hunger"].mean() < 0.2 * famine
    assert np.all(y["deaths_hunger"] <= y["deaths"]) and np.all(y["deaths_under_5"] <= y["deaths"])


def test_households_that_do_not_trade_leave_famine_after_2000(yearly: pd.DataFrame) -> None:
    y = yearly.groupby("year")[["hunger_nontrader_mean", "hunger_trader_mean", "hardship_nontrader_mean"]].mean()
    assert y.loc[1996:1998, "hunger_nontrader_mean"].mean() > 0.5
    assert y.loc[2001:2019, "hunger_nontrader_mean"].max() < 0.4
    assert np.all(y.loc[2001:2019, "hunger_trader_mean"] <= y.loc[2001:2019, "hunger_nontrader_mean"])
    # coping feeds them, but their money still buys little: hunger is hardship less coping
    assert np.all(y.loc[2001:2019, "hunger_nontrader_mean"] < y.loc[2001:2019, "hardship_nontrader_mean"])


def test_markets_rise_after_the_famine_and_collapse_in_cny_under_the_closure(yearly: pd.DataFrame) -> None:
    y = yearly.groupby("year")[["market_turnover_cny", "donju_capital_cny", "donju_seized_cny"]].sum()
    assert y.loc[2012:2013, "market_turnover_cny"].mean() > 1.5 * y.loc[1996:1998, "market_turnover_cny"].mean()
    assert y.loc[2021:2023, "market_turnover_cny"].mean() < 0.5 * y.loc[2017:2019, "market_turnover_cny"].mean()
    assert y.loc[2023, "donju_capital_cny"] < 0.5 * y.loc[2019, "donju_capital_cny"]
    assert np.all(y.loc[2020:2025, "donju_seized_cny"] > 0.0) and y.loc[2016, "donju_seized_cny"] == 0.0


def test_phone_contact_with_kin_abroad_becomes_rare_under_the_closure(yearly: pd.DataFrame) -> None:
    calls = yearly.pivot_table(index="year", columns="city", values="phone_contacts", aggfunc="sum")
    ratio = calls.loc[2021:2023].mean() / calls.loc[2017:2019].mean()
    assert calls.loc[2017:2019].min().min() > 0
    assert ratio["Hyesan"] < ratio["Hoeryong"] < 0.5  # the policed calls of Hyesan fall furthest
