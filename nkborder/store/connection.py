"""Opening the results file for one short read or write, waiting a bounded time while another process has it.

DuckDB lets one process hold a file read-write, and that locks out every other process, readers included;
read-only connections of several processes may share it. The store therefore never keeps a connection: each
read or write opens the file, does its work and closes it, and an open that meets another process's lock is
retried (waits doubling from 10 ms to 250 ms) until ``wait`` seconds have passed.

Inside one process DuckDB refuses a read-only connection while a read-write one is open on the same file (and
the reverse); a read then shares the open read-write instance, and a write waits for the read to end.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from nkborder.errors import InputError

#: Seconds a read or write waits for another process to release the file before it gives up.
LOCK_WAIT_SECONDS = 60.0


class StoreError(InputError):
    """A results file that cannot be used as asked: names the file, the problem and what is allowed.

    It is bad input like any other (the CLI exits with code 2), so it is an :class:`InputError`.
    """

    def __init__(self, path: str | Path, problem: str, allowed: str = "") -> None:
        self.path = str(path)
        super().__init__(self.path, "", problem, allowed)


def connect(path: Path, write: bool, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """A connection to ``path`` (read-only unless ``write``), retrying for ``wait`` seconds while the file
    is locked by another process or, in this process, open in the other mode.

    Raises:
        StoreError: still locked after ``wait`` seconds, or not a file DuckDB can open.
    """
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=not write)
        except duckdb.ConnectionException as exc:  # open in this process with the other read_only setting
            if "different configuration" not in str(exc):
                raise StoreError(path, f"cannot open the results file: {exc}") from None
            if not write:
                try:
                    return duckdb.connect(str(path), read_only=False)  # read through this process's writer
                except duckdb.Error:
                    pass
            last = "it is open read-only elsewhere in this process"
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(path, f"cannot open the results file: {exc}") from None
            last = str(exc)
        except duckdb.Error as exc:
            raise StoreError(path, f"cannot open the results file (not a DuckDB file?): {exc}") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StoreError(
                path, f"the file is in use by another process and stayed so for {wait:g} s (a process writing "
                "holds it only while it stores one run; a long read or an open DuckDB shell holds it longer). "
                f"DuckDB says: {last}",
                "close the other program's connection, or retry",
            )
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.25)
