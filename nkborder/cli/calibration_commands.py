"""Calibration commands: calibrate, validate, calibrations and posterior.

``calibrate`` runs ABC-SMC (pyabc) on the Dask cluster (local ``--workers`` processes or ``--scheduler``),
stores every generation in ``--db`` and resumes: the same command again runs only the missing generations.
``validate`` runs the posterior predictive ensemble and writes the fit table and figure.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nkborder.cli.output import Format, check_format, console, emit, new_table, say
from nkborder.errors import InputError
from nkborder.inputs.checks import check_out_file, check_seed
from nkborder.store.schema import DEFAULT_DB

Scenario = Annotated[str, typer.Argument(help="shipped scenario name or path to a .toml file")]
Observed = Annotated[str, typer.Option(help="folder of observed CSV files in the format of shared/data")]
Db = Annotated[str, typer.Option(help="DuckDB results file (pyabc's history goes to <db>.pyabc.sqlite)")]
Workers = Annotated[int | None, typer.Option(help="local Dask worker processes (default: cores)")]
Scheduler = Annotated[str | None, typer.Option(
    help="tcp://HOST:PORT of a running Dask scheduler (default: $NKBORDER_SCHEDULER, else a local cluster)")]


def register(app: typer.Typer) -> None:
    """Add the calibration commands to ``app``."""
    app.command("calibrate")(calibrate_command)
    app.command("validate")(validate_command)
    app.command("calibrations")(calibrations_command)
    app.command("posterior")(posterior_command)


def calibrate_command(
    scenario: Scenario,
    observed: Observed = ...,
    until: Annotated[int, typer.Option(help="last year of observations fitted")] = 2015,
    population: Annotated[int, typer.Option(help="accepted particles per generation")] = 150,
    generations: Annotated[int, typer.Option(help="ABC-SMC generations in all (resume adds the missing)")] = 6,
    scale: Annotated[float, typer.Option(help="share of the population simulated in each run")] = 0.05,
    seed: Annotated[int, typer.Option(help="base seed of the simulations")] = 0,
    workers: Workers = None, scheduler: Scheduler = None, db: Db = DEFAULT_DB,
    name: Annotated[str | None, typer.Option(help="calibration id (default: derived from the options)")] = None,
    parameters: Annotated[str | None, typer.Option(
        help="comma-separated parameters to calibrate (default: all flagged calibrate=True)")] = None,
    fix: Annotated[list[str] | None, typer.Option(help="name=value for a parameter not calibrated")] = None,
    series: Annotated[str | None, typer.Option(
        help="comma-separated series to fit (default: all eight)")] = None,
    spread: Annotated[list[str] | None, typer.Option(
        help="SERIES=VALUE: divide the series' residuals by VALUE (log units for counts and prices) instead of "
             "its tolerance (docs/calibration.md, \"The distance\")")] = None,
    last: Annotated[list[str] | None, typer.Option(
        help="SERIES=YEAR: fit the series to YEAR instead of --until (default: repatriated=2023, the mass "
             "repatriation of 2023 as a lower bound)")] = None,
    early_rejection: Annotated[bool, typer.Option(
        help="stop a run once the distance of its years done exceeds the generation's tolerance")] = True,
    max_minutes: Annotated[float | None, typer.Option(
        help="start no new generation after this many minutes of wall time (the running one finishes; the same "
             "command resumes)")] = None,
    min_tolerance_fall: Annotated[float | None, typer.Option(
        help="stop once a generation's tolerance is less than this share below the one before (e.g. 0.05): the "
             "calibration has settled; without it every one of --generations runs")] = None,
) -> None:
    """Estimate the flagged parameters by ABC-SMC against the observed series."""
    from nkborder.calibration import calibrate
    from nkborder.calibration.smc import check_min_fall
    from nkborder.cli.commands import parse_sets
    from nkborder.cli.kernels import compile_kernels

    check_seed(seed)
    if max_minutes is not None and not max_minutes > 0:
        raise InputError("--max-minutes", str(max_minutes), "not a positive number of minutes", "> 0")
    check_min_fall(min_tolerance_fall)
    names = [p.strip() for p in parameters.split(",") if p.strip()] if parameters else None
    chosen = [p.strip() for p in series.split(",") if p.strip()] if series else None
    command = "nkborder " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    compile_kernels(console, scheduler)
    try:
        cal = calibrate(scenario, observed, until=until, population=population, generations=generations,
                        scale=scale, seed=seed, workers=workers, scheduler=scheduler, db=db, name=name,
                        parameters=names, fixed=parse_sets(fix, "--fix"), series=chosen,
                        spreads=parse_sets(spread, "--spread"), last=parse_sets(last, "--last") if last else None,
                        early_rejection=early_rejection, progress=True, command=command,
                        max_seconds=None if max_minutes is None else 60.0 * max_minutes,
                        min_fall=min_tolerance_fall)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: finished generations are stored; run the same command again to "
                      "resume")
        raise typer.Exit(130) from None
    _generations_table(cal.generations, cal.name)
    if cal.settled:
        console.print(f"settled: the last tolerance is less than {min_tolerance_fall:.0%} below the one before, "
                      "and its weights are not degenerate")
    _summary_table(cal.posterior)
    console.print(f"calibration [bold]{cal.name}[/] in {db} ({cal.seconds:.0f} s); validate it with: nkborder "
                  f"validate {scenario} --posterior {cal.name} --db {db} --observed {observed}", highlight=False)


def validate_command(
    scenario: Scenario,
    observed: Observed = ...,
    posterior: Annotated[str | None, typer.Option(
        help="calibration id in --db (default: the shipped calibrated posterior)")] = None,
    holdout: Annotated[str | None, typer.Option(help="held-out years FROM:TO, e.g. 2012:2015")] = None,
    reps: Annotated[int, typer.Option(help="parameter sets drawn from the posterior (one run each)")] = 50,
    scale: Annotated[float | None, typer.Option(help="share simulated (default: the calibration's)")] = None,
    seed: Annotated[int, typer.Option(help="seed of the draws and runs")] = 0,
    out: Annotated[str | None, typer.Option(help="write the fit table to this CSV file")] = None,
    figure: Annotated[str | None, typer.Option(help="write the figure to this PNG or SVG file")] = None,
    workers: Workers = None, scheduler: Scheduler = None, db: Db = DEFAULT_DB, format_: Format = "table",
) -> None:
    """Posterior predictive check: MAE, MAPE, 50/90 % coverage and the median within a factor of 2, per series,
    calibration vs hold-out years, each judged against its acceptance target."""
    from nkborder.calibration import load_calibration, load_shipped, validate
    from nkborder.calibration.figure import draw
    from nkborder.calibration.validate import parse_holdout, write_fit
    from nkborder.cli.kernels import compile_kernels

    check_seed(seed)
    check_format(format_)
    msg = say(format_)
    for option, target, suffixes in (("--out", out, ()), ("--figure", figure, (".png", ".svg"))):
        if target:
            check_out_file(target, option, suffixes)
    held = parse_holdout(holdout)
    if posterior is None:
        post = load_shipped()
    else:
        _need_db(db)
        post = load_calibration(db, posterior).posterior
    compile_kernels(msg, scheduler)
    try:
        val = validate(scenario, post, observed, held, reps=reps, scale=scale, seed=seed, workers=workers,
                       scheduler=scheduler, progress=True)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None

    def render() -> Table:
        table = new_table("series", "period", "n", "MAE", "MAPE %", "coverage 50%", "coverage 90%",
                          "median within 2x", title=f"fit of {val.posterior} ({reps} posterior draws) on "
                                                    f"{val.scenario}")
        for r in val.fit.itertuples(index=False):
            table.add_row(r.series, r.period, str(r.n), f"{r.mae:.4g}", f"{r.mape:.1f}", f"{r.coverage_50:.2f}",
                          f"{r.coverage_90:.2f}", f"{r.within_2x:.2f}")
        return table

    emit(val.fit, format_, render)
    for r in val.checks.itertuples(index=False):
        mark = "[green]met[/]" if r.met else "[red]not met[/]"
        msg.print(f"target: {r.target}: {r.value:.3g} (required {r.required}) {mark}", highlight=False)
    for note in val.notes:
        msg.print(f"[yellow]note:[/] {note}", highlight=False)
    if out:
        msg.print(f"fit table written to {write_fit(val.fit, out)}")
    if figure:
        msg.print(f"figure written to {draw(val, figure, runs=reps)}")


def calibrations_command(db: Db = DEFAULT_DB, format_: Format = "table") -> None:
    """List the calibrations stored in a results file."""
    from nkborder.calibration.store import list_all
    from nkborder.experiments.core import open_store

    check_format(format_)
    _need_db(db)
    with open_store(db, read_only=True) as store:
        frame = list_all(store)

    def render() -> Table:
        table = new_table("name", "scenario", "status", "generations", "last tolerance", "updated (UTC)")
        for r in frame.itertuples(index=False):
            table.add_row(r.name, r.scenario, r.status, str(r.generations), f"{r.epsilon:.4g}",
                          str(r.updated_at)[:19])
        return table

    emit(frame, format_, render)


def posterior_command(
    name: Annotated[str, typer.Argument(help="calibration id (see `nkborder calibrations`)")],
    db: Db = DEFAULT_DB,
    toml: Annotated[str | None, typer.Option(help="write medians and particles as a calibrated TOML file")] = None,
    correlations: Annotated[bool, typer.Option(help="also print the strongest correlations between parameters")] = True,
    format_: Annotated[str, typer.Option("--format", help=(
        "table (generations, posterior and correlations), or the posterior summary as csv or json on stdout"))
    ] = "table",
) -> None:
    """Summary of a calibration's posterior (medians, 90 % intervals, correlations); optionally as TOML."""
    from nkborder.calibration import load_calibration
    from nkborder.calibration.shipped import write_toml
    from nkborder.experiments.core import open_store

    if toml:
        check_out_file(toml, "--toml", (".toml",))
    check_format(format_)
    _need_db(db)
    cal = load_calibration(db, name)
    if format_ != "table":
        emit(cal.posterior.summary(), format_, new_table)
    else:
        _print_posterior(cal, correlations)
    if toml:
        from nkborder.calibration.store import require
        from nkborder.version import __version__

        with open_store(db, read_only=True) as store:
            rec = require(store, name)
        meta = {"name": name, "db": db, "command": rec["command"], "created": str(rec["updated_at"])[:19],
                "code_version": __version__, "generations": len(cal.generations)}
        say(format_).print(f"written {write_toml(toml, cal.posterior, meta)}")


