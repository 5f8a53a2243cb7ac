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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nkborder.errors import InputError, close_names, shorten
from nkborder.params import Params, make_params
from nkborder.reading import MAX_SCENARIO_BYTES, decode_utf8, parse_toml, read_bytes
from nkborder.scenarios.events import CITIES, PolicyEvent

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2035, 12, 31)
MAX_BASE_DEPTH = 8  # a scenario extending a scenario extending ...: the shipped ones use one level
MAX_EVENTS = 300  # the shipped history has a few dozen; the app lists every event in a table


class Scenario(BaseModel):
    """A fully resolved scenario (any ``base`` already merged in)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
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

    def with_parameter_intensities(self, params: Params) -> Scenario:
        """A copy whose events with ``intensity_from`` have that parameter's value in ``params`` as intensity."""
        events = tuple(
            e.model_copy(update={"intensity": float(getattr(params, e.intensity_from)), "intensity_from": None})
            if e.intensity_from is not None else e for e in self.events)
        return self.model_copy(update={"events": events})

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
    """Load a shipped scenario by name (``"history"``) or a scenario file by path, validated and resolved.

    A ``base`` names a scenario file next to this one (``base = "mine"`` for ``mine.toml``), a shipped scenario
    or a path; bases may chain up to :data:`MAX_BASE_DEPTH` files and may not form a cycle.
    """
    if not isinstance(name_or_path, (str, Path)) or not str(name_or_path).strip():
        raise InputError("scenario", "scenario", f"{name_or_path!r} is not a scenario",
                         "a shipped scenario name, a path to a .toml file, or a Scenario")
    return _load(_file_source(_locate(name_or_path)), (), None)


def load_scenario_text(text: str, label: str, uploads: Mapping[str, str] | None = None) -> Scenario:
    """A scenario from TOML ``text`` that did not come from this machine's files (an upload to the app).

    Its ``base`` may name only a shipped scenario or one of ``uploads`` (file name or stem -> TOML text), never
    a path on this machine. Messages name ``label``, which is also the result's ``path``.
    """
    return _load(_Source(label, text, f"upload:{label}", None), (), dict(uploads or {}))


@dataclass(frozen=True)
class _Source:
    """The text of one scenario file and where its ``base`` is looked up."""

    label: str  # named in messages and kept as Scenario.path
    text: str
    key: str  # identity for detecting a cycle of bases
    folder: Path | None  # folder of the file (bases next to it), None for uploads (shipped or uploaded bases)


def _file_source(path: Path) -> _Source:
    data = read_bytes(path, MAX_SCENARIO_BYTES, "scenario .toml file")
    return _Source(str(path), decode_utf8(data, str(path)), str(path.resolve()), path.parent)


def _shipped_names() -> list[str]:
    return [p.stem for p in sorted(shipped_dir().glob("*.toml"))]


