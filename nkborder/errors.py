"""Errors for bad input: each names the file, the field and what is allowed.

The CLI turns an :class:`InputError` into one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """A scenario, parameter override or data file that cannot be used.

    Attributes:
        source: the file (or ``--set`` / ``overrides``) the bad value came from.
        field: the dotted name of the offending field, or a line number for syntax errors ("" if none).
        allowed: what would have been accepted (a range, a list of names, a format).
    """

    def __init__(self, source: str, field: str, problem: str, allowed: str = "") -> None:
        self.source = source
        self.field = field
        self.problem = problem
        self.allowed = allowed
        text = f"{source}: {field}: {problem}" if field else f"{source}: {problem}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)
