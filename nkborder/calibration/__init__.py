"""Calibration (ABC-SMC with pyabc) and validation of the model against observed data.

::

    from nkborder.calibration import calibrate, validate
    cal = calibrate("history", observed="shared/data", until=2011, population=150, generations=6, scale=0.05)
    cal.posterior.summary()          # median, 5-95 % interval per parameter
    val = validate("history", posterior=cal.name, db="nkborder.duckdb", holdout=(2012, 2015))
    val.fit                          # MAE, MAPE, 50/90 % coverage per series, calibration vs hold-out years

See ``docs/calibration.md`` for the observation model, the distance and the shipped calibration.
"""

from nkborder.calibration.posterior import Posterior
from nkborder.calibration.shipped import calibrated_params, load_shipped
from nkborder.calibration.smc import Calibration, calibrate, load_calibration
from nkborder.calibration.targets import SERIES, Targets, load_targets, make_targets
from nkborder.calibration.validate import Validation, validate
from nkborder.observation.model import (
    ObservationParams,
    city_weights,
    expected_city_counts,
    national_equivalent,
)

__all__ = [
    "SERIES",
    "Calibration",
    "ObservationParams",
    "Posterior",
    "Targets",
    "Validation",
    "calibrate",
    "calibrated_params",
    "city_weights",
    "expected_city_counts",
    "load_calibration",
    "load_shipped",
    "load_targets",
    "make_targets",
    "national_equivalent",
    "validate",
]
