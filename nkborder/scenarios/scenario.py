"""Scenarios: TOML files naming the cities, the dates, parameter overrides and the policy timeline.

A scenario may extend another (``base = "history"``), dropping events by id (``drop_events``), replacing
events of the same id and adding new ones; this keeps counterfactual files short and easy to diff against their
baseline. Loading validates everything and raises :class:`~nkborder.errors.InputError` naming the file, the
field and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nkborder.errors import InputError
from nkborder.params import Params, make_params
from nkborder.scenarios.events import CITIES, PolicyEvent

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2035, 12, 31)


class Scenario(BaseModel):
    """A fully resolved scenario (any ``base`` already merged in)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    cities: tuple[str, ...] = CITIES
    start: dt.date = dt.date(1995, 1, 1)
    end: dt.date = dt.date(2025, 12, 31)
    report_start: dt.date | None = Field(
        default=None, description="first day shown in the results; the run starts earlier to build up its state"
    )
    trade_series: Literal["GAC", "KOTRA"] = "GAC"
    trade_hold_after: int | None = Field(
        default=None, ge=1995, le=2030, description="hold official trade at this year's level afterwards"
    )
    params: dict[str, Any] = Field(default_factory=dict, description="parameter overrides, checked by Params")
    events: tuple[PolicyEvent, ...] = ()
    path: str = Field(default="", description="file the scenario was read from")
    text: str = Field(default="", description="the TOML text as written")

    @field_validator("cities")
    @classmethod
    def _known_cities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if c not in CITIES]
        if bad or not value:
            raise ValueError(f"unknown or no cities {bad}; allowed: {', '.join(CITIES)}")
        return tuple(c for c in CITIES if c in value)

    def parameters(self, overrides: dict[str, Any] | None = None) -> Params:
        """The scenario's :class:`Params`, with ``overrides`` (e.g. from ``--set``) applied last."""
        merged = {**self.params, **(overrides or {})}
        return make_params(merged, "overrides" if overrides else self.path or self.name)

    def with_dates(self, start: dt.date | None, end: dt.date | None) -> Scenario:
        """A copy running from ``start`` to ``end`` (None keeps the scenario's own date)."""
        new_start, new_end = start or self.start, end or self.end
        _check_window(new_start, new_end, "--start/--end")
        report = self.report_start
        if report is not None and not new_start < report <= new_end:
            report = None
        return self.model_copy(update={"start": new_start, "end": new_end, "report_start": report})

    def content_hash(self) -> str:
        """Hash of everything that changes results (not the file name or comments): for run keys."""
        payload = self.model_dump(mode="json", exclude={"path", "text", "description"})
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def shipped_dir() -> Path:
    """Folder of the scenarios shipped with the package."""
    return Path(__file__).parent


