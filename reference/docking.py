"""The docking procedure: are two samples of yearly tables (engine runs, reference runs) draws of one model?

For each indicator (a column of the yearly table) a run gives a profile: one value per year and city. Each
profile value is standardised by the mean and standard deviation of the pooled runs' values of its year and city,
and ``d_y`` is the difference between the two samples' means of the standardised values in year (and city) ``y``.
Two statistics per indicator compare the samples:

* **profile** ``sum_y d_y^2``: grows with a difference in any year, in level or in shape;
* **level** ``(sum_y d_y)^2``: grows with a difference of the same sign over the years (as a difference of totals).

Under the hypothesis that the two implementations are one model, the runs are exchangeable, so ``n_permutations``
random relabellings of the pooled runs (shared by all indicators) give each statistic's null distribution: exact
whatever the distribution of the values and however the years of a run are correlated. The p-values are adjusted
for the whole family of statistics by the single-step minP method (Westfall and Young 1993, *Resampling-Based
Multiple Testing*, ch. 2): the adjusted p-value of a statistic is the share of labellings (the observed one
included) whose smallest unadjusted p-value over all statistics is at most its own. It keeps the chance of
rejecting any indicator of two equal models at most ``family_alpha`` and, unlike Bonferroni, uses the correlation
between indicators (arrests, people in China and detainees move together). An indicator is rejected when the
smaller of its two adjusted p-values is below ``family_alpha``; the smallest adjusted p-value a statistic can get
is at most the number of statistics over the number of labellings, so the permutations must be at least twice
that number over ``family_alpha``. Years and cities where every run has the same value
carry no information and are left out. ``docs/docking.md`` gives the design and what the procedure detects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

N_PERMUTATIONS = 19_999
STATISTICS = ("profile", "level")


@dataclass(frozen=True)
class Docking:
    """Result of the procedure per indicator: the smaller adjusted p-value of its two statistics, the largest
    standardised yearly difference of means (``effect``, in pooled standard deviations, with its year), and the
    indicators rejected at ``family_alpha``."""

    pvalues: dict[str, float]
    effects: dict[str, tuple[float, int | None]]
    family_alpha: float
    rejected: tuple[str, ...]

    def report(self) -> str:
        """One line per indicator: adjusted p-value, largest yearly difference and verdict."""
        lines = [f"family level {self.family_alpha} over {len(self.pvalues)} indicators x {len(STATISTICS)} "
                 "statistics (minP-adjusted p); effect = largest |difference of yearly means| / pooled sd"]
        for name, p in self.pvalues.items():
            effect, year = self.effects[name]
            lines.append(f"  {name:<28} p = {p:.4f}  effect {effect:5.2f} ({year})"
                         f"{'  REJECTED' if name in self.rejected else ''}")
        return "\n".join(lines)


def profiles(runs: Sequence[pd.DataFrame], name: str) -> tuple[np.ndarray, list[int]]:
    """The indicator's profiles: an array [run, year x city] and the year of each column."""
    keys = runs[0][["year", "city"]].reset_index(drop=True)
    for run in runs:
        if not run[["year", "city"]].reset_index(drop=True).equals(keys):
            raise ValueError(f"runs cover different years or cities: {sorted(set(run['year']))} vs "
                             f"{sorted(set(keys['year']))}")
    values = np.array([run[name].to_numpy(dtype=np.float64) for run in runs])
    if np.isnan(values).any():
        raise ValueError(f"{name}: profiles with missing values cannot be compared")
    return values, keys["year"].tolist()


