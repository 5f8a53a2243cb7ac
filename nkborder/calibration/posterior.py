"""A posterior sample: weighted particles, their summary, correlations, and draws for predictions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile (0-1) of values ``x`` with weights ``w`` (midpoint interpolation of the weighted CDF)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    order = np.argsort(x)
    x, w = x[order], w[order] / w.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return float(np.interp(q, cdf, x))


@dataclass
class Posterior:
    """Particles (one column per calibrated parameter) with normalised weights.

    ``definition`` is the calibration's definition (scenario, observed folder, years, scale, seed, priors,
    fixed values); ``name`` the calibration id or ``"shipped"``.
    """

    name: str
    particles: pd.DataFrame
    weights: pd.Series
    definition: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        self.weights = pd.Series(w / w.sum(), index=self.particles.index)

    @property
    def names(self) -> list[str]:
        """The calibrated parameters."""
        return list(self.particles.columns)

    def median(self) -> dict[str, float]:
        """Weighted posterior median of each parameter."""
        return {n: weighted_quantile(self.particles[n], self.weights, 0.5) for n in self.names}

    def summary(self) -> pd.DataFrame:
        """Per parameter: prior lo/hi, weighted median, p5, p95 and the 90% interval as a share of the prior
        width (``width_share``: near 1 = the data did not narrow it)."""
        priors = {p["name"]: p for p in self.definition.get("priors", [])}
        rows = []
        for n in self.names:
            x = self.particles[n].to_numpy(float)
            p5, p50, p95 = (weighted_quantile(x, self.weights, q) for q in (0.05, 0.5, 0.95))
            lo, hi = priors.get(n, {}).get("lo", np.nan), priors.get(n, {}).get("hi", np.nan)
            rows.append({"parameter": n, "unit": priors.get(n, {}).get("unit", ""), "prior_lo": lo, "prior_hi": hi,
                         "median": p50, "p5": p5, "p95": p95, "width_share": (p95 - p5) / (hi - lo)})  # fmt: skip
        return pd.DataFrame(rows)

    def correlations(self) -> pd.DataFrame:
        """Weighted Pearson correlations between the parameters."""
        x = self.particles.to_numpy(float)
        w = self.weights.to_numpy(float)
        mean = w @ x
        cov = (x - mean).T @ ((x - mean) * w[:, None])
        sd = np.sqrt(np.diag(cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(sd, sd)
        return pd.DataFrame(corr, index=self.names, columns=self.names)

    def draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """``n`` parameter sets drawn with replacement in proportion to the weights."""
        idx = rng.choice(len(self.particles), size=n, replace=True, p=self.weights.to_numpy(float))
        return self.particles.iloc[idx].reset_index(drop=True)
