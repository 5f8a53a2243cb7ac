"""China's own timeline: movement controls and closed borders, detention in China, mass repatriation.

Thresholds follow from the equations of ``docs/odd.md`` (section 7.13) and were fixed before looking at output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nkborder import run
from nkborder.core import slots as S
from nkborder.errors import InputError
from nkborder.model.policy import build_environment, policy_levers
from nkborder.params import Params
from nkborder.scenarios import PolicyEvent, load_scenario

# Hyesan 2012-2024 with a higher intent to cross (as the docking scenario), so that a 2 % population has people
# in China, caught in China and held there through the closure; the history timeline otherwise.
HELD_TOML = """
    base = "history"
    name = "held"
    cities = ["Hyesan"]
    start = 2012-01-01
    end = 2024-06-30

    [params]
    intent_intercept = -8.0
    china_capture_rate = 0.3
"""
DETENTION_DAYS = Params().china_detention_days


def _day(sc, day: str) -> int:
    return (dt.date.fromisoformat(day) - sc.start).days


def test_china_events_span_the_dated_rows_of_policy_events() -> None:
    sc = load_scenario("history")
    lv = policy_levers(sc)
    for city in range(len(sc.cities)):  # China's measures act on people from either city
        assert lv["china_controls"][_day(sc, "2020-01-22"), city] == 0.0
        assert lv["china_controls"][_day(sc, "2020-01-23"), city] == 1.0
        assert lv["china_controls"][_day(sc, "2022-12-06"), city] == 1.0
        assert lv["china_controls"][_day(sc, "2022-12-07"), city] == 0.0
        assert lv["china_closure"][_day(sc, "2020-03-27"), city] == 0.0
        assert lv["china_closure"][_day(sc, "2023-01-07"), city] == 1.0
        assert lv["china_closure"][_day(sc, "2023-01-08"), city] == 0.0
        mass = lv["mass_repatriation"][:, city]
        assert np.flatnonzero(mass).tolist() == [_day(sc, "2023-10-09")]  # one day only


def test_controls_and_closure_stop_onward_journeys_and_raise_capture() -> None:
    sc = load_scenario("history")
    p = sc.parameters()
    env = build_environment(sc, p)
    before, controls, both = _day(sc, "2019-12-01"), _day(sc, "2020-02-15"), _day(sc, "2021-06-01")
    # onward: the same route and North Korean closure factors; China's factors multiply
    assert env.onward[both, 0] < env.onward[before, 0] * (1 - p.closure_onward_stop) * 0.01
    assert env.onward[controls, 0] == pytest.approx(
        env.onward[before, 0] * (1 - p.closure_onward_stop) * (1 - p.china_controls_onward_stop), rel=1e-3)
    # capture: higher under the controls than just before them, by the controls' gain (surveillance grows
    # by well under 1 % in the weeks between)
    ratio = env.capture[controls, 0] / env.capture[_day(sc, "2020-01-22"), 0]
    assert ratio == pytest.approx(1 + p.china_controls_capture_gain, rel=0.01)
    # surveillance rises over time, from 2002 on
    assert env.capture[_day(sc, "2001-06-01"), 0] == env.capture[_day(sc, "1999-06-01"), 0]
    assert env.capture[_day(sc, "2015-06-01"), 0] > env.capture[_day(sc, "2005-06-01"), 0]
    # repatriation from Chinese detention stops under the closure and resumes when returnees are allowed
    assert env.repatriate[_day(sc, "2021-06-01"), 0] == pytest.approx(
        (1 - p.closure_repatriation_stop) / p.china_detention_days)
    assert env.repatriate[_day(sc, "2023-09-01"), 0] == pytest.approx(1 / p.china_detention_days)


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> list[pd.DataFrame]:
    path = Path(tmp_path_factory.mktemp("held")) / "held.toml"
    path.write_text("\n".join(line.strip() for line in HELD_TOML.splitlines()), encoding="utf-8")
    return [run(path, seed=seed, scale=0.02).daily.set_index("date") for seed in (1, 2)]


def test_people_caught_in_china_wait_there_until_the_mass_repatriation(held: list[pd.DataFrame]) -> None:
    for daily in held:
        stock = daily["detained_in_china"]
        # before the closure a caught person is handed over after china_detention_days on average: by Little's
        # law the mean stock is the captures per day times that mean stay
        normal = daily.loc["2015-01-01":"2019-12-31"]
        expected = normal["caught_in_china"].sum() / len(normal) * DETENTION_DAYS
        assert 0.5 * expected < normal["detained_in_china"].mean() < 2.0 * expected
        # during the closure they accumulate; once North Korea takes its citizens back (27 August 2023) the
        # handovers resume at the normal pace
        assert stock.loc["2023-08-26"] > stock.loc["2019-12-31"] + 5
        assert 0 < stock.loc["2023-10-08"] < stock.loc["2023-08-26"]
        # on 9 October 2023 everyone still held is handed over and detained at home (only those caught that day
        # are held at its end)
        assert stock.loc["2023-10-09"] == daily.loc["2023-10-09", "caught_in_china"]
        assert daily.loc["2023-10-09", "repatriated"] == stock.loc["2023-10-08"]
        assert (daily["repatriated_female"] <= daily["repatriated"]).all()
        # from 2020 to August 2023 repatriations are a trickle: fewer than the people caught
        closure = daily.loc["2020-02-01":"2023-08-26"]
        assert closure["repatriated"].sum() < 0.5 * closure["caught_in_china"].sum()


def test_arrivals_during_and_after_the_closure_left_before_it(held: list[pd.DataFrame]) -> None:
    for daily in held:
        arrivals, left_before = daily["arrivals_south_korea"], daily["arrivals_south_korea_left_before_2020"]
        assert (left_before <= arrivals).all()
        assert (left_before.loc[:"2019-12-31"] == arrivals.loc[:"2019-12-31"]).all()
    # onward journeys almost stop under China's controls and closure (together x 0.005 of the hazard)
    before = sum(d["arrivals_south_korea"].loc["2016-01-01":"2019-12-31"].sum() for d in held) / 4
    during = sum(d["arrivals_south_korea"].loc["2020-04-01":"2022-11-30"].sum() for d in held) / (32 / 12)
    assert before > 5 and during < 0.2 * before


def test_china_place_takes_only_chinas_kinds() -> None:
    PolicyEvent(id="x", kind="mass_repatriation", start=dt.date(2023, 10, 9), place="china")
    with pytest.raises(ValueError, match="cannot act at place 'china'"):
        PolicyEvent(id="x", kind="crackdown", start=dt.date(2023, 10, 9), place="china")


def test_unknown_place_names_china_among_the_allowed(write_toml) -> None:
    path = write_toml("""
        name = "bad"
        [[events]]
        id = "x"
        kind = "mass_repatriation"
        start = 2023-10-09
        place = "Beijing"
    """)
    with pytest.raises(InputError, match="china"):
        load_scenario(path)


def test_the_2014_punishment_holds_the_repatriated_and_leaves_the_crossers_risk() -> None:
    # kinu-2016: "all repatriated border crossers sent to long-term re-education camps" (data/policy_events.csv: 2014)
    sc = load_scenario("history")
    p = sc.parameters()
    env = build_environment(sc, p)
    before, after = _day(sc, "2013-06-01"), _day(sc, "2016-06-01")
    for city in range(len(sc.cities)):
        assert env.repatriation_detention_days[before, city] == env.detention_days[before, city]
        assert env.repatriation_detention_days[after, city] == pytest.approx(5 * 365.25)
        assert env.detention_days[after, city] == env.detention_days[before, city]  # the 2004 punishment
    without = sc.model_copy(update={"events": tuple(e for e in sc.events if e.id != "punishment-2014")})
    env_without = build_environment(without, p)
    assert np.array_equal(env.risk, env_without.risk)
    assert np.array_equal(env.broker_fee_cny, env_without.broker_fee_cny)


REPATRIATION_TOML = HELD_TOML.replace('name = "held"', 'name = "repatriation-punishment"').replace(
    "end = 2024-06-30", "end = 2016-12-31") + """
    [[events]]
    id = "long-terms"
    kind = "repatriation_punishment"
    start = 2014-02-01
    intensity = {years}
    source = "test"
