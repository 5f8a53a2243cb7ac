"""Docking: the fast engine (``nkborder.run``) and the Mesa reference (``reference.run_reference``) are one model.

The reference builds its own daily conditions from the scenario's events and its own population from the census
(``reference/``); the fast tests check that its policy equations give the package's conditions on every day, that
its population follows the census like the package's, and that it imports nothing computed from the package. The
slow tests compare the two implementations' yearly profiles by the procedure of ``docs/docking.md``
(:func:`reference.docking.dock`), fixed before the docking results were looked at ("distributional
equivalence", Axtell, Axelrod, Epstein and Cohen 1996, Computational and Mathematical Organization Theory 1(2)):

* **Scenarios.** (1) ``hoeryong-2007`` as shipped, run from 2005-01-01 (Hoeryong, 2005-2009: the purification
  crackdown from December 2006 and the currency reform of 30 November 2009). (2) A docking scenario written to
  ``tmp_path`` (:data:`DOCKING_TOML`): Hyesan 2018-2021 on the ``history`` timeline (sanctions, the border
  closure of January 2020, buffer zone, fences, special forces and more guards on duty from August 2020, phone
  surveillance, checkpoints) plus a crackdown (Sep 2018 - Aug 2019), a Chinese repatriation campaign (spring
  2019), a half-year punishment regime, shorter guard shifts from 2019, China's movement controls and border
  closure from 2020 (on the ``history`` timeline), a mass repatriation from Chinese detention (June 2021, 80 % of
  those held) and a higher crossing intent, so that rare paths (brokers, bribes, kin payments, shootings,
  repatriations, onward journeys on credit) happen even in a small population.
* **Size.** Scale 0.02: 3,071 people in Hoeryong, 3,854 in Hyesan.
* **Samples.** 30 runs per implementation and scenario (15 at the reduced size of CI) with fixed seeds: 1-30 for
  the engine, 1001-1030 for the reference, independent samples (each implementation draws its own population).
* **Indicators** (:data:`INDICATORS`): each a column of the yearly table, compared year by year.
* **Test.** Per indicator, a permutation test of the yearly profiles; family level 0.01, Bonferroni over the
  indicators. The implementations dock when no indicator is rejected.
* **Negative control.** The same procedure on scenario (1) with the reference's guards detecting crossers twice
  as often (``rule_change="double_detection"``), reference seeds 2001-2030 against the engine sample of (1), 30
  runs a side at every size (15 a side detect it in too few repetitions: ``docs/docking.md``): at least one
  indicator must be rejected, which shows that the procedure can fail.

Cost: 150 reference runs (90 reduced), submitted at once to two worker processes while the engine runs go on in
the test process. ``pytest -s`` prints the p-values and the largest yearly differences.
"""

from __future__ import annotations

import ast
import datetime as dt
import multiprocessing
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

