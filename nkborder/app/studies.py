"""Sweeps and sensitivity analyses started from the page, without any UI: the form, what it will run (checked and
counted before anything starts), its default name, and the call into the experiment layer on the app's cluster.

A sweep varies one parameter over ``steps`` values of a range inside its declared range (``nkborder sweep
--vary NAME=LO:HI:STEPS``); a sensitivity analysis samples several parameters over their declared ranges with
SALib (``nkborder sensitivity``). Both use the side bar's scale, seeds (replicates per value or sample), base seed
and years. An output is aggregated over the years as the engine records it: flows (counts and money per year)
are summed, stocks (people at the end of a year), prices, rates and shares are averaged; won amounts are never
added across the redenomination of 30 November 2009 (:func:`check_aggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nkborder.app.naming import free_name, slug
from nkborder.app.state import RunOptions, check_options, with_report_year
from nkborder.errors import InputError
from nkborder.experiments.design import declared, parse_vary
from nkborder.experiments.registry import check_name
from nkborder.scenarios import Scenario
from nkborder.scenarios.burnin import report_from

KINDS = ("sweep", "sensitivity")
METHODS = ("morris", "sobol")
MAX_APP_RUNS = 400  # runs one study of the page may plan (the CLI allows far more)
REDENOMINATION_YEAR = 2009  # 30 November 2009: 100 old won became 1 new won (event currency_reform)
FORM = "sweep form"


@dataclass(frozen=True)
class StudyForm:
    """The fields of the sweep and sensitivity form."""

    kind: str = "sweep"
    parameter: str = "detect_base"  # sweep: the varied parameter
    lo: float | None = None  # sweep: blank = the declared range
    hi: float | None = None
    steps: int = 3
    method: str = "morris"  # sensitivity
    samples: int = 2  # Morris: trajectories; Sobol: N (a power of 2)
    params: tuple[str, ...] = ("detect_base", "intent_intercept")
    output: str = "arrivals_south_korea_full"
    period: str = ""  # sensitivity: years of the output, e.g. 2010:2020 (blank: every year run)
    name: str = ""  # blank: read from the form (:func:`default_name`)


def is_flow(indicator: str) -> bool:
    """Whether an indicator is a flow (persons or money per period: sums over years mean something); stocks,
    prices, rates and shares are not summed (the engine's own split, :mod:`nkborder.engine.record`)."""
    from nkborder.core import slots
    from nkborder.engine.record import STOCKS

    base = indicator.removesuffix("_full")
    return (base in slots.DAILY_NAMES and base not in STOCKS) or base == "guard_service_income_cny"


def aggregate_for(indicator: str) -> str:
    """``sum`` over years for flows, ``mean`` for everything else."""
    return "sum" if is_flow(indicator) else "mean"


def check_aggregate(indicator: str, first: int, last: int, field_name: str = "period") -> None:
    """InputError if a won amount would be summed or averaged across the 2009 redenomination (old and new won
    differ 100-fold): the years must all be before 2009 or all from 2010 on."""
    if "_kpw" in indicator and first <= REDENOMINATION_YEAR <= last:
        raise InputError(FORM, field_name, f"{indicator} over {first}-{last} would add old won to new won "
                         "(redenomination of 30 November 2009)",
                         f"years up to {REDENOMINATION_YEAR - 1}, or from {REDENOMINATION_YEAR + 1} on")


def years_of(opts: RunOptions, sc: Scenario) -> tuple[int, int]:
    """First year reported (the side bar's "report from", else the scenario's ``report_start``, else the first
    simulated year) and last year simulated, as the side bar's options run ``sc``."""
    start, end = check_options(opts, sc)
    reported = report_from(sc.with_dates(start, end), opts.report_year or None, "report from", "run options")
    return (reported.report_start or reported.start).year, reported.end.year


def period_of(form: StudyForm, first: int, last: int) -> tuple[int, int]:
    """The output's years: the form's ``FROM:TO`` inside the run, or every year run."""
    text = form.period.strip()
    if not text:
        return first, last
    try:
        y0, y1 = (int(p) for p in text.split(":"))
    except ValueError:
        raise InputError(FORM, "period", f"not a period: {text!r}", "FROM:TO, e.g. 2010:2020") from None
    if not first <= y0 <= y1 <= last:
        raise InputError(FORM, "period", f"{y0}:{y1} is outside the years run", f"inside {first}:{last}")
    return y0, y1


def vary(form: StudyForm) -> list[str]:
    """The sweep's ``--vary`` value, checked against the declared range."""
    whole = declared(form.parameter, "parameter")
    lo = whole.lo if form.lo is None else float(form.lo)
    hi = whole.hi if form.hi is None else float(form.hi)
    text = f"{form.parameter}={lo!r}:{hi!r}:{int(form.steps)}"
    parse_vary([text], need_steps=True)  # the declared range and steps, with the CLI's messages
    return [text]


def planned_runs(form: StudyForm, reps: int) -> int:
    """How many runs the study will make (checked before it starts)."""
    if form.kind == "sweep":
        (r,) = parse_vary(vary(form), need_steps=True)
        return len(r.values()) * reps
    from nkborder.experiments.sensitivities import problem_for, sample

    if not form.params:
        raise InputError(FORM, "parameters", "none chosen", "at least one parameter")
    return len(sample(form.method, problem_for(list(form.params)), form.samples, 0)) * reps


def check(form: StudyForm, opts: RunOptions, sc: Scenario) -> int:
    """Every check the study needs before it starts; the number of runs it plans."""
    if form.kind not in KINDS:
        raise InputError(FORM, "kind", f"unknown kind {form.kind!r}", ", ".join(KINDS))
    first, last = years_of(opts, sc)
    if form.kind == "sensitivity":
        if form.method not in METHODS:
            raise InputError(FORM, "method", f"unknown method {form.method!r}", ", ".join(METHODS))
        y0, y1 = period_of(form, first, last)
        check_aggregate(form.output, y0, y1)
    n = planned_runs(form, opts.reps)
    if n > MAX_APP_RUNS:
        raise InputError(FORM, "runs", f"{n} runs planned", f"at most {MAX_APP_RUNS} in the page (fewer steps, "
                         "samples, parameters or seeds; or the CLI)")
    if form.name.strip():
        check_name(form.name.strip())
    return n


def default_name(form: StudyForm, opts: RunOptions, sc: Scenario, db: str) -> str:
    """A name that says what the study runs, numbered if the results file uses it for other content."""
    first, last = years_of(opts, sc)
    if form.kind == "sweep":
        what = f"{form.parameter}-{form.steps}"
    else:
        what = f"{form.method}-{len(form.params)}p-{form.samples}-{form.output.removesuffix('_full')}"
    base = check_name(slug(f"app-{form.kind}-{sc.name}-{what}-{first}-{last}-{opts.reps}x{opts.scale:g}", 90))
    start, end = check_options(opts, sc)
    return free_name(db, base, [sc.with_dates(start, end).content_hash()],
                     {"reps": int(opts.reps), "seed": int(opts.seed), "scale": float(opts.scale)})


def run(form: StudyForm, opts: RunOptions, sc: Scenario, db: str, name: str, scheduler: str | None,
        progress: Any = False, stop: Any = None) -> Any:
    """Run the study through the experiment layer (stores every run in ``db``); its result."""
    from nkborder import experiments
    from nkborder.app.jobs import scenario_ref

    start, end = check_options(opts, sc)
    sc = with_report_year(sc, opts.report_year)  # simulated from its start, reported from "report from"
    common: dict[str, Any] = {"seed": opts.seed, "scale": opts.scale, "start": start, "end": end, "db": db,
                              "name": name, "scheduler": scheduler, "progress": progress}
    if stop is not None:
        common["stop"] = stop
    if form.kind == "sweep":
        return experiments.sweep(scenario_ref(sc), vary(form), opts.reps, design="factorial", **common)
    first, last = years_of(opts, sc)
    y0, y1 = period_of(form, first, last)
    return experiments.sensitivity(scenario_ref(sc), form.method, form.samples, params=list(form.params),
                                   outputs=[form.output], period=f"{y0}:{y1}", aggregate=aggregate_for(form.output),
                                   reps=opts.reps, **common)
