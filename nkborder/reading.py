"""Reading files from outside the package: bytes with a size limit, UTF-8 text, TOML with a depth limit.

Every file a user hands to nkborder (a scenario, an uploaded scenario, an observed CSV) passes through these
functions before the model sees it, so that a wrong file ends in one :class:`~nkborder.errors.InputError`
naming the file, the field (a byte offset or a line) and what is allowed, never in a ``UnicodeDecodeError``,
a ``RecursionError`` or a process that reads gigabytes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from nkborder.errors import InputError

MAX_SCENARIO_BYTES = 1024 * 1024  # a scenario is a few kB; the shipped history.toml is under 6 kB
MAX_CSV_BYTES = 16 * 1024 * 1024  # the largest shipped data file is under 100 kB
MAX_TOML_DEPTH = 8  # nested tables and arrays; a scenario needs 3 (events -> event -> value)


def read_bytes(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, refusing a missing path, a folder, an unreadable file or more than ``limit`` bytes.

    The file is read only up to ``limit + 1`` bytes, so a huge file (or ``/dev/zero``) costs no more than that.
    """
    p = Path(path)
    try:
        with p.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError(str(p), "file", "no such file", f"an existing {what}") from None
    except IsADirectoryError:
        raise InputError(str(p), "file", "is a folder", f"a {what}") from None
    except PermissionError:
        raise InputError(str(p), "file", "not readable (permission denied)", f"a readable {what}") from None
    except OSError as exc:
        raise InputError(str(p), "file", f"cannot be read ({exc.strerror or exc})", f"a readable {what}") from None
    if len(data) > limit:
        raise InputError(str(p), "file", f"too large (more than {limit:,} bytes)", f"at most {limit:,} bytes")
    return data


def check_size(data: bytes, limit: int, source: str) -> None:
    """InputError if ``data`` is longer than ``limit`` bytes."""
    if len(data) > limit:
        raise InputError(source, "file", f"too large ({len(data):,} bytes)", f"at most {limit:,} bytes")


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as text (UTF-8, a leading byte-order mark dropped); InputError naming the first bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(source, f"line {line}, byte {exc.start}", "not UTF-8 text",
                         "a UTF-8 encoded text file") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(source, f"line {line}", "contains a NUL character (a binary file?)", "a text file")
    return text


def read_text(path: str | Path, limit: int, what: str = "file") -> str:
    """The UTF-8 text of ``path`` (see :func:`read_bytes` and :func:`decode_utf8`)."""
    return decode_utf8(read_bytes(path, limit, what), str(path))


def parse_toml(text: str, source: str, max_depth: int = MAX_TOML_DEPTH) -> dict[str, Any]:
    """A TOML document as a dict, refusing syntax errors and nesting deeper than ``max_depth``.

    The depth of brackets is measured before parsing (Python's TOML parser recurses once per level), and the
    depth of the parsed tables after (dotted keys such as ``a.b.c.d = 1`` nest without brackets).
    """
    depth, line = bracket_depth(text)
    if depth > max_depth:
        raise InputError(source, f"line {line}", f"nested {depth} levels deep", f"at most {max_depth} levels")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, _toml_line(exc, text), f"broken TOML: {exc}", "TOML 1.0 syntax") from None
    except RecursionError:
        raise InputError(source, "file", "nested too deeply", f"at most {max_depth} levels") from None
    if value_depth(doc) > max_depth:
        raise InputError(source, "file", f"tables nested {value_depth(doc)} levels deep",
                         f"at most {max_depth} levels")
    return doc


def bracket_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of ``[`` and ``{`` outside strings and comments, the line it is reached on).

    A cheap scan, not a TOML parser: it follows basic, literal and multi-line strings and comments so that
    brackets inside them do not count.
    """
    deepest, deepest_line, depth, i, n = 0, 1, 0, 0, len(text)
    while (m := _SPECIAL.search(text, i)) is not None:
        ch, i = m.group(), m.start()
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            i = _string_end(text, i)
        else:
            if ch in "[{":
                depth += 1
                if depth > deepest:
                    deepest, deepest_line = depth, text.count("\n", 0, i) + 1
            else:
                depth = max(0, depth - 1)
            i += 1
    return deepest, deepest_line


_SPECIAL = re.compile(r"[#\"'\[\]{}]")
_STRINGS = (  # (opening, pattern of the whole string); an unclosed one-line string ends at its line's end
    ('"""', re.compile(r'"""(?:[^\\]|\\.)*?"""', re.DOTALL)),
    ("'''", re.compile(r"'''.*?'''", re.DOTALL)),
    ('"', re.compile(r'"(?:[^"\\\n]|\\.)*(?:"|$)', re.MULTILINE)),
    ("'", re.compile(r"'[^'\n]*(?:'|$)", re.MULTILINE)),
)


def _string_end(text: str, i: int) -> int:
    """Index just after the string starting at ``text[i]`` (the end of the text if it never closes)."""
    for opening, pattern in _STRINGS:
        if text.startswith(opening, i):
            m = pattern.match(text, i)
            return len(text) if m is None else max(m.end(), i + 1)
    return i + 1


def value_depth(value: Any) -> int:
    """Nesting depth of dicts and lists in ``value`` (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
    return deepest


def _toml_line(exc: tomllib.TOMLDecodeError, source: str) -> str:
    """``line N`` of a TOML error (the last line when the parser ran off the end of the document)."""
    text = str(exc)
    if "(at line" in text:
        return "line " + text.split("(at line", 1)[1].split(",", 1)[0].strip()
    return f"line {max(1, len(source.splitlines()))}"
