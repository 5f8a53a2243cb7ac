"""The Typer application and its error handling."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from nkborder.errors import InputError


class _App(typer.Typer):
    """A Typer app that turns bad input into one clear line and exit code 2."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except InputError as exc:
            Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            sys.exit(2)


app = _App(
    name="nkborder",
    help="Agent-based simulator of the border cities Hoeryong and Hyesan (North Korea).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def main() -> None:
    """Entry point for ``python -m nkborder``."""
    app()


def _register() -> None:
    """Add the commands of every command module (each has ``register(app)``)."""
    from nkborder.cli import app_commands, calibration_commands, commands, experiment_commands

    for module in (commands, experiment_commands, calibration_commands, app_commands):
        module.register(app)


_register()
