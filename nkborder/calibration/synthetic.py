"""Synthetic truth: observations simulated at known parameter values, to test what a calibration can recover.

The rows are those of the observed series (same series, years and cities); each gets the truth run's value as a
point (``low = high``). Calibrating against them and comparing the posterior with the known values says which
parameters the series identify (:func:`identified`): a 90 % interval narrower than half the prior that covers
the true value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nkborder.calibration.posterior import Posterior
from nkborder.calibration.simulate import RunModel
from nkborder.calibration.targets import Targets, make_targets

#: An identified parameter: its 90 % interval is at most this share of the prior's width (and covers the truth).
IDENTIFIED_WIDTH = 0.5


def synthetic_targets(model: RunModel, truth: dict[str, float], rep: int = 999) -> Targets:
    """The rows of ``model.targets`` with the values of one run at ``truth`` as points (rows the run gives no
    value for are dropped)."""
    values = model.run(truth, rep=rep)["values"]
    rows = model.targets.rows.assign(low=values, high=values).drop(columns="value")
    rows = rows.loc[np.isfinite(values)]
    return make_targets(rows.to_dict("records"))


def identified(posterior: Posterior, truth: dict[str, float]) -> pd.DataFrame:
    """Per calibrated parameter: the truth, posterior median and 90 % interval, its width as a share of the prior,
    whether it covers the truth, and ``identified`` (narrower than :data:`IDENTIFIED_WIDTH` of the prior and
    covering the truth)."""
    s = posterior.summary()
    s["truth"] = s["parameter"].map(truth).astype(float)
    s["covers"] = (s["p5"] <= s["truth"]) & (s["truth"] <= s["p95"])
    s["identified"] = s["covers"] & (s["width_share"] < IDENTIFIED_WIDTH)
    return s[["parameter", "unit", "prior_lo", "prior_hi", "truth", "median", "p5", "p95", "width_share", "covers",
              "identified"]].sort_values("width_share", kind="stable").reset_index(drop=True)  # fmt: skip
