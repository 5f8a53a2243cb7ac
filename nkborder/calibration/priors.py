"""Which parameters are estimated, and their priors: uniform over the declared ranges.

The model's parameters marked ``calibrate=True`` in :mod:`nkborder.params` and the observation parameters marked
so in :class:`~nkborder.observation.model.ObservationParams` are estimated; the range each declares is its
uniform prior. Every other parameter keeps the scenario's value (or a value given in ``fixed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyabc

from nkborder.errors import InputError, unknown_name
from nkborder.observation.model import OBSERVATION_FIELDS, ObservationParams, observation_info
from nkborder.params import Params, parameter_info


@dataclass(frozen=True)
class Prior:
    """A uniform prior on ``[lo, hi]`` of one parameter, in its declared ``unit``."""

    name: str
    lo: float
    hi: float
    unit: str
    observation: bool  # an observation-model parameter (not one of the model's)


def info(name: str) -> dict:
    """The declared metadata of a model or observation parameter (InputError if unknown)."""
    if name in OBSERVATION_FIELDS:
        return observation_info(name)
    if name in Params.model_fields:
        return parameter_info(name)
    raise unknown_name("--parameters", name, [*Params.model_fields, *OBSERVATION_FIELDS], "parameter",
                       "nkborder params")


def flagged() -> list[str]:
    """Names of the parameters marked ``calibrate=True`` (model first, then observation parameters)."""
    names = [n for n in Params.model_fields if parameter_info(n).get("calibrate")]
    return names + [n for n in OBSERVATION_FIELDS if observation_info(n).get("calibrate")]


def priors(names: Iterable[str] | None = None) -> list[Prior]:
    """Priors of ``names`` (default: every flagged parameter), in the given order."""
    chosen = list(names) if names is not None else flagged()
    if not chosen:
        raise InputError("--parameters", "", "no parameter to calibrate", "names of model parameters")
    out = []
    for name in dict.fromkeys(chosen):
        meta = info(name)
        out.append(Prior(name, float(meta["lo"]), float(meta["hi"]), str(meta["unit"]), name in OBSERVATION_FIELDS))
    return out


def pyabc_prior(prs: list[Prior]) -> pyabc.Distribution:
    """The joint prior as a pyabc distribution of independent uniforms."""
    return pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.lo, p.hi - p.lo) for p in prs})


def check_fixed(fixed: dict[str, float] | None, calibrated: list[str]) -> dict[str, float]:
    """Fixed values checked against the declared ranges; observation parameters not calibrated get defaults."""
    fixed = dict(fixed or {})
    for name, value in fixed.items():
        meta = info(name)
        if name in calibrated:
            raise InputError("--fix", name, "both calibrated and fixed", "a parameter that is not calibrated")
        if not meta["lo"] <= float(value) <= meta["hi"]:
            raise InputError("--fix", name, f"{value} out of range", f"{meta['lo']} to {meta['hi']} {meta['unit']}")
    for name in OBSERVATION_FIELDS:
        if name not in calibrated and name not in fixed:
            fixed[name] = float(getattr(ObservationParams(), name))
    return {k: float(v) for k, v in fixed.items()}
