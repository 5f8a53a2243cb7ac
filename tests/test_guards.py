"""Border guards: who is on duty (the ``troops`` lever), which guard a crosser meets, rotation among the manned
slots, state pay and posting bribes, and the shorter shifts of 2018 in Hoeryong (acceptance of bribes).

Comparisons between runs use the same seed on both sides (common random numbers); thresholds were set from the
rules before looking at the output, and the comment next to each gives the reasoning.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from nkborder.api import run
from nkborder.core import slots as S
from nkborder.core.rng import GUARD_PICK, seed_key, stream_key, uniform
from nkborder.engine.sim import Simulation
from nkborder.model.common import base_slots, pick_guard
from nkborder.model.guards import kth_manned_slot, post_guards, slot_manned
from nkborder.model.policy import DAYS_PER_MONTH, WAGE_NEW, build_environment
from nkborder.model.population import build_population
from nkborder.params import Params
from nkborder.scenarios import Scenario, load_scenario

SCALE = 0.02
SPECIAL_FORCES = dt.date(2020, 8, 2)  # the history timeline's troops event in Hyesan (level 1.07)


def history_window(city: str, start: dt.date, end: dt.date, drop: tuple[str, ...] = ()) -> Scenario:
    """The ``history`` timeline for one city from ``start`` to ``end``, without the events ``drop``."""
    sc = load_scenario("history").with_dates(start, end)
    return sc.model_copy(update={"cities": (city,), "events": tuple(e for e in sc.events if e.id not in drop)})


def day(sc: Scenario, date: dt.date) -> int:
    return (date - sc.start).days


# ------------------------------------------------------------------------------------------ slots and manning
@pytest.fixture(scope="module")
def guards():
    """Both cities' guards at scale 0.02, with slots for a troop level of 1.5."""
    return build_population(Params(), ("Hoeryong", "Hyesan"), SCALE, 1, 10, np.array([1.5, 1.5])).guards


@pytest.mark.parametrize("troops", [0.3, 0.8, 1.0, 1.2, 1.5])
def test_crossers_meet_only_manned_slots_of_their_sector(guards, troops: float) -> None:
    post_guards(guards, np.array([troops, troops]))
    key = stream_key(seed_key(3), GUARD_PICK, 0)
    for c in range(2):
        n_sectors = int(guards.sector_start[c + 1] - guards.sector_start[c])
        base, on_duty = base_slots(guards, c), int(guards.on_duty[c])
        assert on_duty == max(n_sectors, round(base * troops))  # within the allocated slots at these levels
        manned = {s for s in range(guards.city_slot_start[c], guards.city_slot_start[c + 1])
                  if slot_manned(guards, c, s)}
        assert len(manned) == on_duty
        # rotation draws over exactly the manned slots
        assert {kth_manned_slot(guards, c, k) for k in range(on_duty)} == manned
        met = set()
        for sector in range(n_sectors):
            slots = {int(guards.slot[pick_guard(guards, c, sector, key, i)]) for i in range(3000)}
            assert slots <= manned
            assert len(slots) == (on_duty - 1 - sector) // n_sectors + 1  # every manned slot of the sector is met
            met |= slots
        assert met == manned  # every manned slot belongs to one sector
    post_guards(guards, np.array([1.0, 1.0]))


def test_at_troops_one_the_guard_met_is_drawn_as_with_a_fixed_number_per_sector(guards) -> None:
    post_guards(guards, np.array([1.0, 1.0]))
    key = stream_key(seed_key(5), GUARD_PICK, 17)
    for c in range(2):
        per, a = int(guards.slots_per_sector[c]), int(guards.city_slot_start[c])
        for sector in (0, 3):
            for i in range(500):
                before = guards.slot_guard[a + sector * per + int(uniform(key, i) * per)]
                assert pick_guard(guards, c, sector, key, i) == before


def test_extra_guards_follow_the_first_ones_and_leave_their_dates_unchanged() -> None:
    p = Params()
    plain = build_population(p, ("Hoeryong", "Hyesan"), SCALE, 4, 10).guards
    more = build_population(p, ("Hoeryong", "Hyesan"), SCALE, 4, 10, np.array([1.0, 1.3])).guards
    n = len(plain.city)
    hyesan = base_slots(plain, 1)
    assert len(more.city) == n + round(hyesan * 1.3) - hyesan and np.all(more.city[n:] == 1)
    for field in ("city", "service_end", "next_rotation"):
        np.testing.assert_array_equal(getattr(more, field)[:n], getattr(plain, field))
    # the first guards hold the first slots of their city; the extra ones the slots after them
    np.testing.assert_array_equal(more.slot[:n] - more.city_slot_start[more.city[:n]],
                                  plain.slot - plain.city_slot_start[plain.city])
    assert np.all(more.slot[n:] - more.city_slot_start[1] >= hyesan)


