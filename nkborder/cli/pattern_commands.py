"""The ``patterns`` command: run an ensemble and judge the pattern catalogue (``docs/patterns.md``) on it.

The ensemble runs through the experiment layer (Dask, every run stored in ``--db`` as it finishes, resumable:
the same command again computes only the missing runs).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nkborder.cli.experiment_commands import Db, Name, Scheduler, Seed, Sets, Workers
from nkborder.cli.output import Format, check_format, emit, new_table, say
from nkborder.errors import InputError
from nkborder.store.schema import DEFAULT_DB

STYLE = {"pass": "green", "fail": "red", "indicator missing": "yellow", "not judged at this scale": "dim",
         "no data": "dim"}  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the ``patterns`` command to ``app``."""
    app.command("patterns")(patterns_command)


def patterns_command(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or path to a .toml file")],
    calibrated: Annotated[bool, typer.Option(
        help="use the shipped calibrated parameters and the calibration's crossing-point factor; --set wins")] = False,
    posterior: Annotated[bool, typer.Option(
        help="posterior predictive: each run draws its parameters and crossing-point factor from the shipped "
             "posterior (implies --calibrated); --set wins")] = False,
    calibration: Annotated[Path | None, typer.Option(
        help="calibrated TOML file (written by `nkborder posterior NAME --toml FILE`) in place of the shipped "
             "one, e.g. a candidate to judge before shipping it (implies --calibrated)")] = None,
    reps: Annotated[int, typer.Option(help="replicate runs (seeds; with --posterior also parameter draws)")] = 10,
    scale: Annotated[float, typer.Option(
        help="share of the population simulated; counts are compared through the rescaled *_full columns")] = 0.25,
    seed: Seed = 0, set_: Sets = None,
    only: Annotated[str | None, typer.Option(help="pattern ids to judge, comma-separated (default: all)")] = None,
    out: Annotated[Path | None, typer.Option(help="write the table to FILE.csv")] = None,
    markdown: Annotated[Path | None, typer.Option(
        help="replace the table between the patterns-table markers of this Markdown file (docs/patterns.md)")] = None,
    db: Db = DEFAULT_DB, workers: Workers = None, scheduler: Scheduler = None, name: Name = None,
    format_: Format = "table",
) -> None:
    """Judge the pattern catalogue on an ensemble: per pattern its source, criterion, median and 90 % band over
    runs, and pass, fail or indicator missing."""
    from nkborder.cli.commands import parse_sets
    from nkborder.cli.experiment_commands import with_progress
    from nkborder.inputs.checks import check_out_file
    from nkborder.validation import catalogue, run_patterns
    from nkborder.validation.markdown import format_value, write_results

    check_format(format_)
    console = say(format_)
    if out is not None:
        check_out_file(out, "--out", (".csv",))
    if markdown is not None and not markdown.is_file():
        raise InputError("--markdown", str(markdown), "no such file", "an existing Markdown file with the markers")
    if calibration is not None:
        from nkborder.calibration import load_shipped

        load_shipped(calibration)  # refuses a missing or unreadable file before anything runs
    ids = [i.strip() for i in only.split(",") if i.strip()] if only else None
    try:
        catalogue(ids)
    except ValueError as exc:
        raise InputError("--only", only or "", str(exc)) from None
    res = with_progress(run_patterns, scenario, calibrated=calibrated, posterior=posterior, reps=reps, scale=scale,
                        seed=seed, overrides=parse_sets(set_), ids=ids, db=db, name=name, workers=workers,
                        scheduler=scheduler, format_=format_, calibration=calibration)
    how = " (posterior predictive)" if posterior else " (calibrated)" if res.calibrated else ""
    if calibration is not None:
        how += f" of {calibration}"

    def render() -> Table:
        table = new_table("pattern", "level", "source", "criterion", "median \\[p5 - p95]", "result",
                          title=f"patterns: {reps} runs of {scenario}{how} at "
                                f"scale {scale:g}, seed {seed}")
        for r in res.table.itertuples(index=False):
            band = "-" if r.runs == 0 else (f"{format_value(r.median)} [{format_value(r.p05)} - "
                                            f"{format_value(r.p95)}]")
            result = r.status if not r.missing else f"indicator missing: {r.missing}"
            table.add_row(r.pattern, r.level, r.source.split(" (")[0], r.criterion, band,
                          f"[{STYLE.get(r.status, '')}]{result}[/]")
        return table

    emit(res.table, format_, render)
    counts = res.counts
    console.print(", ".join(f"{n} {k}" for k, n in counts.items()) + f" (of {len(res.table)}); pass/fail is on "
                  "the median over runs", highlight=False)
    failed = f", [red]{res.failed} failed[/]" if res.failed else ""
    console.print(f"{res.computed} runs computed, {res.reused} already stored{failed}; experiment "
                  f"[bold]{res.experiment}[/] in {res.db}", highlight=False)
    command = "nkborder " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        res.table.to_csv(out, index=False)
        console.print(f"written {out}")
    if markdown is not None:
        console.print(f"written {write_results(res, markdown, command)}")


__all__ = ["register"]
