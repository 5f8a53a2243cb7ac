"""The pattern table of ``docs/patterns.md``: ``python -m benchmarks --patterns``.

Runs the shipped calibration of ``history`` at :data:`SCALE` with :data:`REPS` replicate runs (base seed
:data:`SEED`) through :func:`nkborder.validation.run_patterns` (Dask, a results file in a temporary folder)
and rewrites the results block of ``docs/patterns.md``. Not part of CI: the runs take minutes.
Call :func:`run` from a ``if __name__ == "__main__":`` block: Dask starts worker processes by spawning.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import ROOT

SCALE = 0.25  # share of the population simulated (the "0.25 or more")
REPS = 10  # replicate runs at the medians
POSTERIOR_REPS = 20  # posterior draws, one run each
SEED = 0  # base seed of the ensemble
SCENARIO = "history"
DOC = ROOT / "docs" / "patterns.md"


def run(doc: Path = DOC, scale: float = SCALE, reps: int = REPS, seed: int = SEED,
        command: str = "python -m benchmarks --patterns", posterior_reps: int = POSTERIOR_REPS) -> dict[str, Any]:
    """Judge the catalogue on the calibrated ensemble (medians, ``reps`` seeds) and on the posterior predictive
    (``posterior_reps`` draws), and write both tables into ``doc``; returns the counts."""
    from nkborder.validation import run_patterns
    from nkborder.validation.markdown import write_results

    t = time.perf_counter()
    out: dict[str, Any] = {"doc": str(doc)}
    for key, posterior, n in (("medians", False, reps), ("posterior", True, posterior_reps)):
        with tempfile.TemporaryDirectory(prefix="nkborder-patterns-") as tmp:
            res = run_patterns(SCENARIO, calibrated=True, posterior=posterior, reps=n, scale=scale, seed=seed,
                               db=Path(tmp) / "patterns.duckdb", progress=True)
        flag = "--posterior" if posterior else "--calibrated"
        write_results(res, doc, command, f" (the same as `nkborder patterns {SCENARIO} {flag} --reps {n} "
                                         f"--scale {scale:g} --seed {seed}` with a fresh `--db`)")
        out[key] = {"counts": res.counts, "failed_runs": res.failed}
    out["wall_s"] = time.perf_counter() - t
    return out