# ------------------------------------------------------------------------------------------ troops
@pytest.fixture(scope="module")
def hyesan_2020() -> tuple[Simulation, Simulation]:
    """Hyesan 2019 - mid 2021 with the special forces of August 2020, and the same without them."""
    start, end = dt.date(2019, 1, 1), dt.date(2021, 6, 30)
    runs = []
    for drop in ((), ("special-forces-2020",)):
        sc = history_window("Hyesan", start, end, drop)
        sim = Simulation(sc, sc.parameters(), seed=2, scale=SCALE)
        sim.raw = sim.run()
        runs.append(sim)
    return runs[0], runs[1]


def test_guards_on_duty_rise_with_the_special_forces(hyesan_2020: tuple[Simulation, Simulation]) -> None:
    sim, _ = hyesan_2020
    on_duty = sim.raw.daily[:, 0, S.GUARDS_ON_DUTY]
    base = base_slots(sim.pop.guards, 0)
    first = day(sim.scenario, SPECIAL_FORCES)
    assert np.all(on_duty[:first] == base)
    assert np.all(on_duty[first:] == round(base * 1.07)) and round(base * 1.07) > base  # 39 -> 42 at this scale
    assert len(sim.pop.guards.city) == round(base * 1.07)  # slots and guards for the highest level of the run


def test_per_guard_bribes_divide_by_the_guards_on_duty() -> None:
    sc = history_window("Hyesan", dt.date(2019, 1, 1), dt.date(2021, 6, 30))
    res = run(sc, seed=2, scale=SCALE, daily=False)
    y = res.yearly.set_index("year")
    np.testing.assert_allclose(y["guard_bribes_per_guard_cny"], y["guard_bribes_cny"] / y["guards_on_duty_mean"])
    base = y.loc[2019, "guards"]
    assert y.loc[2021, "guards_on_duty_mean"] == round(base * 1.07) == y.loc[2021, "guards"]
    # 2020: the base number until 1 August, then the larger one (214 and 152 days of a leap year)
    assert y.loc[2020, "guards_on_duty_mean"] == pytest.approx((214 * base + 152 * round(base * 1.07)) / 366)
    m = res.monthly.set_index("date")
    assert m.loc["2020-07-01", "guards"] == base and m.loc["2020-09-01", "guards"] == round(base * 1.07)


def test_a_troops_event_changes_nothing_before_it_starts(hyesan_2020: tuple[Simulation, Simulation]) -> None:
    # the extra guards come after the others, draw after them and are never met while not on duty
    with_forces, without = hyesan_2020
    first = day(with_forces.scenario, SPECIAL_FORCES)
    np.testing.assert_array_equal(with_forces.raw.daily[:first], without.raw.daily[:first])
    assert not np.array_equal(with_forces.raw.daily[first:, 0, S.GUARDS_ON_DUTY],
                              without.raw.daily[first:, 0, S.GUARDS_ON_DUTY])


def test_guards_not_posted_take_nothing_and_their_clocks_stand_still() -> None:
    sc = history_window("Hyesan", dt.date(2019, 1, 1), SPECIAL_FORCES - dt.timedelta(days=1))
    sim = Simulation(sc, sc.parameters(), seed=2, scale=SCALE)
    # the run ends the day before the special forces arrive: its guards are those of the run with them
    g0 = build_population(sc.parameters(), sc.cities, SCALE, 2, sim.n_days, np.array([1.07])).guards
    sim.pop.guards = g0
    sim.run()
    n = base_slots(g0, 0)
    assert np.all(g0.earnings_cny[n:] == 0.0) and np.all(g0.pay_cny[n:] == 0.0)
    fresh = build_population(sc.parameters(), sc.cities, SCALE, 2, sim.n_days, np.array([1.07])).guards
    np.testing.assert_array_equal(g0.service_end[n:], fresh.service_end[n:] + sim.n_days)
    np.testing.assert_array_equal(g0.next_rotation[n:], fresh.next_rotation[n:] + sim.n_days)