def _print_posterior(cal, correlations: bool) -> None:
    """The generations, the posterior summary and (``correlations``) the strongest correlations, as tables."""
    _generations_table(cal.generations, cal.name)
    _summary_table(cal.posterior)
    if correlations:
        corr = cal.posterior.correlations()
        names = list(corr.columns)
        pairs = sorted(((a, b, corr.loc[a, b]) for i, a in enumerate(names) for b in names[i + 1:]),
                       key=lambda p: -abs(p[2]) if p[2] == p[2] else 0.0)  # fmt: skip
        table = new_table("parameter", "parameter", "correlation", title="strongest posterior correlations (weighted)")
        for a, b, v in pairs[:12]:
            table.add_row(a, b, f"{v:+.2f}")
        console.print(table)


def _generations_table(gens, name: str) -> None:
    import pandas as pd

    from nkborder.calibration.smc import MIN_ESS_SHARE

    table = new_table("generation", "tolerance", "acceptance", "simulations", "stopped before start / later",
                      "effective sample size", "seconds", title=f"{name}: generations")
    for r in gens.itertuples(index=False):
        stopped = ("-" if pd.isna(r.n_stopped_before_start)
                   else f"{int(r.n_stopped_before_start)} / {int(r.n_stopped_after_start)}")
        table.add_row(str(r.generation), f"{r.epsilon:.4g}", f"{r.acceptance_rate:.3f}", str(r.n_simulations),
                      stopped, f"{r.ess:.1f} of {r.n_particles}", f"{r.wall_seconds:.0f}")
    console.print(table)
    last = gens.iloc[-1] if len(gens) else None
    if last is not None and last["ess"] < MIN_ESS_SHARE * last["n_particles"]:
        console.print(f"[yellow]warning:[/] the last generation's effective sample size is {last['ess']:.1f} of "
                      f"{last['n_particles']} particles: a few particles carry the posterior (weight degeneracy); "
                      "use a larger --population or fewer --parameters; --min-tolerance-fall never settles on such a "
                      "generation (the same command runs another)", highlight=False)


def _summary_table(post) -> None:
    table = new_table("parameter", "unit", "prior", "median", "90% interval", "width / prior", title="posterior")
    for r in post.summary().itertuples(index=False):
        table.add_row(r.parameter, r.unit, f"{r.prior_lo:.4g} - {r.prior_hi:.4g}", f"{r.median:.4g}",
                      f"{r.p5:.4g} - {r.p95:.4g}", f"{r.width_share:.2f}")
    console.print(table)


def _need_db(db: str) -> None:
    if not Path(db).exists():
        raise InputError(db, "--db", "no results file here", "a DuckDB file written by nkborder calibrate")


__all__ = ["register"]
