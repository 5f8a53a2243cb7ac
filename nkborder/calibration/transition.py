"""The perturbation kernel's proposals drawn inside the priors' box, in batches.

pyabc draws a proposal, evaluates its prior density and, when the density is 0 (a coordinate outside its
uniform prior), draws again, one proposal at a time: a pandas Series, a decomposition of the covariance and one
scipy density per parameter, about a millisecond per draw. With twenty parameters, several of them near a bound
of their prior, most draws fall outside the box and a particle can cost thousands of them (pyabc's warning
"Unusually many (model, parameter) samples have prior density zero"), which on the workers costs as much time
as the simulations. :class:`BoxedNormalTransition` draws a batch of proposals at once with NumPy and returns the
first one inside the box, which is the draw pyabc's loop would have returned: the same distribution (the
kernel's mixture cut to the box), so the kernel's density, and with it every importance weight, is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyabc
from pyabc.parameters import Parameter

#: Proposals drawn at once; a batch costs about as much as a few single draws.
BATCH = 256
#: Power of the particle weights in the tempered kernel's mixture and covariance.
TEMPER = 0.5


class BoxedNormalTransition(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel whose single proposals lie inside ``[lo, hi]`` in every coordinate.

    ``lo`` and ``hi`` map each parameter to its prior's bounds (inclusive, as scipy's uniform density). Only
    ``rvs_single``, the draw pyabc's sampler makes per particle, differs from the parent class; ``fit``, ``pdf``
    and the covariance are the parent's.
    """

    def __init__(self, lo: dict[str, float], hi: dict[str, float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.lo, self.hi = dict(lo), dict(hi)
        self._box: tuple[np.ndarray, np.ndarray] | None = None

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        super().fit(X, w)
        missing = [c for c in X.columns if c not in self.lo or c not in self.hi]
        if missing:
            raise ValueError(f"no prior bounds for {missing}")
        self._box = (np.array([self.lo[c] for c in X.columns], float), np.array([self.hi[c] for c in X.columns], float))

    def rvs_single(self) -> Parameter:
        lo, hi = self._box
        zero = np.zeros(self.cov.shape[0])
        while True:
            index = np.random.choice(self._range, size=BATCH, p=self.w, replace=True)
            draws = self._X_arr[index] + np.random.multivariate_normal(zero, self.cov, size=BATCH)
            inside = np.flatnonzero(((draws >= lo) & (draws <= hi)).all(axis=1))
            if inside.size:
                return Parameter(dict(zip(self.X.columns, draws[inside[0]].tolist(), strict=True)))


class TemperedNormalTransition(BoxedNormalTransition):
    """The boxed kernel around every particle with mixture weights ``w ** TEMPER`` (renormalised) and twice the
    covariance of the particles under those weights.

    With twenty parameters the importance weights of ABC-SMC concentrate on a few particles; twice their weighted
    covariance is then nearly singular, proposals crowd around them, and a proposal accepted elsewhere gets a
    weight many times theirs, so the effective sample size falls generation by generation to a few particles
    (docs/calibration.md, "ABC-SMC"). Tempering the weights keeps every particle in the proposal and its spread
    in the covariance. The importance weights prior / proposal stay exact: ``pdf`` is the density of the
    tempered mixture that ``rvs_single`` draws from.
    """

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        tempered = np.asarray(w, float) ** TEMPER
        super().fit(X, tempered / tempered.sum())
