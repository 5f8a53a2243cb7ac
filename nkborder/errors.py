"""Errors for bad input: each names the file, the field and what is allowed.

The CLI turns an :class:`InputError` into one line on stderr and exit code 2, never a traceback; the Python
API raises it for every bad argument or file. Its parts are cut to a few hundred characters, so quoting a
megabyte of user input cannot flood a terminal.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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


def close_names(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The names in ``known`` that ``name`` most likely misspells: close by spelling (difflib ratio >= 0.6),
    else the known names that contain it or that it contains, best first, at most ``limit``."""
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=limit, cutoff=0.6)
    if close:
        return close
    lowered = name.lower()
    return [k for k in known if lowered and (lowered in k.lower() or k.lower() in lowered)][:limit]


def unknown_name(source: str, name: str, known: Iterable[str], what: str, listing: str = "",
                 field: str | None = None) -> InputError:
    """An :class:`InputError` for a ``what`` (``"parameter"``, ``"scenario"``, ...) called ``name`` that is not
    one of ``known``. It suggests the likely names ("did you mean ...?") instead of listing every one, and says
    where the full list is (``listing``, e.g. ``"nkborder params"``). ``field`` (default ``name``) is the field
    named in the message."""
    known = sorted(set(known))
    matches = close_names(name, known)
    where = f"`{listing}` lists all {len(known)}" if listing else "one of: " + ", ".join(known)
    allowed = f"did you mean {' or '.join(matches)}? {where}" if matches else where
    return InputError(source, name if field is None else field, f"unknown {what}", allowed)
