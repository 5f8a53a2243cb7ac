"""What reproduces an experiment of the page: the command line that runs it again, and the metadata that travels
with every download (scenario TOML, parameters, seeds, scale, version, command).

The command is built from the experiment's stored definition, so it is the same for an experiment run in this
page, opened from the results file, or started from the shell. Run against the same results file it resumes the
experiment (every run is found stored: the run keys are the same); against a new file it computes the same runs.
A scenario that is not a shipped one, unedited, is named by the TOML file the download carries
(:func:`scenario_file`), written by :func:`nkborder.app.state.to_toml` (every event and parameter, no ``base``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shlex
import zipfile
from typing import Any

import pandas as pd

from nkborder.version import __version__

METADATA = "metadata.json"


def scenario_file(info: dict[str, Any]) -> str:
    """The file name a non-shipped scenario has in a download (and in the command): ``NAME.toml``."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in str(info["name"]))[:60] or "scenario"
    return f"{safe}.toml"


def scenario_arg(info: dict[str, Any], shipped: dict[str, str]) -> str:
    """How the command names a scenario: a shipped one by name when the run used its content unchanged
    (``shipped`` maps name -> content hash at the run's dates and first year reported; the hash covers the
    name, so it holds however the scenario was given), anything else by its TOML file."""
    name = str(info["name"])
    if shipped.get(name) == info.get("content_hash"):
        return name
    return scenario_file(info)


def report_year(definition: dict[str, Any]) -> int | None:
    """The ``--report-from`` year of the command: the first year reported when every scenario of the definition
    reports from the same year later than its start (None otherwise: a scenario reporting on its own terms is
    named by its TOML file, which says so)."""
    if definition.get("kind") not in ("ensemble", "compare", "sweep", "sensitivity"):  # commands with --report-from
        return None
    starts = {info.get("report_start") for info in definition.get("scenarios", [])}
    return dt.date.fromisoformat(starts.pop()).year if len(starts) == 1 and None not in starts else None


def shipped_hashes(definition: dict[str, Any]) -> dict[str, str]:
    """Content hashes of the shipped scenarios the definition names, at the dates it ran them and reporting
    from :func:`report_year`."""
    from nkborder.scenarios import list_scenarios, load_scenario
    from nkborder.scenarios.burnin import report_from

    names = {n for n, _ in list_scenarios()}
    year = report_year(definition)
    out = {}
    for info in definition.get("scenarios", []):
        if info["name"] in names:
            sc = load_scenario(info["name"]).with_dates(dt.date.fromisoformat(info["start"]),
                                                        dt.date.fromisoformat(info["end"]))
            out[info["name"]] = report_from(sc, year, "--report-from").content_hash()
    return out


def command(definition: dict[str, Any], name: str, db: str, shipped: dict[str, str] | None = None) -> str:
    """The ``nkborder`` command that runs experiment ``name`` of ``definition`` into results file ``db``."""
    shipped = shipped_hashes(definition) if shipped is None else shipped
    kind = definition["kind"]
    design = definition.get("design", {})
    analysis = definition.get("analysis", {})
    scenarios = definition["scenarios"]
    args = ["nkborder", kind, *(scenario_arg(s, shipped) for s in scenarios[: 2 if kind == "compare" else 1])]
    if kind == "sweep":
        args += ["--design", design["design"]]
        for r in design["vary"]:
            if design["design"] == "factorial":
                args += ["--vary", f"{r['name']}={r['lo']!r}:{r['hi']!r}:{r['steps']}"]
            else:
                args += ["--vary", f"{r['name']}={r['lo']!r}:{r['hi']!r}"]
        if design.get("samples"):
            args += ["--samples", str(design["samples"])]
    elif kind == "sensitivity":
        args += ["--method", design["method"], "--samples", str(design["samples"]),
                 "--params", ",".join(design["params"]), "--output", ",".join(analysis["outputs"]),
                 "--period", "{}:{}".format(*analysis["period"]), "--aggregate", analysis["aggregate"]]
    elif kind == "compare":
        args += ["--period", "{}:{}".format(*analysis["period"]), "--output", ",".join(analysis["outputs"])]
    args += ["--reps", str(design["reps"]), "--scale", f"{design['scale']!r}", "--seed", str(design["seed"]),
             "--start", scenarios[0]["start"], "--end", scenarios[0]["end"]]
    year = report_year(definition)
    if year is not None:
        args += ["--report-from", str(year)]
    for key, value in sorted(design.get("overrides", {}).items()):
        args += ["--set", f"{key}={value!r}"]
    args += ["--name", name, "--db", db]
    return " ".join(shlex.quote(a) for a in args)


