"""The Typer application and its error handling."""

from __future__ import annotations

import sys
from typing import Any

import click
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from nkborder.errors import InputError


class _Group(TyperGroup):
    """The command group: an InputError raised by any command is printed as one line and exits with code 2
    (here, so that Click's in-process test runner sees what a user sees)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            print_error(str(exc))
            ctx.exit(2)


class _App(typer.Typer):
    """A Typer app that turns bad input into one clear line and exit code 2."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except InputError as exc:
            print_error(str(exc))
            sys.exit(2)


def print_error(message: str) -> None:
    """``error: message`` on stderr, the message printed as it is (no Rich markup, emoji or highlighting)."""
    text = Text("error: ", style="bold red")
    text.append(message)
    Console(stderr=True, emoji=False, highlight=False, markup=False).print(text, soft_wrap=True)


app = _App(
    name="nkborder",
    help="Agent-based simulator of the border cities Hoeryong and Hyesan (North Korea).",
    no_args_is_help=True,
    cls=_Group,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def main() -> None:
    """Entry point for ``python -m nkborder``."""
    app()


def _register() -> None:
    """Add the commands of every command module (each has ``register(app)``)."""
    from nkborder.cli import app_commands, calibration_commands, commands, experiment_commands, pattern_commands

    for module in (commands, experiment_commands, calibration_commands, pattern_commands, app_commands):
        module.register(app)


_register()
