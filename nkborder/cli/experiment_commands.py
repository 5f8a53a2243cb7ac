"""Experiment commands: ensemble, sweep, compare, sensitivity, plot and experiments.

Each computes on Dask (a local cluster of ``--workers`` processes, or ``--scheduler tcp://HOST:PORT``), stores
every run in ``--db`` as it finishes, and resumes: the same command again computes only the missing runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nkborder.cli.commands import ReportFrom, parse_sets
from nkborder.cli.output import Format, check_format, console, emit, new_table, say
from nkborder.errors import InputError
from nkborder.inputs.checks import check_date, check_out_dir, check_scale, check_seed
from nkborder.store.schema import DEFAULT_DB

Scale = Annotated[float, typer.Option(help="share of the population simulated (1 = one agent per person)")]
Seed = Annotated[int, typer.Option(help="base seed; run i uses a seed derived from it and i")]
Reps = Annotated[int, typer.Option(help="replicate runs (seeds) per scenario or design point")]
Start = Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD (default: the scenario's)")]
End = Annotated[str | None, typer.Option(help="last day, YYYY-MM-DD (default: the scenario's)")]
Sets = Annotated[list[str] | None, typer.Option("--set", help="parameter override name=value")]
Db = Annotated[str, typer.Option(help="DuckDB results file")]
Workers = Annotated[int | None, typer.Option(help="local Dask worker processes (default: cores)")]
Scheduler = Annotated[str | None, typer.Option(
    help="tcp://HOST:PORT of a running Dask scheduler (default: $NKBORDER_SCHEDULER, else a local cluster)")]
Name = Annotated[str | None, typer.Option(
    help="experiment name; the same name and command resume it (default: derived from the command)")]
Period = Annotated[str | None, typer.Option(help="years summed in the summary, e.g. 2020:2025")]


def register(app: typer.Typer) -> None:
    """Add the experiment commands to ``app``."""
    app.command("ensemble")(ensemble_command)
    app.command("sweep")(sweep_command)
    app.command("compare")(compare_command)
    app.command("sensitivity")(sensitivity_command)
    app.command("plot")(plot_command)
    app.command("experiments")(experiments_command)


def ensemble_command(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or path to a .toml file")],
    reps: Reps = 10, scale: Scale = 1.0, seed: Seed = 0, start: Start = None, end: End = None,
    report_from: ReportFrom = None, set_: Sets = None, db: Db = DEFAULT_DB, workers: Workers = None,
    scheduler: Scheduler = None, name: Name = None, format_: Format = "table",
) -> None:
    """Replicate runs of a scenario: yearly indicators with mean, median and 5-95 % bands (the table shows three
    headline indicators; csv and json give every indicator)."""
    from nkborder.analysis import band_label, headline
    from nkborder.experiments import ensemble

    res = with_progress(ensemble, _reported(scenario, start, end, report_from), reps, seed=seed, scale=scale,
                        start=start, end=end, overrides=parse_sets(set_), db=db, name=name, workers=workers,
                        scheduler=scheduler, format_=format_)
    shown = headline(res.summary["indicator"].unique(), 3)

    def render() -> Table:
        table = new_table("year", "city", *(f"{i}\nmedian \\[p5 - p95]" for i in shown),
                          title=f"{res.name}: {res.n_runs} runs of {scenario} at scale {scale:g}")
        wide = res.summary.loc[res.summary["indicator"].isin(shown)]
        for (year, city), rows in wide.groupby(["year", "city"], sort=True):
            cells = {r["indicator"]: band_label(r) for _, r in rows.iterrows()}
            table.add_row(str(year), str(city), *(cells.get(i, "-") for i in shown))
        return table

    emit(res.summary, format_, render)
    _footer(res, format_)


def sweep_command(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or path to a .toml file")],
    vary: Annotated[list[str] | None, typer.Option(
        help="name=LO:HI:STEPS (factorial), name=LO:HI or name (lhs: declared range); repeatable")] = None,
    design: Annotated[str, typer.Option(help="factorial or lhs (Latin hypercube)")] = "factorial",
    samples: Annotated[int | None, typer.Option(help="Latin hypercube points (--design lhs)")] = None,
    reps: Reps = 1, scale: Scale = 1.0, seed: Seed = 0, start: Start = None, end: End = None,
    report_from: ReportFrom = None, set_: Sets = None, db: Db = DEFAULT_DB, workers: Workers = None,
    scheduler: Scheduler = None, name: Name = None, format_: Format = "table",
) -> None:
    """Run a scenario over a grid or a Latin hypercube of parameter values."""
    from nkborder.analysis import headline
    from nkborder.analysis.bands import fmt, how_to_total
    from nkborder.experiments import sweep

    res = with_progress(sweep, _reported(scenario, start, end, report_from), vary or [], reps, design=design,
                        samples=samples, seed=seed, scale=scale,
                        start=start, end=end, overrides=parse_sets(set_), db=db, name=name, workers=workers,
                        scheduler=scheduler, format_=format_)
    names = [r["name"] for r in res.definition["design"]["vary"]]
    shown = headline(res.summary["indicator"].unique(), 2)
    per_run = res.runs.groupby(["point", "idx"], sort=True)[shown].agg({i: how_to_total(i) for i in shown})
    stats = per_run.groupby("point").agg(["mean", "min", "max"])
    stats.columns = [f"{i}_{how_to_total(i)}_{s}" for i, s in stats.columns]
    frame = res.tables["points"][["point", *names, "runs"]].merge(stats, left_on="point", right_index=True)

    def render() -> Table:
        table = new_table("point", *names, "runs",
                          *(f"{i}\n{how_to_total(i)}: mean \\[min - max] over runs" for i in shown),
                          title=f"{res.name}: {res.definition['design']['design']} design, over all years and "
                                "cities")
        for r in frame.to_dict("records"):
            cells = [f"{fmt(r[f'{i}_{how_to_total(i)}_mean'])} [{fmt(r[f'{i}_{how_to_total(i)}_min'])} - "
                     f"{fmt(r[f'{i}_{how_to_total(i)}_max'])}]" for i in shown]
            table.add_row(str(r["point"]), *(fmt(r[n]) for n in names), str(r["runs"]), *cells)
        return table

    emit(frame, format_, render)
    _footer(res, format_)


def compare_command(
    scenario_a: Annotated[str, typer.Argument(help="baseline scenario (name or .toml)")],
    scenario_b: Annotated[str, typer.Argument(help="what-if scenario (name or .toml)")],
    reps: Reps = 10, period: Period = None,
    output: Annotated[str | None, typer.Option(help="indicators of the period summary, comma-separated")] = None,
    scale: Scale = 1.0, seed: Seed = 0, start: Start = None, end: End = None, report_from: ReportFrom = None,
    set_: Sets = None, db: Db = DEFAULT_DB, workers: Workers = None, scheduler: Scheduler = None,
    name: Name = None, format_: Format = "table",
) -> None:
    """What-if: B minus A with the same seeds on both sides (common random numbers)."""
    from nkborder.analysis.bands import fmt
    from nkborder.experiments import compare

    res = with_progress(compare, _reported(scenario_a, start, end, report_from),
                        _reported(scenario_b, start, end, report_from), reps, period=period, outputs=output,
                        seed=seed, scale=scale, start=start, end=end, overrides=parse_sets(set_), db=db, name=name,
                        workers=workers, scheduler=scheduler, format_=format_)
    y0, y1 = res.definition["analysis"]["period"]

    def render() -> Table:
        table = new_table("city", "indicator", f"A: {scenario_a}\nmean total", f"B: {scenario_b}\nmean total",
                          "B - A\nmean", "B - A\nmedian \\[p5 - p95]", "share\nB > A",
                          title=f"{res.name}: totals over {y0}-{y1}, paired over "
                                f"{res.definition['design']['reps']} seeds")
        for r in res.period.itertuples(index=False):
            table.add_row(r.city, r.indicator, fmt(r.a_mean), fmt(r.b_mean), fmt(r.mean),
                          f"{fmt(r.median)} [{fmt(r.p5)} - {fmt(r.p95)}]", f"{r.share_positive:.0%}")
        return table

    emit(res.period, format_, render)
    _footer(res, format_)


def sensitivity_command(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or path to a .toml file")],
    method: Annotated[str, typer.Option(help="sobol or morris")] = "morris",
    samples: Annotated[int, typer.Option(help="Sobol: N (a power of 2); Morris: trajectories")] = 8,
    params: Annotated[str | None, typer.Option(
        help="parameters to vary, comma-separated (default: the calibrated ones)")] = None,
    output: Annotated[str, typer.Option(help="indicators, comma-separated")] = "arrivals_south_korea_full",
    period: Period = None,
    aggregate: Annotated[str, typer.Option(help="sum (counts) or mean (rates) over years and cities")] = "sum",
    reps: Reps = 1, scale: Scale = 1.0, seed: Seed = 0, start: Start = None, end: End = None,
    report_from: ReportFrom = None, set_: Sets = None, db: Db = DEFAULT_DB, workers: Workers = None,
    scheduler: Scheduler = None, name: Name = None, format_: Format = "table",
) -> None:
    """SALib sensitivity indices of outputs to parameters over their declared ranges."""
    from nkborder.analysis.bands import fmt
    from nkborder.experiments import sensitivity

    res = with_progress(sensitivity, _reported(scenario, start, end, report_from), method, samples, params=params,
                        outputs=output, period=period,
                        aggregate=aggregate, reps=reps, seed=seed, scale=scale, start=start, end=end,
                        overrides=parse_sets(set_), db=db, name=name, workers=workers, scheduler=scheduler,
                        format_=format_)
    cols = [c for c in res.indices.columns if c not in ("output", "parameter", "method")]
    y0, y1 = res.definition["analysis"]["period"]

    def render() -> Table:
        table = new_table("output", "parameter", *cols,
                          title=f"{res.name}: {method} indices, output = {aggregate} over {y0}-{y1} and both cities")
        for r in res.indices.itertuples(index=False):
            table.add_row(r.output, r.parameter, *(fmt(getattr(r, c)) for c in cols))
        return table

    emit(res.indices, format_, render)
    _footer(res, format_)


def plot_command(
    experiment: Annotated[str, typer.Argument(help="experiment name (see `nkborder experiments`)")],
    db: Db = DEFAULT_DB,
    out: Annotated[Path, typer.Option(help="directory for the figures")] = Path("."),
    format_: Annotated[str, typer.Option("--format", help="png or svg")] = "png",
    indicators: Annotated[str | None, typer.Option(help="indicators to draw, comma-separated")] = None,
    period: Annotated[str | None, typer.Option(
        help="years FROM:TO shaded; a comparison's difference is summed over them (default: its own period)")] = None,
    width: Annotated[int | None, typer.Option(help="figure width in pixels at 100 dpi (default 1000)")] = None,
) -> None:
    """Draw an experiment's figures from the results file: bands with policy events, comparisons, indices."""
    from nkborder.experiments import load_experiment
    from nkborder.experiments.design import parse_period

    if format_ not in ("png", "svg"):
        raise InputError("--format", format_, "unknown format", "png, svg")
    if width is not None and not 300 <= width <= 6000:
        raise InputError("--width", str(width), "outside the allowed range", "300 to 6000 pixels")
    check_out_dir(out)
    _need_db(db)
    res = load_experiment(db, experiment)
    chosen = [i.strip() for i in indicators.split(",") if i.strip()] if indicators else None
    years = None
    if period and not res.runs.empty:
        years = parse_period(period, int(res.runs["year"].min()), int(res.runs["year"].max()))
    from nkborder.analysis.plots import plot_experiment

    for path in plot_experiment(res, out, format_, chosen, period=years, width_px=width):
        console.print(f"written {path}")


