"""Guards' income: the two levers of border control (a crackdown against crossings alone or against markets,
smuggling and crossings at once), the arranged passage of lone crossers, and the guard's part of a broker's fee.

The crossing tests call the crossing kernel on one person of a small population with the day's conditions set by
hand (detection 0 or 1, acceptance 1, no betrayal, no broker), so each asserts one rule; thresholds follow from
the rules, not from runs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from numba import njit

from nkborder.core import slots as S
from nkborder.core.state import kernel_params, with_values
from nkborder.engine.sim import Simulation
from nkborder.model.defection import cross, fee_split
from nkborder.model.guards import post_guards
from nkborder.model.policy import build_environment, crossing_control, policy_levers, watch_on_crossers
from nkborder.params import Params
from nkborder.scenarios import PolicyEvent, Scenario, load_scenario

START, END = dt.date(2005, 1, 1), dt.date(2005, 12, 31)
EVENT_START, EVENT_END = dt.date(2005, 3, 1), dt.date(2005, 9, 30)


def one_event(kind: str, intensity: float = 0.4) -> Scenario:
    """Hyesan in 2005 with a single event of ``kind`` from March to September."""
    event = PolicyEvent(id="e", kind=kind, start=EVENT_START, end=EVENT_END, place="border", intensity=intensity)
    return Scenario(name="one-event", cities=("Hyesan",), start=START, end=END, events=(event,))


# ------------------------------------------------------------------------------------------ the two levers
def test_crossing_control_is_the_stronger_of_crackdown_and_border_control() -> None:
    levers = {"crackdown": np.array([[0.0], [0.3], [0.6]]), "control": np.array([[0.4], [0.4], [0.4]])}
    assert crossing_control(levers)[:, 0].tolist() == [0.4, 0.4, 0.6]


def test_the_sealed_border_watches_crossers_but_leaves_the_detection_to_its_own_gain() -> None:
    # seed-hyesan-2024: "border controls fortified to levels unseen in decades", "surveillance reigns"
    levers = {"crackdown": np.array([[0.0], [0.3], [0.0]]), "control": np.array([[0.4], [0.0], [0.0]]),
              "closure": np.array([[0.0], [1.0], [0.0]])}
    assert watch_on_crossers(levers)[:, 0].tolist() == [0.4, 1.0, 0.0]
    assert crossing_control(levers)[:, 0].tolist() == [0.4, 0.3, 0.0]
    p = Params()
    closure = build_environment(one_event("border_closure", 1.0), p)
    crackdown = build_environment(one_event("crackdown", 1.0), p)
    quiet = build_environment(one_event("border_closure", 0.0), p)
    on = (EVENT_START - START).days + 10
    for name in ("betray", "inminban_report"):
        assert closure._asdict()[name][on, 0] == crackdown._asdict()[name][on, 0] > quiet._asdict()[name][on, 0]
    hazard = -np.log1p(-closure.detect_self[on, 0]) / -np.log1p(-quiet.detect_self[on, 0])
    assert hazard == pytest.approx(1.0 + p.closure_detect_gain)


def test_border_control_tightens_crossings_like_a_crackdown_but_leaves_smuggling_and_markets() -> None:
    p = Params()
    control = build_environment(one_event("border_control"), p)
    crackdown = build_environment(one_event("crackdown"), p)
    quiet = build_environment(one_event("border_control", 0.0), p)
    on = (EVENT_START - START).days + 10
    # crossings: the same detection, betrayal and inminban reports as a crackdown of the same intensity
    for name in ("detect_self", "detect_broker", "betray", "inminban_report", "broker_fee_cny", "bribe_cny"):
        assert getattr(control, name)[on, 0] == getattr(crackdown, name)[on, 0], name
        assert getattr(control, name)[on, 0] > getattr(quiet, name)[on, 0], name
    # smuggling and markets: untouched by border control, changed by the crackdown
    for name in ("guard_cut", "smuggler_arrest", "trip_rate", "tolerance", "seizure", "crackdown"):
        assert getattr(control, name)[on, 0] == getattr(quiet, name)[on, 0], name
        assert getattr(crackdown, name)[on, 0] != getattr(quiet, name)[on, 0], name
    assert control.guard_cut[on, 0] == p.guard_cut_base
    # before and after the event nothing differs
    for d in (0, (EVENT_END - START).days + 1):
        assert control.detect_self[d, 0] == quiet.detect_self[d, 0]


def test_smuggling_control_raises_the_cut_but_leaves_arrests_crossings_and_markets() -> None:
    # rfa-2015: the guards took 30-40 % instead of 11 % and let the smugglers pass; arrests are the crackdown's
    p = Params()
    control = build_environment(one_event("smuggling_control"), p)
    quiet = build_environment(one_event("smuggling_control", 0.0), p)
    on = (EVENT_START - START).days + 10
    assert control.guard_cut[on, 0] == pytest.approx(p.guard_cut_base + (p.guard_cut_max - p.guard_cut_base) * 0.4)
    assert control.guard_cut[on, 0] > quiet.guard_cut[on, 0]
    for name in ("smuggler_arrest", "detect_self", "betray", "inminban_report", "tolerance", "seizure", "trip_rate",
                 "crackdown"):
        assert getattr(control, name)[on, 0] == getattr(quiet, name)[on, 0], name


def test_a_crackdown_and_the_sealed_border_raise_smuggler_arrests() -> None:
    p = Params()
    quiet = build_environment(one_event("crackdown", 0.0), p)
    on = (EVENT_START - START).days + 10
    for kind in ("crackdown", "border_closure", "trade_control"):
        env = build_environment(one_event(kind), p)
        assert env.smuggler_arrest[on, 0] > quiet.smuggler_arrest[on, 0], kind


def test_the_tightenings_of_2010_and_2012_leave_the_guards_cut_at_its_base_until_2014() -> None:
    # rfa-2015: 11 % "before 2014", 30-40 % in 2014-15 under control "3-4 times stricter" (a crackdown)
    sc = load_scenario("history").with_dates(dt.date(2009, 1, 1), dt.date(2015, 12, 31))
    p = Params()
    env, levers = build_environment(sc, p), policy_levers(sc)
    days = np.datetime64(sc.start, "D") + np.arange(env.guard_cut.shape[0])
    tightening = (days >= np.datetime64("2010-02-01")) & (days < np.datetime64("2014-01-01"))
    stricter = (days >= np.datetime64("2014-01-01")) & (days <= np.datetime64("2015-12-31"))
    assert (levers["control"][tightening] > 0).all()  # the tightenings are in force ...
    assert (env.guard_cut[tightening] == p.guard_cut_base).all()  # ... and do not raise the cut
    assert (env.guard_cut[stricter] > 2.5 * p.guard_cut_base).all()
    assert (env.tolerance[stricter] >= env.tolerance[tightening][-1]).all()  # markets are not repressed
    quiet = (days >= np.datetime64("2009-01-01")) & (days < np.datetime64("2010-02-01"))
    assert (env.detect_self[tightening] > env.detect_self[quiet].max()).all()  # crossings are watched more


# ------------------------------------------------------------------------------------------ the crossing
@pytest.fixture(scope="module")
def sim() -> Simulation:
    """Hoeryong in 2005, before anything runs: the population and guards of day 0."""
    sc = load_scenario("history").with_dates(START, END).model_copy(update={"cities": ("Hoeryong",)})
    return Simulation(sc, Params(), seed=3, scale=0.01)


@njit
def cross_from_python(*args: object) -> bool:
    """The crossing kernel, which only kernels can call (nkborder.core.jit.inner_kernel), called from a test."""
    return cross(*args)


def cross_one(sim: Simulation, *, detect: float, kin: bool, credit: float = 0.0) -> tuple[int, float, np.ndarray]:
    """One poor resident of a fresh copy of ``sim`` crosses alone on day 0; the guard always agrees, never
    betrays, nobody offers a route. Returns the crosser's status, the guards' earnings and the day's record."""
    pop = sim.pop
    people, hh = pop.people, pop.households
    i = int(np.flatnonzero(people.status[: people.count[0]] == S.RESIDENT)[0])
    h = int(people.household[i])
    people, hh, guards, brokers, cities = (_copy(x) for x in (people, hh, pop.guards, pop.brokers, pop.cities))
    hh.cny[h], hh.kpw[h], hh.n_south_korea[h] = 0.0, 0.0, (1 if kin else 0)
    env = sim.env._replace(
        detect_self=np.full_like(sim.env.detect_self, detect), bribe_accept=np.ones_like(sim.env.bribe_accept),
        betray=np.zeros_like(sim.env.betray), broker_available=np.zeros_like(sim.env.broker_available),
        inminban_report=np.zeros_like(sim.env.inminban_report))
    kp = with_values(kernel_params(Params(kin_pay_prob=1.0)), crossing_credit=credit, no_route_give_up=0.0)
    post_guards(guards, env.troops[0])
    daily = np.zeros_like(sim.daily)
    cross_from_python(0, i, sim.key, people, hh, guards, brokers, cities, pop.n_sectors, env, kp, daily,
                      sim.sectors[0].copy())
    return int(people.status[i]), float(guards.earnings_cny.sum()), daily[0, 0]