import nkborder
from nkborder.api import resolve
from nkborder.model.policy import build_environment
from nkborder.model.population import build_population
from nkborder.scenarios import PolicyEvent
from reference import run_reference
from reference.__main__ import main as reference_main
from reference.agents import Person
from reference.docking import dock, dock_profiles
from reference.environment import build_conditions
from reference.model import BorderModel

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.02
ENGINE_SEEDS = range(1, 31)
REFERENCE_SEEDS = range(1001, 1031)
CONTROL_SEEDS = range(2001, 2031)
REDUCED_SEEDS = 15  # seeds per sample at the reduced size (conftest.reduced_size)
FAMILY_ALPHA = 0.01
HOERYONG = ("hoeryong-2007", {"start": "2005-01-01"})
INDICATORS = (  # columns of the yearly table: flows in the year, stocks on its last day, means over its days
    "population", "crossings_attempted", "crossings_succeeded", "crossings_brokered", "arrests_at_border",
    "arrests_after_bribe", "attempts_no_route", "reported_before_border", "in_china", "caught_in_china",
    "detained_in_china", "repatriated", "detained", "in_south_korea", "arrivals_south_korea", "smuggling_trips",
    "smuggling_arrests", "smuggling_volume_cny", "market_turnover_kpw", "guard_bribes_cny",
    "guard_bribes_crossers_cny", "security_bribes_cny", "broker_fees_paid_cny", "brokers_caught",
    "brokers_working", "remittances_cny", "phone_contacts", "births", "deaths", "deaths_hunger", "income_mean_kpw",
    "wealth_mean_cny", "hardship_mean", "discontent_mean", "info_mean", "donju_capital_cny",
    "broker_commission_posted",
)
#: What the reference may import from ``nkborder``: the scenario and parameter objects, the observed driver
#: series read from the data files, and the names of the record's slots. Nothing computed by the model or engine.
ALLOWED_IMPORTS = ("nkborder.api", "nkborder.params", "nkborder.scenarios", "nkborder.inputs", "nkborder.core.slots")
DOCKING_TOML = """\
# Docking scenario: Hyesan 2018-2021 with a crackdown, a repatriation campaign and the 2020 closure.
base = "history"
name = "docking"
description = "Docking: crackdown, repatriation campaign, closure, buffer zone, fences, surveillance"
cities = ["Hyesan"]
start = 2018-01-01
end = 2021-12-31

[params]
intent_intercept = -9.0
kin_pay_prob = 0.8
onward_credit = 0.6

[[events]]
id = "docking-punishment"
kind = "punishment"
start = 2018-01-01
intensity = 0.5
source = "assumption: docking test"

[[events]]
id = "docking-crackdown"
kind = "crackdown"
start = 2018-09-01
end = 2019-08-31
place = "Hyesan"
intensity = 0.8
source = "assumption: docking test"

[[events]]
id = "docking-campaign"
kind = "china_campaign"
start = 2019-03-01
end = 2019-05-31
intensity = 1.0
source = "assumption: docking test"

[[events]]
id = "docking-mass-repatriation"
kind = "mass_repatriation"
start = 2021-06-01
place = "china"
intensity = 0.8
source = "assumption: docking test"

[[events]]
id = "docking-shifts"
kind = "guard_shifts"
start = 2019-01-01
place = "Hyesan"
intensity = 0.5
source = "assumption: docking test"
"""

GUARDS_TOML = """\
base = "history"
name = "guards"
cities = ["Hyesan"]
start = 2020-06-01
end = 2020-10-31

[[events]]
id = "shifts"
kind = "guard_shifts"
start = 2020-07-01
place = "Hyesan"
intensity = 1.0
source = "assumption: docking test"
"""



