"""Parameters: the typed, validated, source-carrying inputs of the model."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import ValidationError

from nkborder.errors import InputError, shorten, unknown_name
from nkborder.params.fields import ASSUMPTION, param
from nkborder.params.parameters import SUBMODELS, Params

__all__ = ["ASSUMPTION", "Params", "describe_parameters", "make_params", "param", "parameter_info"]


def parameter_info(name: str) -> dict[str, Any]:
    """Metadata of one parameter: default, lo, hi, unit, doc, source, quote, calibrate, integer, label and the
    submodel (``group``) it belongs to."""
    field = Params.model_fields[name]
    extra = dict(field.json_schema_extra or {})
    extra["label"] = extra.get("label") or name.replace("_", " ")
    return {"name": name, "default": field.default, "doc": field.description, **extra, "group": submodel_of(name)}


def submodel_of(name: str) -> str:
    """The submodel a parameter belongs to: the :data:`SUBMODELS` group it is declared in."""
    group = ""
    for field in Params.model_fields:
        group = SUBMODELS.get(field, group)
        if field == name:
            return group
    raise KeyError(name)


def describe_parameters() -> pd.DataFrame:
    """One row per parameter with its default, range, unit, source, quote, plain-language label and submodel
    (for docs, app and CLI), in declaration order."""
    return pd.DataFrame([parameter_info(name) for name in Params.model_fields])


def make_params(values: dict[str, Any], source: str = "overrides") -> Params:
    """Build :class:`Params` from a mapping, turning validation failures into one :class:`InputError`.

    Args:
        values: parameter names and values; unknown names are refused.
        source: where the values came from (a file path, ``--set``), named in the error.
    """
    try:
        return Params(**values)
    except ValidationError as exc:
        raise _as_input_error(exc, source) from None


def _as_input_error(exc: ValidationError, source: str) -> InputError:
    err = exc.errors()[0]
    name = ".".join(str(p) for p in err["loc"]) or "?"
    if err["type"] == "extra_forbidden":
        return unknown_name(source, name, Params.model_fields, "parameter", "nkborder params")
    if name in Params.model_fields:
        info = parameter_info(name)
        kind = "a whole number" if info.get("integer") else "a number"
        allowed = f"{kind} from {info['lo']:g} to {info['hi']:g} {info['unit']}"
        return InputError(source, name, f"{err['msg']} (got {shorten(err.get('input'))})", allowed)
    return InputError(source, name, err["msg"])
