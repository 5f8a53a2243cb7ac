"""Checks of values from outside that are not files: seeds, output paths, scheduler addresses.

The command line and the Python API call these before any work starts, so that a bad option ends in one
:class:`~nkborder.errors.InputError` (exit code 2) instead of failing after a run was computed and stored.
"""

from __future__ import annotations

import datetime as dt
import operator
import os
from pathlib import Path
from urllib.parse import urlsplit

from nkborder.errors import InputError, shorten

SEED_MAX = 2**63 - 1  # the store keeps seeds as DuckDB BIGINT; NumPy's SeedSequence takes any integer >= 0
SCHEDULER_SCHEMES = ("tcp", "tls")  # the Dask protocols a client reaches a scheduler by


def check_seed(seed: object, option: str = "--seed") -> int:
    """``seed`` as an int if it is an integer from 0 to :data:`SEED_MAX`; else InputError."""
    value = _whole(seed)
    if value is None:
        raise InputError(option, shorten(seed), "not a whole number", f"0 to {SEED_MAX}")
    if not 0 <= value <= SEED_MAX:
        raise InputError(option, shorten(seed), "out of range", f"0 to {SEED_MAX}")
    return value


def check_count(value: object, option: str, lowest: int = 1) -> int:
    """``value`` as an int if it is an integer >= ``lowest`` (replicates, workers, samples); else InputError."""
    number = _whole(value)
    if number is None or number < lowest:
        raise InputError(option, shorten(value), "not a whole number" if number is None else "too small",
                         f"{lowest}, {lowest + 1}, ...")
    return number


def _whole(value: object) -> int | None:
    """``value`` as an int if it is an integer (Python or NumPy; not a bool, not a float), else None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def check_scale(scale: object, option: str = "--scale", top: float = 20.0) -> float:
    """``scale`` as a float if ``0 < scale <= top``; else InputError."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0.0 < scale <= top:
        raise InputError(option, shorten(scale), "out of range", f"0 < scale <= {top:g}")
    return float(scale)


def check_date(value: object, option: str = "date") -> dt.date | None:
    """A date from a ``datetime.date`` or a ``YYYY-MM-DD`` string (None stays None); else InputError."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(option, shorten(value), "not a date", "a datetime.date or YYYY-MM-DD") from None


def check_out_file(path: str | Path, option: str = "--out", suffixes: tuple[str, ...] = (".csv", ".parquet")
                   ) -> Path:
    """``path`` if a file of one of ``suffixes`` can be written there (missing folders are created later)."""
    p = Path(path)
    if p.is_dir():
        raise InputError(option, str(p), "is an existing folder", "a file name, e.g. out/yearly.csv")
    if suffixes and p.suffix not in suffixes:
        raise InputError(option, str(p), "unknown file type", " or ".join(suffixes))
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(option, str(p), "not writable (permission denied)", "a writable file")
    _check_creatable(p.parent, option, str(p))
    return p


def check_out_dir(path: str | Path, option: str = "--out") -> Path:
    """``path`` if it is a writable folder or one that can be created; else InputError."""
    p = Path(path)
    if p.exists():
        if not p.is_dir():
            raise InputError(option, str(p), "is a file, not a folder", "a folder (created if missing)")
        if not os.access(p, os.W_OK):
            raise InputError(option, str(p), "folder not writable (permission denied)", "a writable folder")
        return p
    _check_creatable(p, option, str(p))
    return p


def _check_creatable(folder: Path, option: str, shown: str) -> None:
    """InputError unless ``folder`` exists or can be made: its nearest existing ancestor is a writable folder."""
    probe = folder if str(folder) else Path(".")
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(option, shown, f"{probe} is a file, not a folder", "a path under a folder")
    if probe != folder and not os.access(probe, os.W_OK):
        raise InputError(option, shown, f"cannot create folders in {probe} (permission denied)", "a writable place")
    if probe == folder and not os.access(folder, os.W_OK):
        raise InputError(option, shown, f"folder {folder} not writable (permission denied)", "a writable folder")


def check_db_path(db: str | Path, option: str = "--db") -> Path:
    """``db`` if a DuckDB results file can be opened or created there: not a folder, in a writable folder."""
    if not isinstance(db, (str, os.PathLike)) or not str(db).strip() or "\x00" in str(db):
        raise InputError(option, shorten(db), "not a file path", "a DuckDB results file, e.g. nkborder.duckdb")
    p = Path(db).expanduser()
    if p.is_dir():
        raise InputError(option, str(p), "is a folder", "a DuckDB results file, e.g. nkborder.duckdb")
    if not p.exists():
        _check_creatable(p.parent, option, str(p))
    return p


def check_scheduler(address: str, option: str = "--scheduler") -> str:
    """``address`` if it is a Dask scheduler address ``tcp://HOST[:PORT]`` or ``tls://HOST[:PORT]``."""
    allowed = "tcp://HOST:PORT or tls://HOST:PORT"
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except ValueError:
        raise InputError(option, shorten(address), "not a scheduler address", allowed) from None
    if parts.scheme not in SCHEDULER_SCHEMES or not parts.hostname or parts.path not in ("", "/") or (
            port is not None and not 0 < port < 65536):
        raise InputError(option, shorten(address), "not a scheduler address", allowed)
    return address.strip()


def check_format_suffix(format_: str, out: Path, option: str = "--out") -> None:
    """InputError if ``out`` names a file whose suffix is not ``.{format_}`` (e.g. CSV into ``x.parquet``)."""
    if out.suffix and out.suffix != f".{format_}":
        raise InputError(option, str(out), f"a .{out.suffix.lstrip('.')} file for --format {format_}",
                         f"a .{format_} file, or a folder")