def _copy(arrays: tuple) -> tuple:
    """A copy of a NamedTuple of arrays (the kernel changes them in place)."""
    return type(arrays)(*(a.copy() for a in arrays))


@pytest.mark.parametrize("detect", [0.0, 1.0])
def test_a_lone_crosser_whose_kin_pay_buys_his_passage_from_the_guard(sim: Simulation, detect: float) -> None:
    status, earned, day = cross_one(sim, detect=detect, kin=True)
    bribe = sim.env.bribe_cny[0, 0]
    assert status == S.IN_CHINA  # let across even where he would have been seen
    assert earned == pytest.approx(bribe)  # the guard is paid whether or not he would have been seen
    assert day[S.KIN_PAID_CNY] == pytest.approx(bribe) and day[S.CROSSINGS_KIN_PAID] == 1
    assert day[S.GUARD_BRIBES_CROSSERS_CNY] == pytest.approx(bribe)


def test_a_crosser_who_can_borrow_the_bribe_pays_the_guard(sim: Simulation) -> None:
    status, earned, day = cross_one(sim, detect=1.0, kin=False, credit=1.0)
    assert status == S.IN_CHINA and day[S.CROSSINGS_ON_CREDIT] == 1
    assert earned == pytest.approx(sim.env.bribe_cny[0, 0])