# ------------------------------------------------------------------------------------------ pay
def test_pay_accrues_months_times_the_monthly_pay_at_the_day_rate() -> None:
    sc = history_window("Hoeryong", dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    params = sc.parameters({"guard_pay_kpw_month": 3000.0})
    sim = Simulation(sc, params, seed=1, scale=SCALE)
    raw = sim.run()
    rate = raw.env.kpw_per_cny[:, 0]
    # new won of 2013: the pay is the parameter itself; a day on duty earns 1 / DAYS_PER_MONTH of it, converted
    # at the day's market rate, so a year is 365 / 30.4375 months of pay
    one_guard = np.sum(3000.0 / DAYS_PER_MONTH / rate)
    g = sim.pop.guards
    initial = build_population(params, sc.cities, SCALE, 1, sim.n_days).guards.service_end
    served_all_year = initial >= sim.n_days  # never discharged during the run
    assert served_all_year.sum() > 10
    np.testing.assert_allclose(g.pay_cny[served_all_year], one_guard, rtol=1e-12)
    daily = raw.daily[:, 0]
    assert daily[:, S.GUARD_PAY_CNY].sum() == pytest.approx(len(g.city) * one_guard, rel=1e-12)
    # posting bribes: one per discharge, at the day's rate
    np.testing.assert_allclose(daily[:, S.GUARD_POSTING_BRIBES_CNY],
                               daily[:, S.GUARDS_DISCHARGED] * params.posting_bribe_kpw / rate, rtol=1e-12)
    assert daily[:, S.GUARDS_DISCHARGED].sum() > 0


def test_pay_follows_the_state_wage_in_old_won() -> None:
    sc = history_window("Hoeryong", dt.date(2006, 1, 1), dt.date(2011, 12, 31))
    params = sc.parameters()
    env = build_environment(sc, params)
    pay_kpw = env.guard_pay_cny_day * DAYS_PER_MONTH * env.kpw_per_cny
    np.testing.assert_allclose(pay_kpw, params.guard_pay_kpw_month * env.wage_kpw / WAGE_NEW[0], rtol=1e-12)
    after = day(sc, dt.date(2010, 6, 1))
    assert pay_kpw[after, 0] == pytest.approx(params.guard_pay_kpw_month)  # new won: the 2013 amount


# ------------------------------------------------------------------------------------------ shifts
def test_shorter_shifts_lower_bribe_acceptance_from_february_2018() -> None:
    sc = load_scenario("history")
    env, params = build_environment(sc, sc.parameters()), sc.parameters()
    hoeryong, hyesan = sc.cities.index("Hoeryong"), sc.cities.index("Hyesan")
    before, after = day(sc, dt.date(2018, 1, 31)), day(sc, dt.date(2018, 2, 1))
    assert np.all(env.bribe_accept[: after] == params.bribe_accept)
    assert env.bribe_accept[after, hoeryong] == pytest.approx(params.bribe_accept * 0.2 ** 0.5)
    assert env.bribe_accept[before, hoeryong] == params.bribe_accept
    assert np.all(env.bribe_accept[:, hyesan] == params.bribe_accept)  # the source names Hoeryong and Onsong
    longer = build_environment(sc, sc.parameters({"shift_bribe_elasticity": 1.0}))
    assert longer.bribe_accept[after, hoeryong] == pytest.approx(params.bribe_accept * 0.2)


# Crossers who can pay: brokers are cheap and many with room to spare, brokered crossings as easy to detect as
# others, households richer. A household that can pay a broker uses one, and the shift acts on the detected
# brokered crossings (and on the lone crossers who can pay a bribe); these overrides make brokered crossings common.
PAYING_CROSSERS = {
    "intent_intercept": -7.0, "broker_fee_base_cny": 200.0, "broker_fee_elasticity": 0.2,
    "broker_risk_fee_elasticity": 0.0, "brokers_per_100k": 80.0, "broker_capacity_month": 20,
    "broker_detect_factor": 1.0, "market_cny_per_capita_day": 5.0, "trade_margin": 0.4, "consume_surplus": 0.3,
}


def test_shorter_shifts_arrest_more_crossers_in_hoeryong_2018() -> None:
    def yearly(drop: tuple[str, ...]):
        sc = history_window("Hoeryong", dt.date(2017, 1, 1), dt.date(2018, 12, 31), drop)
        runs = [run(sc, seed=s, scale=SCALE, overrides=PAYING_CROSSERS, daily=False).yearly for s in (1, 2, 3)]
        return sum(r.set_index("year").drop(columns="city") for r in runs)

    short, long = yearly(()), yearly(("short-shifts-hoeryong-2018",))
    assert short.loc[2017].equals(long.loc[2017])  # same seeds, same rules before February 2018
    brokered = long.loc[2018, "crossings_brokered"]
    assert brokered > 0.2 * long.loc[2018, "crossings_attempted"]
    # From February a guard agrees with 0.38 instead of 0.85. A crosser who paid (a broker's client, or a lone
    # crosser who would have arranged his passage) is then arrested with about 0.87 x (1 - 0.38 x 0.7) = 0.64
    # instead of 0.87 x (1 - 0.85 x 0.7) = 0.35 if brokered (detection 0.87 here, betrayal 0.3), and 0.38 x 0.3 +
    # 0.62 x 0.87 = 0.65 instead of 0.85 x 0.3 + 0.15 x 0.87 = 0.39 if alone: about 0.27 more. Payers are more than
    # a fifth of the attempts (the brokered alone), so arrests per attempt rise by about 0.27 x 0.2 x 11/12 = 0.05
    # or more. Caught brokers close routes, so the number of attempts differs: compare shares. We ask for 0.03.
    def share(t, column: str) -> float:
        return t.loc[2018, column] / t.loc[2018, "crossings_attempted"]

    assert share(short, "arrests_at_border") - share(long, "arrests_at_border") >= 0.03
    assert share(long, "crossings_succeeded") - share(short, "crossings_succeeded") >= 0.03
