"""How the CLI prints: tables that are never cut, and every table also as CSV or JSON.

On a terminal Rich fits a table to the window by wrapping cells (``overflow="fold"``: a long value continues on
the next line of its cell, it is never cut to "..."). When the output goes to a pipe, a file or CI there is no
window: lines are as long as the table needs. ``--format csv`` and ``--format json`` write the table's data
(raw numbers, one column per value) to stdout; the command's other messages then go to stderr, so that the
output can be read by pandas or a spreadsheet as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from nkborder.errors import InputError

FORMATS = ("table", "csv", "json")
UNBOUNDED = 100_000  # characters per line when there is no terminal: a table is never wrapped or cut

Format = Annotated[str, typer.Option("--format", help="table, csv or json (csv and json: data on stdout)")]


def make_console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr) that wraps to the terminal's width, or not at all without a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else UNBOUNDED)


console = make_console()
messages = make_console(stderr=True)


def check_format(format_: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """``format_`` if it is one of ``allowed``, else InputError naming ``--format``."""
    if format_ not in allowed:
        raise InputError("--format", format_, "unknown format", ", ".join(allowed))
    return format_


def say(format_: str) -> Console:
    """Where a command's messages go: stdout with a table, stderr when stdout carries CSV or JSON."""
    return console if format_ == "table" else messages


def new_table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()) -> Table:
    """A Rich table whose cells wrap instead of being cut; columns named in ``right`` are right-aligned."""
    table = Table(title=title)
    for name in columns:
        table.add_column(name, overflow="fold", justify="right" if name in right else "left")
    return table


def emit(frame: pd.DataFrame, format_: str, render: Callable[[], Table]) -> None:
    """Print ``frame`` as CSV or JSON on stdout, or the Rich table that ``render`` builds from it."""
    if format_ == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
    elif format_ == "json":
        typer.echo(frame.to_json(orient="records", date_format="iso"))
    else:
        console.print(render())


__all__ = ["FORMATS", "Format", "check_format", "console", "emit", "make_console", "messages", "new_table", "say"]
