"""Shared pieces of the fuzz tests (``tests/test_fuzz_*.py``): example counts, mutations, running the CLI.

Each fuzz test runs ``NKBORDER_FUZZ_EXAMPLES`` examples (default 60, a few hundred over the suite in CI; the
benchmark job sets more, e.g. ``NKBORDER_FUZZ_EXAMPLES=2000``) and allows each input ``DEADLINE_MS``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

EXAMPLES = int(os.environ.get("NKBORDER_FUZZ_EXAMPLES", "60"))
DEADLINE_MS = 15_000  # per input, on a loaded 2-core machine; a bad input is answered in well under a second
FUZZ = settings(max_examples=EXAMPLES, deadline=DEADLINE_MS, derandomize="NKBORDER_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)


def cli(args: list[str], cwd: Path) -> tuple[int, str]:
    """Exit code and all output of ``nkborder ARGS`` run in this process (Click's runner) in ``cwd``.

    Raises AssertionError if the command raised anything but ``SystemExit`` (a traceback for a user).
    """
    old = Path.cwd()
    os.chdir(cwd)
    try:
        done = CliRunner().invoke(app(), args)
    finally:
        os.chdir(old)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise AssertionError(f"nkborder {args!r} raised {done.exception!r}") from done.exception
    return done.exit_code, done.output


def app():
    from nkborder.cli import app as typer_app

    return typer_app


def store_state(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of every file under ``folder``: compared before and after a refused input."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------- TOML values
def toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


toml_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-0.0", "0.5", "1_000", "0x10", "true", "false"]),
    st.text(max_size=40).map(toml_string),
    st.sampled_from(['"history"', '"no-closure"', '"/etc/hostname"', '"../scenarios/history"', '"s"', '""',
                     '"famine"', '["famine"]', '["famine", 3]', "[]", "{}", '{ a = 1 }', '[[1], ["x"]]']),
    st.sampled_from(["1899-01-01", "1990-01-01", "2035-12-31", "2036-01-01", "9999-12-31", "2000-02-30",
                     "2001-01-01T00:00:00", "2001-01-01T12:30:00Z", "07:30:00", "1995-13-01"]),
    st.integers(min_value=1, max_value=60).map(nested),
)
keys = st.sampled_from(["name", "description", "base", "drop_events", "cities", "start", "end", "report_start",
                        "trade_series", "trade_hold_after", "params", "events", "path", "text", "bogus",
                        "params.detect_base", "params.inminban_households", "params.districts", "a.b.c.d.e.f.g.h.i"])