def _locate(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise InputError(str(candidate), "file", "no such scenario file", "an existing .toml file")
        return candidate
    if str(name_or_path) not in _shipped_names():
        guess = close_names(str(name_or_path), _shipped_names())
        hint = f"did you mean {' or '.join(guess)}? " if guess else ""
        raise InputError(str(name_or_path), "scenario", "no shipped scenario of that name",
                         f"{hint}one of: {', '.join(_shipped_names())}, or a path to a .toml file")
    return shipped_dir() / f"{name_or_path}.toml"


def _load(source: _Source, chain: tuple[str, ...], uploads: dict[str, str] | None) -> Scenario:
    if source.key in chain:
        raise InputError(source.label, "base", "the bases form a cycle", "a chain of bases that ends")
    if len(chain) > MAX_BASE_DEPTH:
        raise InputError(source.label, "base", f"more than {MAX_BASE_DEPTH} bases in a chain",
                         f"at most {MAX_BASE_DEPTH}")
    raw = parse_toml(source.text, source.label)
    if not raw:
        raise InputError(source.label, "file", "no settings in the file (empty or only comments)",
                         'a scenario, at least e.g. name = "my-scenario"')
    return _resolve(raw, source, (*chain, source.key), uploads)


def _base_source(base_name: Any, source: _Source, uploads: dict[str, str] | None) -> _Source:
    """The scenario named by ``base = ...`` in ``source``."""
    if not isinstance(base_name, str) or not base_name.strip() or len(base_name) > 255 or "\x00" in base_name:
        raise InputError(source.label, "base", f"not a scenario name (got {shorten(base_name)})",
                         "a string: a shipped scenario name or a scenario file")
    if source.folder is None:  # an upload: shipped scenarios and other uploads only, never a server path
        for key in (base_name, f"{base_name}.toml"):
            if uploads is not None and key in uploads:
                return _Source(key, uploads[key], f"upload:{key}", None)
        if base_name in _shipped_names():
            return _file_source(shipped_dir() / f"{base_name}.toml")
        others = sorted(uploads or {})
        raise InputError(source.label, "base", f"no shipped scenario or uploaded file named {shorten(base_name)}",
                         "one of: " + ", ".join(_shipped_names() + others))
    sibling = source.folder / f"{base_name}.toml"
    try:
        return _file_source(sibling if sibling.is_file() else _locate(base_name))
    except InputError as exc:
        raise InputError(source.label, "base", f"{shorten(base_name)}: {exc.problem}", exc.allowed) from None


def _resolve(raw: dict[str, Any], source: _Source, chain: tuple[str, ...], uploads: dict[str, str] | None
             ) -> Scenario:
    label, path = source.label, source.label
    raw = dict(raw)
    for reserved in ("path", "text"):
        if reserved in raw:
            raise InputError(label, reserved, "unknown key", _allowed_keys([]))
    base_name = raw.pop("base", None)
    drop = raw.pop("drop_events", [])
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise InputError(label, "drop_events", f"not a list of event ids (got {shorten(drop)})",
                         'a list of strings, e.g. drop_events = ["famine"]')
    if "params" in raw and not isinstance(raw["params"], dict):
        raise InputError(label, "params", f"not a table (got {shorten(raw['params'])})",
                         "a [params] table of name = value")
    if "events" in raw and not isinstance(raw["events"], list):
        raise InputError(label, "events", f"not an array of tables (got {shorten(raw['events'])})",
                         "[[events]] tables")
    if len(raw.get("events", [])) > MAX_EVENTS:
        raise InputError(label, "events", f"{len(raw['events'])} events", f"at most {MAX_EVENTS}")
    if base_name is not None:
        base = _load(_base_source(base_name, source, uploads), chain, uploads)
        known = {e.id for e in base.events}
        for event_id in drop:
            if event_id not in known:
                raise InputError(label, "drop_events", f"no event {shorten(event_id)} in base {base_name!r}",
                                 f"one of: {', '.join(sorted(known))}")
        child_events = raw.get("events", [])
        replaced = {e.get("id") for e in child_events if isinstance(e, dict)}
        end = raw.get("end", base.end)
        end = end if type(end) is dt.date else base.end  # a wrong type is reported by the validation below
        cities = raw.get("cities", base.cities)
        cities = cities if isinstance(cities, (list, tuple)) else base.cities
        kept = [  # inherited events that can act in this scenario's window and cities
            e.model_dump() for e in base.events
            if e.id not in drop and e.id not in replaced and e.start <= end
            and (e.place in ("national", "border", "china") or e.place in cities)
        ]
        raw["events"] = kept + list(child_events)
        if len(raw["events"]) > MAX_EVENTS:
            raise InputError(label, "events", f"{len(raw['events'])} events with the base's",
                             f"at most {MAX_EVENTS}")
        raw["params"] = {**base.params, **raw.get("params", {})}
        for key in ("cities", "start", "end", "report_start", "trade_series", "trade_hold_after", "description"):
            raw.setdefault(key, getattr(base, key))
    elif drop:
        raise InputError(label, "drop_events", "needs a base scenario", "set base = \"<scenario>\"")
    raw.setdefault("name", Path(label).stem)
    try:
        scenario = Scenario(**raw, path=path, text=source.text)
    except ValidationError as exc:
        raise _scenario_error(exc, label, raw) from None
    _check_window(scenario.start, scenario.end, label)
    if scenario.report_start is not None and not scenario.start <= scenario.report_start <= scenario.end:
        raise InputError(label, "report_start", f"{scenario.report_start} is outside the run",
                         f"{scenario.start} to {scenario.end}")
    _check_events(scenario, label)
    scenario.parameters()  # validates parameter names, types and ranges now, naming the file
    return scenario


def _check_window(start: dt.date, end: dt.date, source: str) -> None:
    if not EARLIEST <= start < end <= LATEST:
        raise InputError(source, "start/end", f"run from {start} to {end} is not allowed",
                         f"{EARLIEST} <= start < end <= {LATEST}")


def _check_events(scenario: Scenario, path: str) -> None:
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
        if event.place not in ("national", "border", "china") and event.place not in scenario.cities:
            raise InputError(str(path), f"{where}.place", f"city {event.place!r} is not in this scenario",
                             f"national, border, {', '.join(scenario.cities)}, china")


def _scenario_error(exc: ValidationError, path: str, raw: dict[str, Any]) -> InputError:
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
            msg += f" (got {shorten(err['input'])})"
    return InputError(str(path), field or "?", msg, allowed)


def _allowed_keys(loc: list[Any]) -> str:
    model: type[BaseModel] = PolicyEvent if loc and loc[0] == "events" else Scenario
    names = [n for n in model.model_fields if n not in ("path", "text")]
    if model is Scenario:
        names += ["base", "drop_events"]
    return "one of: " + ", ".join(names)