# Events of every kind, with the cases the lever rules distinguish: a setter in force from before the run and
# one that overrides it for a while; ramps of a setter that start before the run, that end before it and that
# follow another ramp;
# a step and a ramp of the same pressure lever overlapping; one-day kinds before the run (ignored) and with an
# end date and a ramp (still one day only); events for one city.
EDGE_EVENTS = [
    ("punishment", "2003-01-01", None, "national", 3.0, False),
    ("punishment", "2005-06-01", "2005-12-31", "national", 0.5, False),
    ("repatriation_punishment", "2005-09-01", None, "national", 8.0, False),
    ("guard_posts", "2003-06-01", "2004-06-30", "border", 2.0, True),
    ("fences", "2005-01-01", "2006-12-31", "national", 0.6, True),
    ("fences", "2007-03-01", "2007-09-30", "national", 0.9, True),
    ("troops", "2006-01-01", "2006-06-30", "Hyesan", 1.3, False),
    ("troops", "2002-01-01", "2003-06-30", "Hoeryong", 1.5, True),
    ("crackdown", "2005-03-01", "2005-09-01", "Hoeryong", 0.8, True),
    ("crackdown", "2005-06-01", "2005-07-31", "national", 0.5, False),
    ("currency_reform", "2003-11-30", None, "national", 0.9, False),
    ("currency_reform", "2007-02-01", "2007-03-31", "national", 0.4, True),
    ("mass_repatriation", "2006-05-01", "2006-12-31", "china", 0.7, True),
    ("china_campaign", "2005-03-01", "2005-05-31", "china", 1.0, False),
    ("china_movement_controls", "2006-01-01", "2007-06-30", "china", 1.0, False),
    ("china_border_closure", "2006-03-01", "2007-01-31", "china", 0.8, False),
    ("border_closure", "2006-02-01", "2007-12-31", "national", 1.0, False),
    ("returnees_allowed", "2006-06-01", "2006-12-31", "national", 0.5, False),
    ("sanctions", "2004-06-01", None, "national", 0.6, False),
    ("trade_control", "2007-01-01", None, "national", 0.7, False),
    ("surveillance", "2006-06-01", None, "Hyesan", 1.0, False),
    ("lax_border", "2004-01-01", "2004-12-31", "national", 0.5, False),
    ("betrayal_order", "2005-10-01", None, "national", 0.3, False),
    ("guard_shifts", "2006-02-01", None, "Hoeryong", 1.0, False),
    ("buffer_zone", "2007-05-01", None, "national", 1.0, False),
    ("famine", "2004-01-01", "2004-08-31", "national", 0.7, False),
    ("border_control", "2005-08-01", "2006-03-31", "Hyesan", 0.6, False),
    ("smuggling_control", "2006-09-01", "2007-04-30", "national", 0.5, True),
    ("market_tolerance", "2004-03-01", "2005-03-01", "national", 0.4, False),
    ("leadership", "2007-10-01", "2008-03-31", "national", 0.9, True),
]
class ReferenceJobs(NamedTuple):
    """The module's reference runs (futures), submitted together by the ``reference_jobs`` fixture."""

    hoeryong: list[Future]
    docking: list[Future]
    control: list[Future]
    docking_path: Path


def engine_runs(scenario: str | Path, seeds: Iterable[int], **kw: str) -> list[pd.DataFrame]:
    """Yearly tables of the fast engine, one per seed."""
    return [nkborder.run(scenario, seed=s, scale=SCALE, daily=False, **kw).yearly for s in seeds]


def submit_reference(pool: ProcessPoolExecutor, scenario: str | Path, seeds: Iterable[int],
                     **kw: str) -> list[Future]:
    """Start reference runs on the worker processes, one per seed; ``collect`` waits for their tables."""
    return [pool.submit(run_reference, scenario, seed=s, scale=SCALE, **kw) for s in seeds]


def collect(futures: list[Future]) -> list[pd.DataFrame]:
    """The yearly tables of submitted runs, in submission order."""
    return [f.result() for f in futures]


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """Two worker processes for the reference runs (fresh interpreters: ``spawn``)."""
    executor = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def reference_jobs(pool: ProcessPoolExecutor, tmp_path_factory: pytest.TempPathFactory,
                   reduced_size: bool) -> ReferenceJobs:
    """Every reference run of the module, submitted at once: the workers stay busy while the engine runs here."""
    docking = tmp_path_factory.mktemp("docking") / "docking.toml"
    docking.write_text(DOCKING_TOML, encoding="utf-8")
    name, kw = HOERYONG
    ref = _sized(REFERENCE_SEEDS, reduced_size)
    return ReferenceJobs(
        hoeryong=submit_reference(pool, name, ref, **kw),
        docking=submit_reference(pool, docking, ref),
        control=submit_reference(pool, name, CONTROL_SEEDS, rule_change="double_detection", **kw),
        docking_path=docking,
    )


@pytest.fixture(scope="module")
def engine_seeds(reduced_size: bool) -> range:
    return _sized(ENGINE_SEEDS, reduced_size)


def _sized(seeds: range, reduced: bool) -> range:
    """All ``seeds``, or their first :data:`REDUCED_SEEDS` at the reduced size."""
    return seeds[:REDUCED_SEEDS] if reduced else seeds


@pytest.fixture(scope="module")
def hoeryong_engine_all() -> list[pd.DataFrame]:
    """The engine sample of scenario (1) at full size: the negative control's, at every size."""
    name, kw = HOERYONG
    return engine_runs(name, ENGINE_SEEDS, **kw)


