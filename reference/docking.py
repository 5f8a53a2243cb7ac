"""The docking procedure: are two samples of yearly tables (engine runs, reference runs) draws of one model?

For each indicator (a column of the yearly table) a run gives a profile: one value per year and city. The two
samples' profiles are compared by a permutation test (Good 2005, *Permutation, Parametric and Bootstrap Tests of
Hypotheses*) of the statistic

    T = sum over years and cities of (mean_engine - mean_reference)^2 / (variance of the pooled values),

the squared standardised differences of the yearly means, which grows with a difference in any year, in level or
in shape. Under the hypothesis that the two implementations are one model, the runs are exchangeable, so the
p-value is the share of ``n_permutations`` random relabellings of the pooled runs (and the observed labelling)
whose ``T`` is at least the observed one: exact whatever the distribution of the values and however the years of
a run are correlated. Years and cities where every run has the same value carry no information and are left out.
An indicator is rejected when its p-value is below ``family_alpha / number of indicators`` (Bonferroni), so the
chance of rejecting any indicator of two equal models is at most ``family_alpha``. ``docs/docking.md`` gives the
design and what the procedure detects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

N_PERMUTATIONS = 9_999


@dataclass(frozen=True)
class Docking:
    """Result of the procedure: a p-value per indicator, the largest standardised yearly difference of means
    (``effect``, in pooled standard deviations, with its year), the indicators rejected."""

    pvalues: dict[str, float]
    effects: dict[str, tuple[float, int | None]]
    level: float  # per-indicator level after the Bonferroni correction
    family_alpha: float
    rejected: tuple[str, ...]

    def report(self) -> str:
        """One line per indicator: p-value, largest yearly difference and verdict."""
        lines = [f"per-indicator level {self.level:.6f} (family {self.family_alpha}, Bonferroni over "
                 f"{len(self.pvalues)}); effect = largest |difference of yearly means| / pooled sd"]
        for name, p in self.pvalues.items():
            effect, year = self.effects[name]
            lines.append(f"  {name:<28} p = {p:.5f}  effect {effect:5.2f} ({year})"
                         f"{'  REJECTED' if name in self.rejected else ''}")
        return "\n".join(lines)


def profiles(runs: Sequence[pd.DataFrame], name: str) -> tuple[np.ndarray, list[int]]:
    """The indicator's profiles: an array [run, year x city] and the year of each column."""
    keys = runs[0][["year", "city"]]
    for run in runs:
        if not run[["year", "city"]].equals(keys):
            raise ValueError(f"runs cover different years or cities: {sorted(set(run['year']))} vs "
                             f"{sorted(set(keys['year']))}")
    values = np.array([run[name].to_numpy(dtype=np.float64) for run in runs])
    return values, keys["year"].tolist()


def permutation_test(a: np.ndarray, b: np.ndarray, n_permutations: int = N_PERMUTATIONS,
                     seed: int = 0) -> tuple[float, float, int | None]:
    """p-value of ``T`` (module docstring) for samples ``a`` [run, cell] and ``b`` [run, cell]; also the largest
    standardised difference of cell means and the index of its cell (None if no cell varies)."""
    pooled = np.vstack([a, b])
    if np.isnan(pooled).any():
        raise ValueError("profiles with missing values cannot be compared")
    sd = pooled.std(axis=0)
    varies = sd > 1e-12 * np.maximum(1.0, np.abs(pooled).max(axis=0))
    if not varies.any():
        return 1.0, 0.0, None
    z = (pooled[:, varies] - pooled[:, varies].mean(axis=0)) / sd[varies]
    n_a, n = len(a), len(pooled)

    def statistic(in_a: np.ndarray) -> np.ndarray:
        """T for each labelling (rows of booleans: run in sample a)."""
        mean_a = in_a @ z / n_a
        mean_b = ~in_a @ z / (n - n_a)
        return ((mean_a - mean_b) ** 2).sum(axis=1)

    observed_labels = np.arange(n) < n_a
    observed = statistic(observed_labels[None, :])[0]
    rng = np.random.default_rng(seed)
    exceed = 0
    for first in range(0, n_permutations, 2000):
        k = min(2000, n_permutations - first)
        labels = np.argsort(rng.random((k, n)), axis=1) < n_a
        exceed += int(np.sum(statistic(labels) >= observed * (1.0 - 1e-12)))
    differences = np.abs(z[:n_a].mean(axis=0) - z[n_a:].mean(axis=0))
    cell = int(np.flatnonzero(varies)[np.argmax(differences)])
    return (1 + exceed) / (1 + n_permutations), float(differences.max()), cell


def dock(sample_a: Sequence[pd.DataFrame], sample_b: Sequence[pd.DataFrame], indicators: Sequence[str],
         family_alpha: float = 0.01, n_permutations: int = N_PERMUTATIONS) -> Docking:
    """The docking procedure (module docstring) for ``indicators``, columns of both samples' yearly tables."""
    level = family_alpha / len(indicators)
    pvalues, effects = {}, {}
    for k, name in enumerate(indicators):
        a, years = profiles(sample_a, name)
        b, years_b = profiles(sample_b, name)
        if years != years_b:
            raise ValueError(f"{name}: the samples cover different years ({years} vs {years_b})")
        p, effect, cell = permutation_test(a, b, n_permutations, seed=k)
        pvalues[name] = p
        effects[name] = (effect, None if cell is None else years[cell])
    rejected = tuple(name for name, p in pvalues.items() if p < level)
    return Docking(pvalues, effects, level, family_alpha, rejected)
