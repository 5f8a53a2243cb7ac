"""Commands for single runs and their results: run, scenarios, check, runs, export, delete, params, plan."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from nkborder.cli.output import Format, check_format, console, emit, new_table, say
from nkborder.errors import InputError
from nkborder.inputs.checks import (
    check_date,
    check_format_suffix,
    check_out_dir,
    check_out_file,
    check_scale,
    check_seed,
)
from nkborder.store.schema import DEFAULT_DB

if TYPE_CHECKING:
    from nkborder.scenarios import Scenario

SHOWN = {  # yearly columns printed at the end of a run, with short headers
    "population": "people",
    "crossings_attempted": "tried",
    "crossings_succeeded": "crossed",
    "arrests_at_border": "arrested",
    "in_china": "in China",
    "arrivals_south_korea": "to ROK",
    "broker_fee_posted_cny": "fee CNY",
    "guard_bribes_per_guard_cny": "bribes/guard",
    "discontent_mean": "discontent",
}


ReportFrom = Annotated[int | None, typer.Option(
    "--report-from", help="first year kept in the printed and stored tables; the simulation still starts at the "
    "scenario's start (or --start), so the earlier years build up its state (default: every simulated year)")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("run")(run_command)
    app.command("scenarios")(scenarios_command)
    app.command("check")(check_command)
    app.command("runs")(runs_command)
    app.command("export")(export_command)
    app.command("delete")(delete_command)
    app.command("params")(params_command)
    app.command("plan")(plan_command)


def parse_sets(values: list[str] | None, option: str = "--set") -> dict[str, float]:
    """``["name=value", ...]`` from ``option`` into a mapping; names and ranges are checked by the caller."""
    out: dict[str, float] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(option, item, "expected name=value", f"e.g. {option} NAME=0.5")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InputError(option, name.strip(), f"value {value!r} is not a number", "a number") from None
    return out


def run_command(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or path to a .toml file")],
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives identical results")] = 0,
    scale: Annotated[float, typer.Option(help="share of the population simulated (1 = one agent per person)")] = 1.0,
    start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD (default: the scenario's)")] = None,
    end: Annotated[str | None, typer.Option(help="last day, YYYY-MM-DD (default: the scenario's)")] = None,
    report_from: ReportFrom = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="parameter override name=value")] = None,
    calibrated: Annotated[bool, typer.Option(
        help="use the shipped calibrated parameters (posterior medians, docs/calibration.md); --set wins")] = False,
    db: Annotated[str, typer.Option(help="DuckDB results file")] = DEFAULT_DB,
    out: Annotated[Path | None, typer.Option(help="also write the yearly table to FILE.csv or .parquet")] = None,
    store_daily: Annotated[bool, typer.Option(help="also store the daily table")] = False,
    format_: Annotated[str, typer.Option("--format", help=(
        "the yearly indicators as a table, or every yearly column as csv or json on stdout"))] = "table",
) -> None:
    """Run a scenario once, show progress, print yearly indicators and store the run."""
    from nkborder.api import resolve, run
    from nkborder.cli.kernels import compile_kernels
    from nkborder.model.population import city_sizes

    check_seed(seed)
    check_scale(scale)
    check_format(format_)
    msg = say(format_)
    if out is not None:
        check_out_file(out, "--out", (".csv", ".parquet"))
    sets = parse_sets(set_)
    overrides = dict(sets)
    source = "the documented defaults (`nkborder params`)"
    if calibrated:
        from nkborder.calibration import calibrated_params, load_shipped

        shipped = calibrated_params()
        source = (f"the defaults with {len(shipped)} values of the shipped calibration {load_shipped().name} "
                  "(docs/calibration.md)")
        overrides = {**shipped, **sets}
    if sets:
        source += f", {len(sets)} set with --set"
    sc, params = resolve(scenario, check_date(start, "--start"), check_date(end, "--end"), overrides)
    warn_cold_start(scenario, sc.start if start is not None else None)
    sc = reported(sc, report_from)
    store = _open_store(db)
    run_id = store.begin_run(
        scenario_name=sc.name, scenario_text=sc.text, params=params.model_dump(), seed=seed, scale=scale,
        start=sc.start, end=sc.end, code_version=_version(),
    )
    shown = f" (reported from {sc.report_start})" if sc.report_start is not None else ""
    msg.print(f"run [bold]{run_id}[/]: {escape(sc.name)}, {', '.join(sc.cities)}, {sc.start} to {sc.end}{shown}, "
              f"seed {seed}, scale {scale}")
    msg.print(f"parameters: {source}", markup=False)
    compile_kernels(msg)
    try:
        n_agents = sum(city_sizes(sc.cities, scale))
        with _progress(msg) as bar:
            task = bar.add_task("simulating", total=(sc.end - sc.start).days + 1, date="", speed="")
            t0 = time.perf_counter()

            def step(date: dt.date, done: int, total: int) -> None:
                rate = done * n_agents / max(time.perf_counter() - t0, 1e-9)
                bar.update(task, completed=done, date=str(date), speed=f"{rate / 1e6:,.0f} M agent-days/s")

            result = run(sc, seed=seed, scale=scale, overrides=overrides, daily=store_daily, progress=step)
        written = {"yearly": result.yearly, "monthly": result.monthly, "sectors": result.sectors,
                   "districts": result.districts}
        if store_daily:
            written["daily"] = result.daily
        for freq, df in written.items():
            store.write_table(run_id, freq, df)
        store.finish_run(run_id, "finished")
    except KeyboardInterrupt:
        store.finish_run(run_id, "interrupted", "stopped by the user")
        msg.print(f"[yellow]interrupted; run {run_id} is marked interrupted in {db}[/]")
        raise typer.Exit(130) from None
    except Exception as exc:
        store.finish_run(run_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    finally:
        store.close()
    _print_yearly(result.yearly, scale, format_)
    if out is not None:
        _write(result.yearly, out)
        msg.print(f"yearly table written to {out}")
    msg.print(f"stored as run {run_id} in {db}; `nkborder export {run_id} --format csv` writes its tables")


def warn_cold_start(scenario: str, start: dt.date | None) -> None:
    """On stderr: a warning when ``--start`` (``start``) is later than the scenario's own start (a cold start,
    :func:`nkborder.scenarios.burnin.cold_start_warning`)."""
    from nkborder.scenarios import load_scenario
    from nkborder.scenarios.burnin import cold_start_warning

    if start is None:
        return
    own = load_scenario(scenario)
    cold = cold_start_warning(own, start, "--start", f"leave out --start and add --report-from {start.year}")
    if cold:
        typer.echo(f"warning: {cold}", err=True)


def reported(sc: Scenario, year: int | None) -> Scenario:
    """``sc`` (run dates applied) reporting from ``--report-from`` ``year``
    (:func:`nkborder.scenarios.burnin.report_from`: InputError naming the option and the simulated years for a
    year outside them)."""
    from nkborder.scenarios.burnin import report_from

    return report_from(sc, year, "--report-from")


def scenarios_command(format_: Format = "table") -> None:
    """List the shipped scenarios."""
    from nkborder.scenarios import list_scenarios

    check_format(format_)
    frame = pd.DataFrame(list_scenarios(), columns=["scenario", "description"])

    def render() -> Table:
        table = new_table("scenario", "description")
        for name, description in frame.itertuples(index=False):
            table.add_row(name, description)
        return table

    emit(frame, format_, render)


def check_command(file: Annotated[str, typer.Argument(help="scenario file (or shipped name) to validate")]) -> None:
    """Validate a scenario file without running it."""
    from nkborder.scenarios import load_scenario

    sc = load_scenario(file)
    sc.parameters()
    line = Text("ok", style="green")
    line.append(f": {sc.name}: {', '.join(sc.cities)}, {sc.start} to {sc.end}, {len(sc.events)} events, "
                f"{len(sc.params)} parameter overrides")
    console.print(line, highlight=False, emoji=False)


def runs_command(
    db: Annotated[str, typer.Option(help="DuckDB results file")] = DEFAULT_DB,
    format_: Format = "table",
    experiment: Annotated[str | None, typer.Option(help="only the runs of this experiment")] = None,
) -> None:
    """List stored runs."""
    check_format(format_)
    if not Path(db).exists():
        raise InputError(db, "--db", "no results file here", "a DuckDB file written by nkborder run")
    base = ("run_id", "experiment", "run_key", "scenario_name", "seed", "scale", "start_date", "end_date",
            "status", "started_at", "wall_seconds")
    if experiment is not None:  # the experiment's runs, including runs it reused from other experiments
        from nkborder.experiments import list_runs

        frame = list_runs(db, experiment)
        extra = [c for c in frame.columns if c not in base and c not in ("message", "finished_at", "code_version")]
    else:
        from nkborder.store import open_store

        with open_store(db, read_only=True) as store:
            frame = store.runs()
        extra = []
    columns = extra + [c for c in base if c in frame.columns]

    def render() -> Table:
        table = new_table(*columns)
        for row in frame[columns].itertuples(index=False):
            table.add_row(*("" if pd.isna(v) else str(v) for v in row))
        return table

    emit(frame[columns], format_, render)


def export_command(
    run_id: Annotated[str, typer.Argument(help="id of a stored run (see `nkborder runs`)")],
    format_: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    freq: Annotated[str, typer.Option(
        "--table", "--freq", help="yearly, monthly, daily, sectors (per river sector and month) or districts "
        "(per district and year)")] = "yearly",
    out: Annotated[Path, typer.Option(help="file, or folder (no extension) for <run_id>_<table>.<fmt>")] = Path("."),
    db: Annotated[str, typer.Option(help="DuckDB results file")] = DEFAULT_DB,
    partial: Annotated[bool, typer.Option(
        "--partial", help="export what is stored of a run that is not finished (running, failed, interrupted)",
    )] = False,
) -> None:
    """Export one table of a stored run to Parquet or CSV (a run without sector or district rows gives a file
    with the key columns only). A run that is not finished is refused (exit code 2) unless --partial is given."""
    from nkborder.store import open_store

    if format_ not in ("parquet", "csv"):
        raise InputError("--format", format_, "unknown format", "parquet, csv")
    check_format_suffix(format_, out)
    if out.suffix:
        check_out_file(out, "--out", (f".{format_}",))
    else:
        check_out_dir(out)
    with open_store(db, read_only=True) as store:
        status = store.run(run_id).status
        if status != "finished":
            problem = (f"run {run_id} is {status}, not finished: its tables may be missing or cut short "
                       f"(stored: {', '.join(store.stored_tables(run_id)) or 'none'})")
            if not partial:
                raise InputError(db, "run", problem, "a finished run, or --partial to export what is stored")
            typer.echo(f"warning: {problem}", err=True)
        if not out.suffix:
            out.mkdir(parents=True, exist_ok=True)  # a path without a file extension is a folder
        path = store.export(run_id, format_, out, freq=freq)
    console.print(f"written {path}")


def delete_command(
    run_id: Annotated[str | None, typer.Argument(help="id of a stored run (see `nkborder runs`)")] = None,
    experiment: Annotated[str | None, typer.Option(
        help="delete this experiment, with the runs it computed that no other experiment uses")] = None,
    db: Annotated[str, typer.Option(help="DuckDB results file")] = DEFAULT_DB,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="delete without asking for a confirmation")] = False,
) -> None:
    """Delete a stored run (every table of it), or an experiment with --experiment, after a confirmation. A run or
    experiment that is running is refused (exit code 2)."""
    from nkborder.store import open_store

    if (run_id is None) == (experiment is None):
        raise InputError("delete", "RUN_ID, --experiment", "give exactly one of them",
                         "nkborder delete RUN_ID, or nkborder delete --experiment NAME")
    if not Path(db).exists():
        raise InputError(db, "--db", "no results file here", "a DuckDB file written by nkborder")
    what, key = ("run", run_id) if run_id is not None else ("experiment", experiment)
    with open_store(db, read_only=True) as store:  # an unknown id or name is refused before asking
        if what == "run":
            store.run(key)
        else:
            from nkborder.experiments import registry

            registry.definition(store, key)
    if not yes and not typer.confirm(f"Delete {what} {key} from {db}? This cannot be undone", default=False):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)
    with open_store(db) as store:
        deleted = store.delete_run(key) if what == "run" else store.delete_experiment(key)
    console.print(f"deleted {what} {escape(key)}: {deleted['runs']} run(s), {sum(deleted.values()):,} rows in all",
                  highlight=False, emoji=False)


def params_command(format_: Format = "table") -> None:
    """List every parameter with its default, range, unit and source."""
    from nkborder.params import describe_parameters

    check_format(format_)
    frame = describe_parameters()

    def render() -> Table:
        table = new_table("name", "default", "range", "unit", "source")
        for r in frame.itertuples():
            table.add_row(r.name, f"{r.default:g}", f"{r.lo:g} - {r.hi:g}", r.unit, r.source)
        return table

    emit(frame, format_, render)


def plan_command() -> None:
    """Print the order in which the submodels run each month and each day."""
    from nkborder.engine.plan import describe_plan

    console.print(describe_plan(), highlight=False)


def _open_store(db: str, read_only: bool = False):
    from nkborder.store import ResultsStore, StoreError

    try:
        store = ResultsStore(db, read_only=read_only)
    except StoreError as exc:
        raise InputError(db, "--db", str(exc)) from None
    if not read_only:
        store.mark_stale_running()
    return store  # its StoreErrors are InputErrors: exit code 2 with one line


def _progress(where: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[date]}"),
        TextColumn("{task.fields[speed]}"), TimeElapsedColumn(), console=where, transient=False,
    )


def _print_yearly(yearly: pd.DataFrame, scale: float, format_: str) -> None:
    """The headline yearly indicators as a table, or every yearly column as CSV or JSON."""
    suffix = "" if scale == 1.0 else "_full"
    cols = {f"{n}{suffix}" if f"{n}{suffix}" in yearly.columns else n: header for n, header in SHOWN.items()}

    def render() -> Table:
        title = "yearly indicators" + ("" if scale == 1.0 else f" (counts rescaled from scale {scale})")
        table = new_table("year", "city", *cols.values(), title=title, right=tuple(cols.values()))
        for row in yearly.itertuples(index=False):
            table.add_row(str(row.year), row.city, *(_fmt(getattr(row, c)) for c in cols))
        return table

    emit(yearly, format_, render)


def _fmt(value: float) -> str:
    if pd.isna(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10 or value == int(value):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{value:.3f}"


def _write(frame: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)


def _version() -> str:
    from nkborder.version import __version__

    return __version__

