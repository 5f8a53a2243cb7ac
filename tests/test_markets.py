"""Markets and smuggling over time: the goods smugglers carry follow official China-DPRK trade."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from nkborder.api import resolve, run
from nkborder.model.policy import TRADE_2006_USD_MILLION, build_environment

SCALE = 0.02


def day(scenario_start: dt.date, iso: str) -> int:
    return (dt.date.fromisoformat(iso) - scenario_start).days


def test_cargo_follows_official_trade() -> None:
    sc, params = resolve("history")
    env = build_environment(sc, params)
    d1996, d2006, d2021 = (day(sc.start, f"{y}-06-01") for y in (1996, 2006, 2021))
    # data/china_dprk_trade.csv: 1996 KOTRA 565.67, 2006 China customs 1699.6, 2021 China GAC 318.04 (USD million)
    assert env.cargo_cny[d2006] == pytest.approx([params.cargo_cny] * 2)
    assert env.cargo_cny[d1996] == pytest.approx([params.cargo_cny * 565.67 / TRADE_2006_USD_MILLION[0]] * 2)
    assert env.cargo_cny[d2021] == pytest.approx([params.cargo_cny * 318.04 / TRADE_2006_USD_MILLION[0]] * 2)


def test_cargo_ignores_trade_at_elasticity_zero() -> None:
    sc, params = resolve("history")
    env = build_environment(sc, params.model_copy(update={"smuggling_trade_elasticity": 0.0}))
    assert np.all(env.cargo_cny == params.cargo_cny)


def test_held_trade_holds_the_cargo() -> None:
    sc, params = resolve("no-closure")  # holds official trade at its 2019 level from 1 July 2019
    env = build_environment(sc, params)
    held = env.cargo_cny[day(sc.start, "2019-07-01")]
    assert env.cargo_cny[day(sc.start, "2022-06-01")] == pytest.approx(held)
    assert held[0] == pytest.approx(params.cargo_cny * 2789.02 / TRADE_2006_USD_MILLION[0])


def test_each_delivered_trip_brings_the_days_cargo_to_market() -> None:
    res = run("history", seed=3, scale=SCALE, start="1996-01-01", end="1996-12-31")
    params = resolve("history")[1]
    cargo_1996 = params.cargo_cny * 565.67 / TRADE_2006_USD_MILLION[0]
    y = res.yearly
    delivered = (y.smuggling_trips - y.smuggling_arrests).sum()
    assert delivered > 100
    # every trip that is not arrested delivers one cargo: volume / delivered trips is the 1996 cargo, not 3,000
    assert y.smuggling_volume_cny.sum() / delivered == pytest.approx(cargo_1996)


def test_smuggling_grows_with_trade_after_the_famine() -> None:
    def volume_ratio(elasticity: float) -> float:
        y = run("history", seed=1, scale=SCALE, end="2007-12-31", daily=False,
                overrides={"smuggling_trade_elasticity": elasticity}).yearly
        volume = y.groupby("year")["smuggling_volume_cny"].sum()
        return volume.loc[2004:2007].mean() / volume.loc[1996:1998].mean()

    fixed, following = volume_ratio(0.0), volume_ratio(1.0)
    # Trade (KOTRA / customs) averages 545 USD million in 1996-98 and 1,665 in 2004-07: x3.06. With a fixed cargo
    # the volume moves only with trips (smugglers leaving, the 2007 crackdowns: it does not grow); following trade
    # it is the same trips times cargo x3.06, so at least twice the fixed cargo's ratio.
    assert fixed < 1.1
    assert following > 2.0 * fixed
