"""Docking: the fast engine (``nkborder.run``) and the Mesa reference (``reference.run_reference``) are one model.

Design, fixed before the docking results were looked at ("distributional equivalence", Axtell, Axelrod, Epstein
and Cohen 1996, Computational and Mathematical Organization Theory 1(2)):

* **Scenarios.** (1) ``hoeryong-2007`` as shipped, run from 2005-01-01 (Hoeryong, 2005-2009: the purification
  crackdown from December 2006 and the currency reform of 30 November 2009). (2) A docking scenario written to
  ``tmp_path`` (:data:`DOCKING_TOML`): Hyesan 2018-2021 on the ``history`` timeline (sanctions, the border
  closure of January 2020, buffer zone, fences, special forces and more guards on duty from August 2020, phone
  surveillance, checkpoints) plus a crackdown (Sep 2018 - Aug 2019), a Chinese repatriation campaign (spring
  2019), a half-year punishment regime, shorter guard shifts from 2019 (added with the shift rule), China's
  movement controls and border closure from 2020 (on the ``history`` timeline), a mass repatriation from
  Chinese detention (June 2021, 80 % of those held) and a higher crossing intent, so that rare paths (brokers,
  bribes, kin payments, shootings, repatriations, onward journeys on credit) happen even in a small population.
* **Size.** Scale 0.02: 3,071 people in Hoeryong, 3,854 in Hyesan.
* **Samples.** 30 runs per implementation and scenario with fixed seeds: 1-30 for the engine, 1001-1030 for the
  reference. The seeds differ so that the two samples are independent (the seed also draws the initial
  population, which both implementations take from ``build_population``).
* **Indicators** (:data:`INDICATORS`), one number per run: the sum over the period of crossings attempted and
  succeeded, arrests at the border, repatriations, captures in China, people held in Chinese detention at the
  end of each year, arrivals in South Korea, smuggling volume, market turnover, guards' bribes, broker fees
  paid, remittances, deaths, attempts reported by the inminban and phone contacts; the mean over the years of
  mean income, discontent, hardship and donju capital.
* **Test** (:func:`dock`). For each indicator a two-sided two-sample Kolmogorov-Smirnov test
  (``scipy.stats.ks_2samp``) of the 30 engine values against the 30 reference values. Family level 0.01 with a
  Bonferroni correction: an indicator is rejected when its p-value is below 0.01 / 19. The implementations
  dock when no indicator is rejected. With ties (small counts) the KS test is conservative.
* **Negative control.** The same procedure on scenario (1) with the reference's guards detecting crossers twice
  as often (``rule_change="double_detection"``), 30 reference runs on seeds 2001-2030 against the engine
  sample of (1): at least one indicator must be rejected, which shows that the procedure can fail.

Cost: 150 reference runs (about 1.2 s of CPU each), submitted at once to two worker processes while the 60 engine
runs go on in the test process; about 190 s of CPU in all, so about 100 s on an idle 2-core machine.
``pytest -s`` prints the p-values.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

import nkborder
from reference import run_reference
from reference.__main__ import main as reference_main

SCALE = 0.02
ENGINE_SEEDS = range(1, 31)
REFERENCE_SEEDS = range(1001, 1031)
CONTROL_SEEDS = range(2001, 2031)
REDUCED_SEEDS = 15  # seeds per sample at the reduced size (conftest.reduced_size)
FAMILY_ALPHA = 0.01
HOERYONG = ("hoeryong-2007", {"start": "2005-01-01"})
INDICATORS = {  # yearly column -> how a run's years become one number
    "crossings_attempted": "sum",
    "crossings_succeeded": "sum",
    "arrests_at_border": "sum",
    "repatriated": "sum",
    "caught_in_china": "sum",
    "detained_in_china": "sum",
    "arrivals_south_korea": "sum",
    "smuggling_volume_cny": "sum",
    "market_turnover_kpw": "sum",
    "guard_bribes_cny": "sum",
    "broker_fees_paid_cny": "sum",
    "remittances_cny": "sum",
    "income_mean_kpw": "mean",
    "discontent_mean": "mean",
    "deaths": "sum",
    "hardship_mean": "mean",
    "donju_capital_cny": "mean",
    "reported_before_border": "sum",
    "phone_contacts": "sum",
}
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


@dataclass(frozen=True)
class Docking:
    """Result of the docking procedure: a KS p-value per indicator and the indicators rejected."""

    pvalues: dict[str, float]
    level: float  # per-indicator level after the Bonferroni correction
    rejected: tuple[str, ...]

    def report(self) -> str:
        """One line per indicator: p-value and verdict."""
        lines = [f"per-indicator level {self.level:.5f} (family {FAMILY_ALPHA}, Bonferroni over "
                 f"{len(self.pvalues)})"]
        lines += [f"  {name:<24} p = {p:.4f}{'  REJECTED' if name in self.rejected else ''}"
                  for name, p in self.pvalues.items()]
        return "\n".join(lines)


class ReferenceJobs(NamedTuple):
    """The module's reference runs (futures), submitted together by the ``reference_jobs`` fixture."""

    hoeryong: list[Future]
    docking: list[Future]
    control: list[Future]
    docking_path: Path


