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


OPTIONAL_COMMANDS = ("experiment_commands", "calibration_commands", "app_commands")


def _register() -> None:
    """Add the commands of every command module present (each has ``register(app)``)."""
    import importlib

    from nkborder.cli import commands

    commands.register(app)
    for name in OPTIONAL_COMMANDS:
        try:
            module = importlib.import_module(f"nkborder.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"nkborder.cli.{name}":
                raise
            continue
        module.register(app)


_register()
