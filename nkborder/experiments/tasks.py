"""What a Dask worker runs: one simulation, returning its tables (workers never touch the results file)."""

from __future__ import annotations

import os
import socket
from typing import Any

#: The tables of a run that experiments store: yearly and monthly always, the per-sector and per-district
#: ones when the run has them (they are left out when empty).
TABLES = ("yearly", "monthly", "sectors", "districts")


def simulate(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one planned run (see :meth:`RunSpec.payload`) and return its tables.

    Returns:
        ``{"yearly": DataFrame, "monthly": DataFrame, ["sectors": DataFrame, "districts": DataFrame,]
        "wall_seconds": float (s), "host": str, "pid": int}``; ``sectors`` and ``districts`` only when not
        empty.
    """
    from nkborder.api import run

    result = run(payload["scenario"], seed=payload["seed"], scale=payload["scale"],
                 overrides=payload["overrides"] or None, daily=False)
    out: dict[str, Any] = {freq: result.table(freq) for freq in TABLES}
    for freq in TABLES[2:]:
        if not len(out[freq]):
            del out[freq]
    out.update(wall_seconds=result.wall_seconds, host=socket.gethostname(), pid=os.getpid())
    return out


def warm_up() -> float:
    """Load the compiled kernels in this worker (a tiny run); returns its wall time in seconds."""
    from nkborder.api import run

    return run("history", seed=0, scale=0.002, start="2019-01-01", end="2019-03-31", daily=False).wall_seconds