def list_scenarios() -> list[tuple[str, str]]:
    """(name, one-line description) of every shipped scenario, sorted by name."""
    out = []
    for path in sorted(shipped_dir().glob("*.toml")):
        out.append((path.stem, load_scenario(path).description))
    return out


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a shipped scenario by name (``"history"``) or a scenario file by path, validated and resolved."""
    path = _locate(name_or_path)
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), _toml_line(exc, text), f"broken TOML: {exc}", "TOML 1.0 syntax") from None
    return _resolve(raw, path, text)


def _locate(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise InputError(str(candidate), "file", "no such scenario file", "an existing .toml file")
        return candidate
    shipped = shipped_dir() / f"{name_or_path}.toml"
    if not shipped.is_file():
        names = ", ".join(p.stem for p in sorted(shipped_dir().glob("*.toml")))
        raise InputError(str(name_or_path), "scenario", "no shipped scenario of that name",
                         f"one of: {names}, or a path to a .toml file")
    return shipped


def _resolve(raw: dict[str, Any], path: Path, text: str) -> Scenario:
    raw = dict(raw)
    base_name = raw.pop("base", None)
    drop = raw.pop("drop_events", [])
    if base_name is not None:
        base_path = path.parent / f"{base_name}.toml" if (path.parent / f"{base_name}.toml").exists() else base_name
        base = load_scenario(base_path)
        known = {e.id for e in base.events}
        for event_id in drop:
            if event_id not in known:
                raise InputError(str(path), "drop_events", f"no event {event_id!r} in base {base_name!r}",
                                 f"one of: {', '.join(sorted(known))}")
        child_events = raw.get("events", [])
        replaced = {e.get("id") for e in child_events if isinstance(e, dict)}
        end = raw.get("end", base.end)
        cities = raw.get("cities", base.cities)
        kept = [  # inherited events that can act in this scenario's window and cities
            e.model_dump() for e in base.events
            if e.id not in drop and e.id not in replaced and e.start <= end
            and (e.place in ("national", "border") or e.place in cities)
        ]
        raw["events"] = kept + list(child_events)
        raw["params"] = {**base.params, **raw.get("params", {})}
        for key in ("cities", "start", "end", "report_start", "trade_series", "trade_hold_after", "description"):
            raw.setdefault(key, getattr(base, key))
    elif drop:
        raise InputError(str(path), "drop_events", "needs a base scenario", "set base = \"<scenario>\"")
    raw.setdefault("name", path.stem)
    try:
        scenario = Scenario(**raw, path=str(path), text=text)
    except ValidationError as exc:
        raise _scenario_error(exc, path, raw) from None
    _check_window(scenario.start, scenario.end, str(path))
    if scenario.report_start is not None and not scenario.start <= scenario.report_start <= scenario.end:
        raise InputError(str(path), "report_start", f"{scenario.report_start} is outside the run",
                         f"{scenario.start} to {scenario.end}")
    _check_events(scenario, path)
    scenario.parameters()  # validates parameter names, types and ranges now, naming the file
    return scenario


def _check_window(start: dt.date, end: dt.date, source: str) -> None:
    if not EARLIEST <= start < end <= LATEST:
        raise InputError(source, "start/end", f"run from {start} to {end} is not allowed",
                         f"{EARLIEST} <= start < end <= {LATEST}")


def _check_events(scenario: Scenario, path: Path) -> None:
    seen: set[str] = set()
    for i, event in enumerate(scenario.events):
        where = f"events[{i}] (id {event.id!r})"
        if event.id in seen:
            raise InputError(str(path), where, "duplicate event id", "unique ids")
        seen.add(event.id)
        if not EARLIEST <= event.start <= scenario.end:
            raise InputError(str(path), f"{where}.start", f"date {event.start} outside the run",
                             f"{EARLIEST} to {scenario.end} (events before the start are in force at the start)")
        if event.end is not None and event.end > LATEST:
            raise InputError(str(path), f"{where}.end", f"date {event.end} outside the allowed window",
                             f"{event.start} to {LATEST}")
        if event.place not in ("national", "border") and event.place not in scenario.cities:
            raise InputError(str(path), f"{where}.place", f"city {event.place!r} is not in this scenario",
                             f"national, border, {', '.join(scenario.cities)}")


def _scenario_error(exc: ValidationError, path: Path, raw: dict[str, Any]) -> InputError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
        event = raw.get("events", [])[loc[1]]
        if isinstance(event, dict) and "id" in event:
            field += f" (id {event['id']!r})"
    allowed = ""
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc)
        msg = "unknown key"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        if err.get("input") is not None and err["type"] != "value_error":
            msg += f" (got {err['input']!r})"
    return InputError(str(path), field or "?", msg, allowed)


def _allowed_keys(loc: list[Any]) -> str:
    model: type[BaseModel] = PolicyEvent if loc and loc[0] == "events" else Scenario
    names = [n for n in model.model_fields if n not in ("path", "text")]
    if model is Scenario:
        names += ["base", "drop_events"]
    return "one of: " + ", ".join(names)


def _toml_line(exc: tomllib.TOMLDecodeError, source: str) -> str:
    """``line N`` of a TOML error (the last line when the parser ran off the end of the document)."""
    text = str(exc)
    if "(at line" in text:
        return "line " + text.split("(at line", 1)[1].split(",", 1)[0].strip()
    return f"line {max(1, len(source.splitlines()))}"
