"""Errors for bad input: each names the file, the field and what is allowed.

The CLI turns an :class:`InputError` into one line on stderr and exit code 2, never a traceback; the Python
API raises it for every bad argument or file. Its parts are cut to a few hundred characters, so quoting a
megabyte of user input cannot flood a terminal.
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
        self.source = _cut(str(source), 300)
        self.field = _cut(str(field), 200)
        self.problem = _cut(str(problem), 600)
        self.allowed = allowed
        source, field, problem = self.source, self.field, self.problem
        text = f"{source}: {field}: {problem}" if field else f"{source}: {problem}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)


def shorten(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for quoting user input in a message."""
    if isinstance(value, (str, bytes)) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    return _cut(repr(value), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} characters)"
