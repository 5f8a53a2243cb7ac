"""Invariants of the state after short runs: people are conserved, money moved by bribes, fees and commissions
leaves one account and enters another, nobody holds negative money, and statuses are consistent."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from nkborder.api import resolve
from nkborder.core import slots as S
from nkborder.engine.sim import RawRecords, Simulation
from nkborder.params import Params

ROOT = Path(__file__).resolve().parents[1]

# (scenario, seed, scale): the whole history (famine, redenomination, closure) at 3%; case studies at 5%
CASES = [
    ("history", 1, 0.03),
    ("history", 2, 0.03),
    ("hoeryong-2007", 1, 0.05),
    ("hoeryong-2007", 2, 0.05),
    ("hoeryong-2007", 3, 0.05),
    ("hyesan-2020", 1, 0.05),
    ("hyesan-2020", 2, 0.05),
]


@dataclass
class Done:
    sim: Simulation
    raw: RawRecords
    params: Params
    n0: int  # initial population
    city0: np.ndarray  # initial population per city


@pytest.fixture(scope="module", params=CASES, ids=[f"{n}-s{s}" for n, s, _ in CASES])
def done(request: pytest.FixtureRequest) -> Done:
    name, seed, scale = request.param
    scenario, params = resolve(name)
    sim = Simulation(scenario, params, seed=seed, scale=scale)
    n0 = int(sim.pop.people.count[0])
    city0 = np.bincount(sim.pop.people.city[:n0], minlength=len(scenario.cities))
    raw = sim.run()
    return Done(sim, raw, params, n0, city0)


def statuses(done: Done) -> np.ndarray:
    people = done.sim.pop.people
    return people.status[: int(people.count[0])]


def total(done: Done, slot: int) -> float:
    return float(done.raw.daily[:, :, slot].sum())


# ------------------------------------------------------------------------------------------ people
def test_people_are_conserved(done: Done) -> None:
    st = statuses(done)
    births = total(done, S.BIRTHS)
    assert done.raw.lost_births == 0
    assert births > 0
    by_status = np.bincount(st.astype(np.int64), minlength=S.N_STATUS)
    assert by_status.sum() == done.n0 + births  # residents + China + South Korea + detained + dead + detained in China
    assert len(st) == done.n0 + births  # every birth recorded is a row, and no row is unrecorded


def test_people_are_conserved_per_city_every_day(done: Done) -> None:
    daily = done.raw.daily
    stocks = daily[:, :, S.FIRST_STOCK : S.FIRST_STOCK + S.N_STATUS]
    assert [S.DAILY_NAMES[S.FIRST_STOCK + k] for k in range(S.N_STATUS)] == [
        "population", "in_china", "in_south_korea", "detained", "dead", "detained_in_china"]
    expected = done.city0[None, :] + np.cumsum(daily[:, :, S.BIRTHS], axis=0)
    np.testing.assert_array_equal(stocks.sum(axis=2), expected)
    # and the last day's stocks are a recount of the people by city and status
    people = done.sim.pop.people
    n = int(people.count[0])
    recount = np.zeros((len(done.city0), S.N_STATUS), np.int64)
    np.add.at(recount, (people.city[:n].astype(np.int64), people.status[:n].astype(np.int64)), 1)
    np.testing.assert_array_equal(stocks[-1], recount)


def test_status_counts_equal_a_recount(done: Done) -> None:
    people = done.sim.pop.people
    n = int(people.count[0])
    recount = np.zeros_like(done.sim.pop.cities.status_counts)
    np.add.at(recount, (people.city[:n].astype(np.int64), people.status[:n].astype(np.int64)), 1)
    np.testing.assert_array_equal(done.sim.pop.cities.status_counts, recount)


def test_dead_stock_equals_deaths_recorded(done: Done) -> None:
    dead = done.raw.daily[-1, :, S.DEAD_STOCK]
    np.testing.assert_array_equal(dead, done.raw.daily[:, :, S.DEATHS].sum(axis=0))


def test_statuses_are_valid_and_detained_have_a_release_day(done: Done) -> None:
    st = statuses(done)
    assert st.min() >= S.RESIDENT and st.max() < S.N_STATUS
    people = done.sim.pop.people
    detained = np.flatnonzero(st == S.DETAINED)
    last_day = done.sim.n_days - 1
    release = people.release_day[detained]
    # a detained person's release is in the future (anyone due by the last day was released on it)
    assert np.all(release > last_day)
    # people never detained still have no release day; births too
    assert np.all(people.release_day[: len(st)] >= -1)


def test_in_china_people_crossed_and_hold_no_negative_savings(done: Done) -> None:
    people = done.sim.pop.people
    st = statuses(done)
    n = len(st)
    assert np.all(people.crossed_day[:n][st == S.IN_CHINA] >= 0)
    assert np.all(people.crossed_day[:n][st == S.IN_SOUTH_KOREA] >= 0)
    assert np.all(people.savings_cny[:n] >= 0.0)


# ------------------------------------------------------------------------------------------ money
def test_guard_earnings_equal_the_bribes_recorded(done: Done) -> None:
    now = done.sim.pop.guards.earnings_cny.sum()
    discharged = total(done, S.GUARD_SERVICE_EARNINGS_CNY)
    bribes = total(done, S.GUARD_BRIBES_CNY)
    assert bribes > 0
    assert now + discharged == pytest.approx(bribes, rel=1e-9)
    assert np.all(done.sim.pop.guards.earnings_cny >= 0.0)


def test_guard_pay_is_recorded_and_kept(done: Done) -> None:
    g, d, env = done.sim.pop.guards, done.raw.daily, done.raw.env
    assert g.pay_cny.sum() + total(done, S.GUARD_SERVICE_PAY_CNY) == pytest.approx(total(done, S.GUARD_PAY_CNY),
                                                                                   rel=1e-9)
    assert np.all(g.pay_cny >= 0.0)
    # every guard on duty is paid the day's pay; every discharge brings a recruit who paid the posting bribe
    np.testing.assert_allclose(d[:, :, S.GUARD_PAY_CNY], d[:, :, S.GUARDS_ON_DUTY] * env.guard_pay_cny_day,
                               rtol=1e-9)
    np.testing.assert_allclose(d[:, :, S.GUARD_POSTING_BRIBES_CNY],
                               d[:, :, S.GUARDS_DISCHARGED] * env.posting_bribe_cny, rtol=1e-12)
    assert np.all(d[:, :, S.GUARDS_ON_DUTY] <= np.diff(g.city_slot_start))


def _guards_part_of_fees(d: np.ndarray) -> np.ndarray:
    """What guards took of brokers' fees: the fees less the brokers' part (income less commissions) and the
    guides' part."""
    return (d[:, :, S.BROKER_FEES_PAID_CNY] - (d[:, :, S.BROKER_INCOME_CNY] - d[:, :, S.BROKER_COMMISSION_CNY])
            - d[:, :, S.GUIDES_INCOME_CNY])