"""


def test_people_handed_over_by_china_are_held_for_the_repatriation_punishment(tmp_path: Path) -> None:
    # the event follows the history's punishment-2014 (the latest setter in force wins)
    detained_end, repatriated = {}, {}
    for years in (0.0, 15.0):
        path = tmp_path / f"rep{years:g}.toml"
        text = REPATRIATION_TOML.format(years=years)
        path.write_text("\n".join(line.strip() for line in text.splitlines()), encoding="utf-8")
        daily = run(path, seed=1, scale=0.02).daily.set_index("date")
        detained_end[years] = daily["detained"].iloc[-1]
        repatriated[years] = daily.loc["2014-02-01":, "repatriated"].sum()
    # held 15 years on average, most of those handed over since February 2014 are still held at the end of 2016
    # (exponential terms: 1 - exp(-3 / 15) = 18 % are released within three years); held 0 years, none are
    assert repatriated[15.0] > 20
    assert detained_end[15.0] - detained_end[0.0] > 0.5 * repatriated[15.0]


def test_chinas_hunt_grows_until_its_last_dated_sign_and_then_holds() -> None:
    # data/fees_and_bribes.csv: 2016, a 1,000 CNY reward for reporting crossers: the last sign of the growth
    sc = load_scenario("history")
    p = sc.parameters()
    env = build_environment(sc, p)
    assert p.china_surveillance_until == 2017.0
    assert env.capture[_day(sc, "2016-06-01"), 0] > env.capture[_day(sc, "2012-06-01"), 0]
    assert env.capture[_day(sc, "2017-01-01"), 0] == env.capture[_day(sc, "2019-12-31"), 0]
    ratio = env.capture[_day(sc, "2019-06-01"), 0] / env.capture[_day(sc, "2002-01-01"), 0]
    assert ratio == pytest.approx(np.exp(p.china_surveillance_growth * 15.0), rel=1e-9)



def _direct_run(share: float) -> pd.DataFrame:
    """History 2012-2015 with a higher intent to cross and every onward fee lent; ``share`` of the crossers have
    the journey on to South Korea arranged."""
    overrides = {"intent_intercept": -8.0, "onward_credit": 1.0, "direct_escape_share": share}
    return run("history", seed=3, scale=0.02, start="2012-01-01", end="2015-12-31", overrides=overrides).yearly


def test_crossers_with_the_journey_arranged_arrive_on_the_crossing_day() -> None:
    # with every crosser's journey arranged and every fee lent, the route developed (route_year 2002) and no
    # closure in 2012-2015, each crossing is an arrival the same day: nobody new is left in China
    direct = _direct_run(1.0)
    crossings, arrivals = direct["crossings_succeeded"].sum(), direct["arrivals_south_korea"].sum()
    assert crossings > 20
    assert arrivals >= 0.98 * crossings
    # without it the crossers stay months or years: many are caught first, and some are still in China at the end
    stay = _direct_run(0.0)
    assert stay["arrivals_south_korea"].sum() < 0.8 * stay["crossings_succeeded"].sum()
    in_china_at_end = [run_.groupby("year")["in_china"].sum().iloc[-1] for run_ in (direct, stay)]
    assert in_china_at_end[1] > 5 * max(in_china_at_end[0], 1)


def _settled_going_home(steady_return_rate: float) -> tuple[int, int, int]:
    """History 1998-2009 with a higher intent to cross and no ``return_rate``, followed month by month: (settled
    people in China at the start of a month who are at home at the start of the next, settled person-months,
    people who went home from China in the run)."""
    from nkborder.api import resolve
    from nkborder.core.slots import IN_CHINA, RESIDENT
    from nkborder.engine.sim import Simulation

    overrides = {"intent_intercept": -8.0, "return_rate": 0.0, "steady_return_rate": steady_return_rate}
    sim = Simulation(*resolve("history", start="1998-01-01", end="2009-12-31", overrides=overrides), seed=4,
                     scale=0.02)
    people, went_home, person_months, settled, before = sim.pop.people, 0, 0, np.array([], int), None
    for _, day in sim.steps():
        if before is not None:  # at home a month later, the same person (a freed slot may hold a newborn), not
            # released from a detention (caught, handed over and released within the month)
            went_home += int(((people.status[settled] == RESIDENT) & (people.birth_day[settled] == before[0])
                              & (people.release_day[settled] == before[1])).sum())
        in_china = np.flatnonzero(people.status == IN_CHINA)
        settled = in_china[(day - people.crossed_day[in_china]) > people.settle_days[in_china]]
        before = people.birth_day[settled].copy(), people.release_day[settled].copy()
        person_months += len(settled)
    return went_home, person_months, int(sim.daily[..., S.RETURNED_FROM_CHINA].sum())


def test_everyone_in_china_settled_or_not_goes_home_at_the_steady_rate() -> None:
    # with return_rate 0 going home is the steady rate alone: at 0 nobody goes home, settled or not
    went_home, person_months, returned = _settled_going_home(0.0)
    assert person_months > 1000 and went_home == 0 and returned == 0
    # at 0.3 a year settled people go home too, about 0.3 / 12 of them a month (capture and the onward journey
    # compete a little; a person caught and handed over in the same month is detained, not at home)
    went_home, person_months, returned = _settled_going_home(0.3)
    assert went_home > 30 and returned > went_home
    assert 0.7 * 0.3 / 12 < went_home / person_months < 1.1 * 0.3 / 12