def metadata(result: Any, scenarios: list[Any], db: str, what: str) -> dict[str, Any]:
    """What a download of ``result`` carries besides its table ``what``: the command, the scenarios (name,
    file, content hash, dates), every parameter value they ran with, the seeds, the scale, the version."""
    definition = result.definition
    design = definition.get("design", {})
    shipped = shipped_hashes(definition)
    seeds = sorted({int(s) for s in result.runs["seed"]}) if "seed" in result.runs else []
    infos = definition["scenarios"]
    return {
        "experiment": result.name,
        "kind": definition["kind"],
        "table": what,
        "command": command(definition, result.name, db, shipped) if "design" in definition else None,
        "results_file": db,
        "nkborder_version": __version__,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs_stored": int(result.n_runs),
        "seeds": seeds,
        "scale": design.get("scale"),
        "reps": design.get("reps"),
        "base_seed": design.get("seed"),
        "design": design,
        "analysis": definition.get("analysis", {}),
        "scenarios": [
            {"name": info["name"], "argument": scenario_arg(info, shipped), "file": scenario_file(info),
             "content_hash": info.get("content_hash"), "start": info["start"], "end": info["end"],
             "parameters": _parameters(sc, design.get("overrides", {}))}
            for info, sc in zip(infos, scenarios, strict=False)
        ],
    }


def _parameters(sc: Any, overrides: dict[str, float]) -> dict[str, float] | None:
    if sc is None:
        return None
    return {k: float(v) for k, v in sc.parameters(overrides).model_dump().items()}


def bundle(table: pd.DataFrame, stem: str, fmt: str, meta: dict[str, Any], tomls: dict[str, str]) -> bytes:
    """A zip of the table (``STEM.csv`` or ``STEM.parquet``), ``metadata.json`` and the scenario TOML files."""
    from nkborder.app.storage import to_bytes

    return bundle_bytes(f"{stem}.{fmt}", to_bytes(table, fmt), meta, tomls)


def bundle_bytes(filename: str, data: bytes, meta: dict[str, Any], tomls: dict[str, str]) -> bytes:
    """A zip of one file (a table or a figure), ``metadata.json`` and the scenario TOML files."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(filename, data)
        z.writestr(METADATA, json.dumps(meta, indent=2, default=str))
        for file, text in tomls.items():
            z.writestr(file, text)
    return buf.getvalue()


def run_metadata(rec: Any, what: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Metadata and scenario file of one stored run (a :class:`~nkborder.store.RunRecord`): the ``nkborder
    run`` command that computes it again, its parameters, seed, scale, dates and versions."""
    file = scenario_file({"name": rec.scenario_name})
    sets = [f"--set {shlex.quote(f'{k}={v!r}')}" for k, v in sorted(_overrides(rec).items())]
    cmd = " ".join(["nkborder run", shlex.quote(file), f"--seed {rec.seed}", f"--scale {rec.scale!r}",
                    f"--start {rec.start_date}", f"--end {rec.end_date}", *sets])
    meta = {
        "run_id": rec.run_id, "experiment": rec.experiment, "table": what, "command": cmd,
        "scenario": {"name": rec.scenario_name, "file": file}, "parameters": rec.params, "seed": int(rec.seed),
        "scale": float(rec.scale), "start": str(rec.start_date), "end": str(rec.end_date),
        "code_version": rec.code_version, "nkborder_version": __version__, "status": rec.status,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return meta, {file: rec.scenario_text}


def _overrides(rec: Any) -> dict[str, float]:
    """The run's parameter values that its scenario text does not give (``--set`` overrides)."""
    from nkborder.scenarios.scenario import load_scenario_text

    try:
        own = load_scenario_text(rec.scenario_text, "stored.toml").parameters().model_dump()
    except Exception:
        return {}
    return {k: v for k, v in rec.params.items() if k in own and own[k] != v}