def test_guard_bribes_are_what_others_paid(done: Done) -> None:
    d = done.raw.daily
    from_fees = _guards_part_of_fees(d)
    paid = d[:, :, S.BRIBES_PAID_CNY] + d[:, :, S.SMUGGLING_CUT_CNY] - d[:, :, S.SECURITY_BRIBES_CNY] + from_fees
    np.testing.assert_allclose(d[:, :, S.GUARD_BRIBES_CNY], paid, rtol=1e-9, atol=1e-6)
    # from crossers: the guards' part of fees plus lone crossers' bribes (what guards took minus smugglers' part)
    from_smugglers = d[:, :, S.SMUGGLING_CUT_CNY] + d[:, :, S.BRIBES_PAID_CNY] - d[:, :, S.SECURITY_BRIBES_CNY]
    lone = d[:, :, S.GUARD_BRIBES_CROSSERS_CNY] - from_fees
    assert np.all(lone >= -1e-6)
    assert np.all(lone <= d[:, :, S.BRIBES_PAID_CNY] + 1e-6)
    np.testing.assert_allclose(d[:, :, S.GUARD_BRIBES_CNY] - d[:, :, S.GUARD_BRIBES_CROSSERS_CNY],
                               from_smugglers - lone, rtol=1e-9, atol=1e-6)


