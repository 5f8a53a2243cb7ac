"""The ``nkborder`` command line (Typer + Rich).

Bad input (an :class:`~nkborder.errors.InputError` or a store error) prints one line on stderr and exits with
code 2, never a traceback.
"""

from __future__ import annotations

from nkborder.cli.app import app, main

__all__ = ["app", "main"]