@pytest.mark.parametrize("detect,expected", [(1.0, S.DETAINED), (0.0, S.IN_CHINA)])
def test_a_crosser_nobody_pays_for_slips_across_unseen_or_is_arrested(sim: Simulation, detect: float,
                                                                      expected: int) -> None:
    status, earned, day = cross_one(sim, detect=detect, kin=False)
    assert status == expected
    assert earned == 0.0 and day[S.GUARD_BRIBES_CROSSERS_CNY] == 0.0


# ------------------------------------------------------------------------------------------ a broker's fee
@pytest.mark.parametrize("fee,bribe", [(500.0, 500.0), (650.0, 500.0), (300.0, 500.0), (10000.0, 700.0)])
def test_the_guard_takes_his_share_of_a_fee_but_never_less_than_a_lone_crossers_bribe(fee: float,
                                                                                       bribe: float) -> None:
    p = Params()
    broker, guard, guides = fee_split(fee, bribe, p.broker_share, p.guard_share_of_fee)
    assert broker + guard + guides == pytest.approx(fee)
    assert guard == pytest.approx(max(p.guard_share_of_fee * fee, min(bribe, fee)))
    assert min(broker, guides) >= 0.0
    if guard < fee:  # broker and guides share the rest 4:3
        assert broker / guides == pytest.approx(p.broker_share / (1.0 - p.broker_share - p.guard_share_of_fee))