def experiments_command(db: Db = DEFAULT_DB, format_: Format = "table") -> None:
    """List the experiments stored in a results file."""
    from nkborder.experiments import list_experiments

    check_format(format_)
    _need_db(db)
    frame = list_experiments(db)

    def render() -> Table:
        table = new_table("name", "kind", "planned runs", "status", "updated (UTC)")
        for r in frame.itertuples(index=False):
            table.add_row(r.name, r.kind, str(r.n_runs), r.status, str(r.updated_at)[:19])
        return table

    emit(frame, format_, render)
    say(format_).print("`nkborder runs --experiment NAME` lists its runs; `nkborder plot NAME` draws it")


def with_progress(func: Any, *args: Any, format_: str = "table", **kwargs: Any) -> Any:
    """Call an experiment function with progress; Ctrl-C ends with exit code 130 and keeps stored runs.
    ``format_`` is the command's ``--format``: with csv or json, messages go to stderr."""
    from nkborder.cli.kernels import NOTICE
    from nkborder.engine.warmup import announce_compiling
    from nkborder.experiments.cluster import scheduler_address

    check_format(format_)
    out = say(format_)
    scheduler_address(kwargs.get("scheduler"))  # a bad address ends here, before the store is opened
    kwargs["seed"] = check_seed(kwargs.get("seed", 0))
    kwargs["scale"] = check_scale(kwargs.get("scale", 1.0))
    kwargs["start"] = check_date(kwargs.get("start"), "--start")
    kwargs["end"] = check_date(kwargs.get("end"), "--end")
    # the local cluster compiles on a cold cache once the experiment has checked its input; say so then
    announce_compiling(lambda: out.print(NOTICE))
    try:
        return func(*args, progress=True, **kwargs)
    except KeyboardInterrupt:
        out.print("[yellow]interrupted[/]: every finished run is stored; run the same command again to "
                      "compute the rest")
        raise typer.Exit(130) from None


