"""The calibrated parameter set shipped with the package (``nkborder/data/calibrated.toml``).

The file holds the posterior medians (``[params]``: model parameters, ``[observation]``: observation-model
parameters), how they were made (``[calibration]`` and the comments at the top: posterior id, command, data,
seed), and the last generation's particles and weights (``[posterior]``) so that ``nkborder validate`` can draw
from the posterior without the results file. Use the medians in a run with
``nkborder.run("history", overrides=calibrated_params())``.
"""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.calibration.posterior import Posterior
from nkborder.errors import InputError
from nkborder.observation.model import OBSERVATION_FIELDS

SHIPPED = "calibrated.toml"


def shipped_path() -> Path:
    """The package's ``data/calibrated.toml``."""
    return Path(str(files("nkborder") / "data" / SHIPPED))


def load_shipped(path: str | Path | None = None) -> Posterior:
    """The posterior stored in a calibrated TOML file (default: the shipped one)."""
    p = Path(path) if path is not None else shipped_path()
    if not p.is_file():
        raise InputError(str(p), "file", "not found", "a calibrated.toml written by `nkborder posterior --toml`")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(p), "toml", str(exc)) from None
    for key in ("calibration", "params", "posterior"):
        if key not in doc:
            raise InputError(str(p), key, "table missing", "[calibration], [params], [observation], [posterior]")
    post = dict(doc["posterior"])
    weights = post.pop("weight")
    definition = json.loads(doc["calibration"]["definition_json"])
    return Posterior(doc["calibration"]["name"], pd.DataFrame(post), pd.Series(weights, dtype=float), definition)


def calibrated_params(path: str | Path | None = None) -> dict[str, float]:
    """The model parameters of the shipped calibration (posterior medians and the values the calibration held
    fixed), as run overrides."""
    p = Path(path) if path is not None else shipped_path()
    doc = tomllib.loads(p.read_text(encoding="utf-8"))
    return dict(doc["params"])


def shipped_command(path: str | Path | None = None) -> str:
    """The command that made a calibrated TOML file (default: the shipped one): its ``[calibration].command``."""
    p = Path(path) if path is not None else shipped_path()
    return str(tomllib.loads(p.read_text(encoding="utf-8"))["calibration"]["command"])


def write_toml(path: str | Path, posterior: Posterior, meta: dict[str, Any]) -> Path:
    """Write ``posterior`` (medians, particles, weights) and ``meta`` (name, command, data, seed...) as TOML."""
    med = posterior.median()
    d = posterior.definition
    lines = [
        "# Calibrated parameters of nkborder: the posterior median of each calibrated parameter.",
        f"# posterior id: {posterior.name} (results file {meta.get('db', '?')})",
        f"# command: {meta.get('command', '?')}",
        f"# data: {d.get('observed', '?')}, years {d.get('first', '?')}-{d.get('until', '?')}",
        f"# seed: {d.get('seed', '?')}; scale {d.get('scale', '?')}; population {d.get('population', '?')}; "
        f"generations {meta.get('generations', '?')}",
        "# Use: nkborder.run('history', overrides=nkborder.calibration.calibrated_params())",
        "", "[calibration]",
    ]
    for key in ("name", "command", "created", "code_version"):
        lines.append(f"{key} = {_str(meta.get(key, posterior.name if key == 'name' else ''))}")
    for key in ("scenario", "observed", "first", "until", "scale", "seed", "population", "generations"):
        value = d["scenario"]["name"] if key == "scenario" else meta.get(key, d.get(key))
        if value is not None:
            lines.append(f"{key} = {_value(value)}")
    lines.append(f"definition_json = '''{json.dumps(d, sort_keys=True)}'''")
    fixed = {n: v for n, v in (d.get("fixed") or {}).items() if n not in med}
    lines += ["", "[params]  # model parameters: posterior median (then the values held fixed, if any)"]
    lines += [f"{n} = {_value(v)}" for n, v in med.items() if n not in OBSERVATION_FIELDS]
    lines += [f"{n} = {_value(v)}  # fixed" for n, v in fixed.items() if n not in OBSERVATION_FIELDS]
    lines += ["", "[observation]  # observation-model parameters: posterior median (or fixed)"]
    lines += [f"{n} = {_value(v)}" for n, v in med.items() if n in OBSERVATION_FIELDS]
    lines += [f"{n} = {_value(v)}  # fixed" for n, v in fixed.items() if n in OBSERVATION_FIELDS]
    lines += ["", "[posterior]  # last generation: particle weights (sum 1) and values"]
    lines.append(f"weight = {_array(posterior.weights)}")
    lines += [f"{n} = {_array(posterior.particles[n])}" for n in posterior.names]
    out = Path(path)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _str(text: Any) -> str:
    return json.dumps(str(text))


def _value(v: Any) -> str:
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return repr(float(v))  # the shortest text that reads back as the same double


def _array(values: Any) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"
