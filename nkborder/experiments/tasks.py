"""What a Dask worker runs: one simulation, returning its tables (workers never touch the results file)."""

from __future__ import annotations

import os
import socket
from typing import Any


def simulate(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one planned run (see :meth:`RunSpec.payload`) and return its yearly and monthly tables.

    Returns:
        ``{"yearly": DataFrame, "monthly": DataFrame, "wall_seconds": float (s), "host": str, "pid": int}``.
    """
    from nkborder.api import run

    result = run(payload["scenario"], seed=payload["seed"], scale=payload["scale"],
                 overrides=payload["overrides"] or None, daily=False)
    return {
        "yearly": result.yearly,
        "monthly": result.monthly,
        "wall_seconds": result.wall_seconds,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def warm_up() -> float:
    """Load the compiled kernels in this worker (a tiny run); returns its wall time in seconds."""
    from nkborder.api import run

    return run("history", seed=0, scale=0.002, start="2019-01-01", end="2019-03-31", daily=False).wall_seconds