@pytest.fixture(scope="module")
def hoeryong_engine(engine_seeds: range, hoeryong_engine_all: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The engine sample of scenario (1) of the docking test: its first runs at the reduced size."""
    return hoeryong_engine_all[:len(engine_seeds)]


# ----------------------------------------------------------------------------------------------- fast tests
def test_reference_imports_nothing_computed_from_the_package() -> None:
    """The reference reads the scenario, the parameters and the data from ``nkborder``; it builds everything else
    (environment, population, rules, table) itself."""
    imported = set()
    for path in (ROOT / "reference").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {(path.name, f"{node.module}.{alias.name}") for alias in node.names}
            elif isinstance(node, ast.Import):
                imported |= {(path.name, alias.name) for alias in node.names}
    from_package = {(f, m) for f, m in imported if m.split(".")[0] == "nkborder"}
    assert from_package, "the reference reads its scenario through nkborder"
    bad = sorted((f, m) for f, m in from_package if not m.startswith(ALLOWED_IMPORTS))
    assert not bad, f"the reference imports computed parts of the package: {bad}"


@pytest.mark.parametrize("case", ["history", "edge cases", "intensity from a parameter"])
def test_reference_conditions_follow_the_package_policy_equations(case: str) -> None:
    """Every daily condition of every city that the reference builds from the events equals the package's
    ``build_environment`` (to rounding), and neither has a condition the other lacks."""
    overrides = {"tightening_2012_intensity": 0.8} if case == "intensity from a parameter" else None
    scenario, params = resolve("history", overrides=overrides)
    if case == "edge cases":
        events = tuple(PolicyEvent(id=f"edge-{k}", kind=kind, start=dt.date.fromisoformat(a),
                                   end=None if b is None else dt.date.fromisoformat(b), place=place,
                                   intensity=level, ramp=ramp)
                       for k, (kind, a, b, place, level, ramp) in enumerate(EDGE_EVENTS))
        scenario = scenario.model_copy(update={"events": events, "start": dt.date(2004, 1, 1),
                                               "end": dt.date(2008, 6, 30), "trade_hold_after": 2005})
    ref = build_conditions(scenario, params)
    env = build_environment(scenario, params)
    assert set(ref) == set(env._fields), set(ref) ^ set(env._fields)
    for name in env._fields:
        np.testing.assert_allclose(ref[name], getattr(env, name), rtol=1e-9, atol=1e-15, equal_nan=True,
                                   err_msg=f"{case}: condition {name}")
    if case == "intensity from a parameter":  # the tightening of 2012 at the run's value, not the default
        day = (dt.date(2012, 6, 1) - scenario.start).days
        assert (ref["betray"][day] > build_environment(*resolve("history")).betray[day]).all()
    if case == "edge cases":  # the cases are exercised: the conditions move within the run
        for name in ("reform", "mass_repatriation"):  # one-day kinds act on their start day only
            assert (env._asdict()[name] > 0).sum(axis=0).tolist() == [1, 1], name
        for name in ("detect_self", "tolerance", "capture", "onward", "repatriate", "mass_repatriation", "reform",
                     "guard_cut", "bribe_accept", "betray", "contact", "shoot", "trade_cny_day",
                     "repatriation_detention_days"):
            assert np.ptp(ref[name]) > 0, name


def test_reference_population_follows_the_census() -> None:
    """The reference's people per city are the census times the scale, as in the package; its guards, sectors,
    brokers and districts are the package's; households, traders, donju, smugglers and ages follow the same
    parameters (limits: 4 binomial or sampling standard errors)."""
    scenario, params = resolve("history", end="1995-01-31")
    model = BorderModel(scenario, params, seed=5, scale=0.05)
    pop = build_population(params, scenario.cities, 0.05, 5, model.n_days)
    people = list(model.agents_by_type[Person])
    for c, city in enumerate(model.cities):
        mine = [x for x in people if x.city is city]
        hh = city.households
        theirs = pop.people.city[:int(pop.people.count[0])] == c
        assert len(mine) == int(theirs.sum())
        assert city.n_sectors == int(pop.n_sectors[c])
        assert city.base_posts == int(pop.guards.slots_per_sector[c] * pop.n_sectors[c]) == len(city.posts)
        assert len(city.brokers) == int(pop.brokers.city_start[c + 1] - pop.brokers.city_start[c])
        assert city.n_districts == int(pop.cities.n_districts[c])
        assert sum(h.donju for h in hh) == int(pop.households.donju[pop.households.city == c].sum())
        n = len(hh)
        sizes = np.array(list(Counter(id(x.household) for x in mine).values()))
        assert len(sizes) == n and (sizes >= 1).all()
        assert abs(sizes.mean() - params.household_size) < 4 * np.sqrt(params.household_size - 1) / np.sqrt(n)
        for share, value in ((params.trader_share, np.mean([h.trader for h in hh])),
                             (0.5, np.mean([x.female for x in mine]))):
            assert abs(value - share) < 4 * np.sqrt(share * (1 - share) / n), (share, value)
        ages = np.array([-x.birth_day / 365.25 for x in mine])
        their_ages = -pop.people.birth_day[:int(pop.people.count[0])][theirs] / 365.25
        spread = np.sqrt(ages.var() / len(ages) + their_ages.var() / len(their_ages))
        assert abs(ages.mean() - their_ages.mean()) < 4 * spread
        smugglers = np.mean([h.smuggler is not None for h in hh])
        theirs_smuggle = np.mean(pop.households.smuggler[pop.households.city == c] >= 0)
        assert abs(smugglers - theirs_smuggle) < 4 * np.sqrt(2 * params.smuggler_share / n)


def test_reference_table_has_engine_columns() -> None:
    """Each column of the reference's yearly table is an engine column; the same years and cities, and the same
    posted conditions (both build them from the same events)."""
    kw = {"seed": 3, "scale": 0.002, "start": "2009-10-01", "end": "2010-02-28"}
    ref = run_reference("hoeryong-2007", **kw)
    fast = nkborder.run("hoeryong-2007", daily=False, **kw).yearly
    assert set(INDICATORS) <= set(ref.columns) <= set(fast.columns), set(ref.columns) - set(fast.columns)
    assert ref[["year", "city"]].equals(fast[["year", "city"]])
    for col in ("detect_prob", "broker_fee_posted_cny", "kpw_per_cny", "guards", "bribe_accept_prob",
                "guard_pay_cny", "state_wage_kpw", "market_tolerance"):
        np.testing.assert_allclose(ref[col], fast[col], err_msg=col)
    assert (ref["population"] > 0).all() and (ref["market_turnover_kpw"] > 0).all()
    assert run_reference("hoeryong-2007", **kw).equals(ref)  # a seed fixes the run


def _runs(**indicators: np.ndarray) -> list[pd.DataFrame]:
    """Yearly tables of synthetic runs: each indicator an array [run, year], years 2001-..."""
    first = next(iter(indicators.values()))
    years = 2001 + np.arange(first.shape[1])
    return [pd.DataFrame({"year": years, "city": "Hyesan", **{k: v[r] for k, v in indicators.items()}})
            for r in range(first.shape[0])]


def test_docking_procedure_rejects_a_shift_in_one_year_or_in_all() -> None:
    """Equal samples dock; a shift of 3 standard deviations in one of five years is rejected and found in its
    year, as is a shift of 1 standard deviation in every year; cells that never vary give p = 1."""
    rng = np.random.default_rng(11)
    a, b, c = rng.normal(size=(30, 5)), rng.normal(size=(30, 5)), rng.normal(size=(30, 5))
    assert not dock(_runs(x=a, y=c), _runs(x=b, y=c[::-1]), ["x", "y"]).rejected
    shifted = b.copy()
    shifted[:, 2] += 3.0
    result = dock(_runs(x=a, y=c), _runs(x=shifted, y=c[::-1]), ["x", "y"])
    assert result.rejected == ("x",) and result.effects["x"][1] == 2003, result.report()
    assert dock(_runs(x=a), _runs(x=b + 1.0), ["x"]).rejected == ("x",)
    constant = np.zeros((30, 5))
    assert dock(_runs(x=constant), _runs(x=constant), ["x"]).pvalues["x"] == 1.0


def test_docking_procedure_keeps_its_family_error_rate() -> None:
    """Samples of one model (ten correlated indicators, 15 runs a side) are rejected at family level 0.1 in at
    most 19 of 100 repetitions: the expected count is at most 10, and 19 is 3 binomial standard deviations above."""
    rng = np.random.default_rng(12)
    rejected = 0
    for rep in range(100):
        common = rng.normal(size=(30, 1, 5))
        values = common + rng.normal(size=(30, 10, 5))  # indicators sharing a run effect
        a, b = ({f"i{k}": values[half, k] for k in range(10)} for half in (slice(0, 15), slice(15, 30)))
        rejected += bool(dock_profiles(a, b, range(2001, 2006), family_alpha=0.1, n_permutations=999,
                                       seed=rep).rejected)
    assert rejected <= 19, rejected


def test_reference_guards_on_duty_pay_and_shifts_match(tmp_path: Path) -> None:
    """The special forces of August 2020 put the same number of guards on duty in both implementations, who
    draw the same pay, and shorter shifts give the same acceptance of bribes (deterministic, so equal)."""
    path = tmp_path / "guards.toml"
    path.write_text(GUARDS_TOML, encoding="utf-8")
    kw = {"seed": 2, "scale": 0.005}
    ref = run_reference(path, **kw)
    fast = nkborder.run(path, daily=False, **kw)
    for col in ("guards", "guards_on_duty_mean", "guard_pay_cny", "bribe_accept_prob"):
        np.testing.assert_allclose(ref[col], fast.yearly[col], rtol=1e-12, err_msg=col)
    months = fast.monthly["guards"]
    assert months.iloc[-1] > months.iloc[0]  # more guards on duty from August
    assert fast.monthly["bribe_accept_prob"].iloc[-1] < fast.monthly["bribe_accept_prob"].iloc[0]


def test_reference_command_line_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ref.csv"
    reference_main(["hoeryong-2007", "--scale", "0.002", "--seed", "1", "--start", "2005-01-01",
                    "--end", "2005-02-28", "--out", str(out)])
    assert "Hoeryong" in capsys.readouterr().out
    assert pd.read_csv(out)["year"].tolist() == [2005]


# ----------------------------------------------------------------------------------------------- docking
@pytest.mark.slow
def test_docking_hoeryong_crackdown_and_currency_reform(
    reference_jobs: ReferenceJobs, hoeryong_engine: list[pd.DataFrame]
) -> None:
    result = dock(hoeryong_engine, collect(reference_jobs.hoeryong), INDICATORS, FAMILY_ALPHA)
    print("\nhoeryong-2007 (2005-2009):\n" + result.report())
    assert not result.rejected, result.report()


@pytest.mark.slow
def test_docking_hyesan_closure(reference_jobs: ReferenceJobs, engine_seeds: range) -> None:
    fast = engine_runs(reference_jobs.docking_path, engine_seeds)
    result = dock(fast, collect(reference_jobs.docking), INDICATORS, FAMILY_ALPHA)
    print("\ndocking scenario (Hyesan 2018-2021):\n" + result.report())
    assert not result.rejected, result.report()


@pytest.mark.slow
def test_negative_control_double_detection_is_rejected(
    reference_jobs: ReferenceJobs, hoeryong_engine_all: list[pd.DataFrame]
) -> None:
    result = dock(hoeryong_engine_all, collect(reference_jobs.control), INDICATORS, FAMILY_ALPHA)
    print("\nnegative control, hoeryong-2007 with detection doubled in the reference:\n" + result.report())
    assert result.rejected, "the docking procedure did not detect a doubled detection probability\n" + (
        result.report())