def test_broker_earnings_equal_broker_income(done: Done) -> None:
    earned = done.sim.pop.brokers.earnings_cny.sum()
    assert earned == pytest.approx(total(done, S.BROKER_INCOME_CNY), rel=1e-9, abs=1e-9)
    assert np.all(done.sim.pop.brokers.earnings_cny >= 0.0)


def test_broker_fees_are_split_between_broker_guards_and_guides(done: Done) -> None:
    d = done.raw.daily
    p = done.params
    fees = d[:, :, S.BROKER_FEES_PAID_CNY]
    from_fees = d[:, :, S.BROKER_INCOME_CNY] - d[:, :, S.BROKER_COMMISSION_CNY]
    guides = d[:, :, S.GUIDES_INCOME_CNY]
    # the guard takes his share of the fee, or a lone crosser's bribe if that is more (defection.fee_split);
    # the broker and the guides share the rest in the proportion of their shares
    guards = _guards_part_of_fees(d)
    assert np.all(guards >= fees * p.guard_share_of_fee - 1e-6) and np.all(guards <= fees + 1e-6)
    np.testing.assert_allclose(from_fees * (1.0 - p.broker_share - p.guard_share_of_fee), guides * p.broker_share,
                               rtol=1e-9, atol=1e-6)
    assert np.all(from_fees >= -1e-6) and np.all(guides >= -1e-6)
    # each brokered crossing pays at least the fee posted that day in that city (more to an exposed broker),
    # and at most what the most exposed broker could ask: his exposure is at most the clients he ever had
    posted = d[:, :, S.CROSSINGS_BROKERED] * done.raw.env.broker_fee_cny
    assert np.all(fees >= posted * (1.0 - 1e-12))
    most = 1.0 + p.broker_exposure_premium * d[:, :, S.ARRESTS_AT_BORDER].sum()
    assert np.all(fees <= posted * most * (1.0 + 1e-12))


def test_remittances_gross_is_net_plus_commission(done: Done) -> None:
    d = done.raw.daily
    np.testing.assert_allclose(d[:, :, S.REMITTANCES_GROSS_CNY],
                               d[:, :, S.REMITTANCES_CNY] + d[:, :, S.BROKER_COMMISSION_CNY], rtol=1e-12)
    # the commission is the month's posted share of the gross amount (remittances arrive on a month's first day)
    gross = d[:, :, S.REMITTANCES_GROSS_CNY]
    rate = done.raw.monthly[:, :, S.BROKER_COMMISSION_RATE]
    first = done.raw.month_start_days
    np.testing.assert_allclose(d[first, :, S.BROKER_COMMISSION_CNY], gross[first] * rate, rtol=1e-12)
    others = np.setdiff1d(np.arange(d.shape[0]), first)
    assert not np.any(gross[others])


def test_no_negative_wealth(done: Done) -> None:
    hh = done.sim.pop.households
    assert np.all(hh.kpw >= 0.0)
    assert np.all(hh.cny >= 0.0)
    assert np.all(hh.capital_cny >= 0.0)
    assert np.all(np.isfinite(hh.kpw)) and np.all(np.isfinite(hh.cny))
    wealth = done.raw.monthly[:, :, S.WEALTH_MEAN_CNY]
    assert np.all(wealth[np.isfinite(wealth)] >= 0.0)  # every month, not only the last
    flows = [k for k in range(S.N_DAILY) if not S.FIRST_STOCK <= k <= S.GUARDS_ON_DUTY]
    assert np.all(done.raw.daily[:, :, flows] >= 0.0)  # no negative flow was recorded


SECTOR_TO_CITY = {
    S.SECTOR_ATTEMPTS: S.CROSSINGS_ATTEMPTED, S.SECTOR_SUCCEEDED: S.CROSSINGS_SUCCEEDED,
    S.SECTOR_ARRESTS: S.ARRESTS_AT_BORDER, S.SECTOR_SHOT: S.SHOT_AT_BORDER,
    S.SECTOR_SMUGGLING_TRIPS: S.SMUGGLING_TRIPS, S.SECTOR_SMUGGLING_ARRESTS: S.SMUGGLING_ARRESTS,
    S.SECTOR_SMUGGLING_VOLUME_CNY: S.SMUGGLING_VOLUME_CNY, S.SECTOR_GUARD_BRIBES_CNY: S.GUARD_BRIBES_CNY,
}