def indicator_values(runs: list[pd.DataFrame], name: str) -> np.ndarray:
    """One value per run: the indicator summed (or averaged) over the run's years and cities."""
    how = INDICATORS[name]
    return np.array([float(run[name].sum()) if how == "sum" else float(run[name].mean()) for run in runs])


def dock(engine_runs: list[pd.DataFrame], reference_runs: list[pd.DataFrame]) -> Docking:
    """The docking procedure: two-sample KS per indicator, Bonferroni-corrected family level ``FAMILY_ALPHA``."""
    level = FAMILY_ALPHA / len(INDICATORS)
    pvalues = {name: float(ks_2samp(indicator_values(engine_runs, name),
                                    indicator_values(reference_runs, name)).pvalue)
               for name in INDICATORS}
    return Docking(pvalues, level, tuple(name for name, p in pvalues.items() if p < level))


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
    ref, control = _sized(REFERENCE_SEEDS, reduced_size), _sized(CONTROL_SEEDS, reduced_size)
    return ReferenceJobs(
        hoeryong=submit_reference(pool, name, ref, **kw),
        docking=submit_reference(pool, docking, ref),
        control=submit_reference(pool, name, control, rule_change="double_detection", **kw),
        docking_path=docking,
    )


@pytest.fixture(scope="module")
def engine_seeds(reduced_size: bool) -> range:
    return _sized(ENGINE_SEEDS, reduced_size)


def _sized(seeds: range, reduced: bool) -> range:
    """All ``seeds``, or their first :data:`REDUCED_SEEDS` at the reduced size."""
    return seeds[:REDUCED_SEEDS] if reduced else seeds


@pytest.fixture(scope="module")
def hoeryong_engine(engine_seeds: range) -> list[pd.DataFrame]:
    """The engine sample of scenario (1), shared by the docking test and the negative control."""
    name, kw = HOERYONG
    return engine_runs(name, engine_seeds, **kw)


# ----------------------------------------------------------------------------------------------- fast tests
def test_reference_table_has_the_engine_layout(tmp_path: Path) -> None:
    """Same years, cities and columns as the engine, and the same posted conditions (shared environment)."""
    kw = {"seed": 3, "scale": 0.002, "start": "2009-10-01", "end": "2010-02-28"}
    ref = run_reference("hoeryong-2007", **kw)
    fast = nkborder.run("hoeryong-2007", daily=False, **kw).yearly
    assert list(ref.columns) == list(fast.columns)
    assert ref[["year", "city"]].equals(fast[["year", "city"]])
    for col in ("detect_prob", "broker_fee_posted_cny", "kpw_per_cny", "guards", "bribe_accept_prob",
                "guard_pay_cny"):
        np.testing.assert_allclose(ref[col], fast[col])
    assert (ref["population"] > 0).all() and (ref["market_turnover_kpw"] > 0).all()
    assert run_reference("hoeryong-2007", **kw).equals(ref)  # a seed fixes the run


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
    result = dock(hoeryong_engine, collect(reference_jobs.hoeryong))
    print("\nhoeryong-2007 (2005-2009):\n" + result.report())
    assert not result.rejected, result.report()


@pytest.mark.slow
def test_docking_hyesan_closure(reference_jobs: ReferenceJobs, engine_seeds: range) -> None:
    fast = engine_runs(reference_jobs.docking_path, engine_seeds)
    result = dock(fast, collect(reference_jobs.docking))
    print("\ndocking scenario (Hyesan 2018-2021):\n" + result.report())
    assert not result.rejected, result.report()


@pytest.mark.slow
def test_negative_control_double_detection_is_rejected(
    reference_jobs: ReferenceJobs, hoeryong_engine: list[pd.DataFrame]
) -> None:
    result = dock(hoeryong_engine, collect(reference_jobs.control))
    print("\nnegative control, hoeryong-2007 with detection doubled in the reference:\n" + result.report())
    assert result.rejected, "the docking procedure did not detect a doubled detection probability\n" + (
        result.report())