def standardised(pooled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pooled values [run, cell] standardised per cell, without the cells that never vary; and the indices
    of the cells kept."""
    sd = pooled.std(axis=0)
    varies = np.flatnonzero(sd > 1e-12 * np.maximum(1.0, np.abs(pooled).max(axis=0)))
    return (pooled[:, varies] - pooled[:, varies].mean(axis=0)) / sd[varies], varies


def statistics(z: np.ndarray, labels: np.ndarray, n_a: int) -> np.ndarray:
    """Profile and level statistics [labelling, 2] of standardised values ``z`` [run, cell] for labellings
    ``labels`` [labelling, run] (1.0: the run is in the first sample, of ``n_a`` runs; 0.0: in the second).

    The columns of ``z`` sum to zero, so the second sample's mean is ``-(sum over the first) / n_b`` and the
    difference of means is ``(labels @ z) (1 / n_a + 1 / n_b)``.
    """
    n_b = labels.shape[1] - n_a
    d = (labels @ z) * (1.0 / n_a + 1.0 / n_b)
    return np.stack([(d**2).sum(axis=1), d.sum(axis=1) ** 2], axis=1)


def labellings(n_a: int, n: int, n_permutations: int, seed: int) -> np.ndarray:
    """The observed labelling (first ``n_a`` runs in the first sample: 1.0) followed by random relabellings."""
    rng = np.random.default_rng(seed)
    random = np.argsort(rng.random((n_permutations, n)), axis=1) < n_a
    return np.vstack([np.arange(n) < n_a, random]).astype(np.float64)


def upper_tail_pvalues(t: np.ndarray) -> np.ndarray:
    """For each row of ``t`` [labelling, statistic], the share of labellings whose statistic is at least its own
    (ties within a relative 1e-12 count as equal)."""
    out = np.empty_like(t)
    for k in range(t.shape[1]):
        column = t[:, k]
        ordered = np.sort(column)
        below = np.searchsorted(ordered, column * (1.0 - 1e-12) - 1e-300, side="left")
        out[:, k] = (len(column) - below) / len(column)
    return out


def dock(sample_a: Sequence[pd.DataFrame], sample_b: Sequence[pd.DataFrame], indicators: Sequence[str],
         family_alpha: float = 0.01, n_permutations: int = N_PERMUTATIONS, seed: int = 0) -> Docking:
    """The docking procedure (module docstring) for ``indicators``, columns of both samples' yearly tables."""
    a, b = {}, {}
    years: list[int] = []
    for name in indicators:
        a[name], years = profiles(sample_a, name)
        b[name], years_b = profiles(sample_b, name)
        if years != years_b:
            raise ValueError(f"{name}: the samples cover different years ({years} vs {years_b})")
    return dock_profiles(a, b, years, family_alpha, n_permutations, seed)


def dock_profiles(a: dict[str, np.ndarray], b: dict[str, np.ndarray], years: Sequence[int],
                  family_alpha: float = 0.01, n_permutations: int = N_PERMUTATIONS, seed: int = 0) -> Docking:
    """The procedure on profiles: for each indicator an array [run, cell] per sample; ``years`` gives each cell's
    year."""
    first = next(iter(a.values()))
    n_a, n = len(first), len(first) + len(next(iter(b.values())))
    labels = labellings(n_a, n, n_permutations, seed)
    columns, owner, effects = [], [], {}
    for name in a:
        z, kept = standardised(np.vstack([a[name], b[name]]))
        if z.shape[1] == 0:
            effects[name] = (0.0, None)
            continue
        t = statistics(z, labels, n_a)
        columns.append(t)
        owner += [name] * t.shape[1]
        d = np.abs(z[:n_a].mean(axis=0) - z[n_a:].mean(axis=0))
        effects[name] = (float(d.max()), years[int(kept[np.argmax(d)])])
    pvalues = dict.fromkeys(a, 1.0)
    if len(owner) / (n_permutations + 1) > family_alpha / 2:  # the smallest adjusted p-value can be this large
        raise ValueError(f"{n_permutations} permutations are too few for {len(owner)} statistics at family level "
                         f"{family_alpha}: at least {int(2 * len(owner) / family_alpha)} needed")
    if columns:
        raw = upper_tail_pvalues(np.hstack(columns))
        smallest = np.sort(raw.min(axis=1))
        adjusted = np.searchsorted(smallest, raw[0] * (1.0 + 1e-12), side="right") / len(smallest)
        for name, p in zip(owner, adjusted, strict=True):
            pvalues[name] = min(pvalues[name], float(p))
    rejected = tuple(name for name in a if pvalues[name] < family_alpha)
    return Docking(pvalues, effects, family_alpha, rejected)


def detection_rate(n_runs: int, years_shifted: int, shift_sd: float, repetitions: int = 100,
                   n_indicators: int = 37, n_years: int = 5, seed: int = 7) -> float:
    """Share of ``repetitions`` in which the procedure rejects one indicator shifted by ``shift_sd`` standard
    deviations in its first ``years_shifted`` of ``n_years`` years, among ``n_indicators`` independent normal
    ones, with ``n_runs`` runs a side (what ``docs/docking.md`` reports as the procedure's power)."""
    rng = np.random.default_rng(seed)
    hits = 0
    for rep in range(repetitions):
        a = {f"i{k}": rng.normal(size=(n_runs, n_years)) for k in range(n_indicators)}
        b = {f"i{k}": rng.normal(size=(n_runs, n_years)) for k in range(n_indicators)}
        b["i0"][:, :years_shifted] += shift_sd
        hits += "i0" in dock_profiles(a, b, range(n_years), seed=rep).rejected
    return hits / repetitions