def _reported(scenario: str, start: str | None, end: str | None, year: int | None) -> Any:
    """The scenario argument of an experiment: as given, or with ``--report-from`` the scenario with its run
    dates that reports from ``year`` (the experiment records it by content); warns of a cold ``--start``."""
    from nkborder.cli.commands import reported, warn_cold_start

    first = check_date(start, "--start")
    warn_cold_start(scenario, first)
    if year is None:
        return scenario
    from nkborder.experiments.core import scenario_for

    return reported(scenario_for(scenario, first, check_date(end, "--end")), year)


def _need_db(db: str) -> None:
    if not Path(db).exists():
        raise InputError(db, "--db", "no results file here", "a DuckDB file written by an nkborder experiment")


def _footer(res: Any, format_: str = "table") -> None:
    out = say(format_)
    failed = f", [red]{res.failed} failed[/]" if res.failed else ""
    out.print(f"{res.computed} runs computed, {res.reused} already stored{failed}; experiment "
                  f"[bold]{res.name}[/] in {res.db}")
    db = "" if res.db == DEFAULT_DB else f" --db {res.db}"
    out.print(f"see it as a figure: nkborder plot {res.name}{db}   "
                  f"(runs: nkborder runs --experiment {res.name}{db})", highlight=False)


__all__ = ["register", "with_progress"]
