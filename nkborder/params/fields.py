"""Declaring a parameter: default, unit, allowed range (= calibration prior) and its source.

Every parameter of the model is declared with :func:`param`. A parameter whose value comes from the world
names a source (an id of ``data/sources.csv`` or a data file and row) and quotes it; a parameter nobody
documented is marked ``"assumption"``. The declared range is both the validation range and the uniform prior
that calibration and sensitivity analysis sample from, so the web app, SALib and pyabc all read it from here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

ASSUMPTION = "assumption"


def param(
    default: float,
    lo: float,
    hi: float,
    unit: str,
    doc: str,
    source: str = ASSUMPTION,
    quote: str = "",
    calibrate: bool = False,
    integer: bool = False,
    label: str = "",
) -> Any:
    """A pydantic field carrying the nkborder metadata of one parameter.

    Args:
        default: value used when a scenario does not set it.
        lo, hi: inclusive allowed range; also the uniform prior for calibration and sensitivity.
        unit: physical unit, e.g. ``"CNY"``, ``"per year"``, ``"days"``, ``"share 0-1"``.
        doc: what the parameter means, in one sentence.
        source: ``"assumption"``, a ``sources.csv`` id, or ``"data/<file>.csv: <row>"``.
        quote: the words of the source that give the value.
        calibrate: whether calibration (pyabc) estimates it.
        integer: whether only whole numbers make sense.
        label: a short plain-language name for pages and figures (e.g. "Baseline wish to leave"); blank: the
            identifier with spaces.
    """
    if not lo <= default <= hi:
        raise ValueError(f"default {default} outside its range [{lo}, {hi}]")
    extra = {
        "unit": unit,
        "lo": lo,
        "hi": hi,
        "source": source,
        "quote": quote,
        "calibrate": calibrate,
        "integer": integer,
        "label": label,
    }
    return Field(default=default, ge=lo, le=hi, description=doc, json_schema_extra=extra)