def test_sector_records_add_up_to_the_city_totals_every_month(done: Done) -> None:
    raw = done.raw
    bounds = np.r_[raw.month_start_days, raw.daily.shape[0]]
    assert len(SECTOR_TO_CITY) == S.N_SECTOR
    for c in range(len(raw.cities)):
        a, b = raw.sector_start[c], raw.sector_start[c + 1]
        by_month = raw.sectors[:, a:b, :].sum(axis=1)
        for slot, city_slot in SECTOR_TO_CITY.items():
            city = np.add.reduceat(raw.daily[:, c, city_slot], bounds[:-1])
            np.testing.assert_allclose(by_month[:, slot], city, rtol=1e-9, atol=1e-6)
    assert raw.sectors[:, :, S.SECTOR_SMUGGLING_TRIPS].sum() > 0


def test_district_snapshots_add_up_to_the_city_stocks(done: Done) -> None:
    raw = done.raw
    last_day_of_year = {}
    dates = np.datetime64(raw.start, "D") + np.arange(raw.daily.shape[0])
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    for d, y in enumerate(years):
        last_day_of_year[int(y)] = d
    assert sorted(raw.districts) == sorted(last_day_of_year)
    for year, snap in raw.districts.items():
        d = last_day_of_year[year]
        for k, slot in enumerate((S.POPULATION, S.IN_CHINA_STOCK, S.IN_SOUTH_KOREA_STOCK, S.DETAINED_STOCK)):
            assert np.array_equal(snap[:, :, k].sum(axis=1), raw.daily[d, :, slot]), (year, S.DISTRICT_NAMES[k])
        residents = snap[:, :, 0]
        assert np.all((snap[:, :, 5][residents > 0] >= 0) & (snap[:, :, 5][residents > 0] <= 1))


def test_guard_slots_stay_a_permutation(done: Done) -> None:
    g = done.sim.pop.guards
    n = len(g.city)
    np.testing.assert_array_equal(np.sort(g.slot_guard), np.arange(n))
    np.testing.assert_array_equal(g.slot[g.slot_guard], np.arange(n))
    # rotation swaps posts within a city only
    slot_city = np.repeat(np.arange(len(g.city_slot_start) - 1), np.diff(g.city_slot_start))
    np.testing.assert_array_equal(slot_city[g.slot], g.city)


def test_currency_reform_runs_keep_wealth_non_negative() -> None:
    """A reform that wipes all won above the limit (intensity 1) and a low limit leave nobody negative."""
    scenario, params = resolve("hoeryong-2007", start="2009-06-01",
                               overrides={"redenomination_limit_kpw": 50000})
    sim = Simulation(scenario, params, seed=9, scale=0.03)
    raw = sim.run()
    assert raw.daily[:, 0, S.CONFISCATED_CNY].sum() > 0
    hh = sim.pop.households
    assert np.all(hh.kpw >= 0.0) and np.all(hh.cny >= 0.0)


# ------------------------------------------------------------------------------------------ memory safety
CHILD = textwrap.dedent("""
    import sys
    import nkborder.engine.sim as simmod
    from nkborder.api import run

    real = simmod.run_days
    over = []

    def checked(*args):
        n = real(*args)
        active = args[2].active  # run_days(d0, d1, today)
        if n > len(active):
            over.append((int(args[0]), n - len(active)))
        return n

    simmod.run_days = checked
    run("hoeryong-2007", seed=0, scale=0.1, start="2006-11-01", end="2007-12-31",
        overrides={"smuggler_detention_days": 14}, daily=False)
    print("overflow", over, flush=True)
    sys.exit(3 if over else 0)
""")


# A smuggler released within the month can be detained again, so the daily tracking list needs more than one
# entry per smuggler; with smuggler_detention_days=14 (inside its range) under the 2007 crackdown a list sized
# for one entry would be written past its end (heap corruption). Run in a child process so that an overflow
# cannot take the test session down.
def test_tracked_buffer_never_overflows() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr[-2000:]}"
