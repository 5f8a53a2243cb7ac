"""What an experiment function returns: the per-run table, the bands, and the kind's own tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass
class ExperimentResult:
    """An experiment's results, read back from the results file.

    Attributes:
        name: the experiment name (``nkborder plot NAME`` draws it).
        kind: ``ensemble``, ``sweep``, ``compare`` or ``sensitivity``.
        definition: what the experiment is (scenarios, design, replicates, base seed, scale, dates).
        runs: one row per run, year and city: ``idx``, ``run_id``, ``run_key``, ``seed``, the design labels
            (``rep``, ``side``, ``point``, ``sample``, varied parameter values), then ``year``, ``city`` and
            the columns of ``nkborder.run(...).yearly``.
        summary: the bands (long table, see :func:`nkborder.analysis.bands`); for ``compare`` the bands of
            the paired differences B - A; for ``sensitivity`` the sensitivity indices.
        tables: the kind's other tables: ``period`` (compare: totals over the period), ``bands`` (compare:
            bands of each side), ``points`` (sweep), ``indices`` and ``outputs`` (sensitivity).
        db: the results file.
        computed, reused, failed: runs computed by this call, found already stored, and failed.
        compute_seconds: wall seconds from the cluster's start to the last run stored (0 if none computed).
    """

    name: str
    kind: str
    definition: dict[str, Any]
    runs: pd.DataFrame
    summary: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    db: str = ""
    computed: int = 0
    reused: int = 0
    failed: int = 0
    compute_seconds: float = 0.0

    @property
    def period(self) -> pd.DataFrame | None:
        """Compare: the change of each indicator's total over the period (None for other kinds)."""
        return self.tables.get("period")

    @property
    def indices(self) -> pd.DataFrame | None:
        """Sensitivity: the indices per output and parameter (None for other kinds)."""
        return self.tables.get("indices")

    @property
    def n_runs(self) -> int:
        """Distinct stored runs in ``runs``."""
        return int(self.runs["run_id"].nunique()) if len(self.runs) else 0

    def plot(self, out: str | Path = ".", fmt: str = "png") -> list[Path]:
        """Draw the experiment's figures into directory ``out``; returns the files written."""
        from nkborder.analysis.plots import plot_experiment

        return plot_experiment(self, Path(out), fmt)

    def __repr__(self) -> str:
        return (f"ExperimentResult({self.name!r}, kind={self.kind!r}, runs={self.n_runs}, "
                f"computed={self.computed}, reused={self.reused}, failed={self.failed})")
