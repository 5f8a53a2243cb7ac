"""Scenario editing for the app, without any UI: uploads, policy events, parameters, run options.

Every edit returns a new, fully validated :class:`~nkborder.scenarios.Scenario`. Validation is the loader's own:
the edited scenario is written as TOML and read back with :func:`~nkborder.scenarios.load_scenario`, so the page
shows exactly the messages the command line gives (file or label, field, problem, what is allowed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from nkborder.errors import InputError, unknown_name
from nkborder.params import describe_parameters, make_params
from nkborder.reading import check_size, decode_utf8
from nkborder.scenarios import EVENT_KINDS, PLACES, PolicyEvent, Scenario, list_scenarios, load_scenario
from nkborder.scenarios.burnin import cold_start_warning, report_from
from nkborder.scenarios.scenario import load_scenario_text

EDITOR = "scenario editor"  # the "file" named in messages about edits made in the page
UPLOAD_LIMIT = 256 * 1024  # bytes; a scenario file is a few kB
EDITED_SUFFIX = "-edited"
MAX_APP_SCALE = 1.0  # the page runs at most one agent per person (the CLI allows more)
MAX_APP_REPS = 50


def error_text(exc: BaseException) -> str:
    """One line for the page: an InputError as the CLI prints it, anything else with its type."""
    if isinstance(exc, InputError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------------------------------------ scenarios
@cache
def shipped() -> tuple[tuple[str, str], ...]:
    """(name, description) of the shipped scenarios."""
    return tuple(list_scenarios())


def shipped_names() -> list[str]:
    """Names of the shipped scenarios, ``history`` first."""
    names = [n for n, _ in shipped()]
    return sorted(names, key=lambda n: (n != "history", n))


def load_shipped(name: str) -> Scenario:
    """A shipped scenario by name (InputError listing the shipped names if unknown)."""
    return load_scenario(name)


def load_text(text: str, label: str, stem: str = "scenario", uploads: Mapping[str, str] | None = None) -> Scenario:
    """Validate scenario TOML ``text`` exactly as ``nkborder check`` would; messages name ``label``.

    A ``base = "..."`` in the text may name a shipped scenario or one of ``uploads`` (file name -> text), never a
    file of the server. The result's ``path`` is ``label``; a text without a ``name`` is named ``stem``.
    """
    try:
        sc = load_scenario_text(text, f"{_stem(stem)}.toml", uploads)
    except InputError as exc:
        source = label if exc.source == f"{_stem(stem)}.toml" else exc.source
        raise InputError(source, exc.field, exc.problem, exc.allowed) from None
    return sc.model_copy(update={"path": label})


def read_upload(name: str, size: int | None, file_obj: BinaryIO) -> bytes:
    """The bytes of an upload, refused by its declared ``size`` before any is read and read only up to the limit,
    so a large file is never held in memory."""
    if size is not None and size > UPLOAD_LIMIT:
        raise InputError(name, "file", f"too large ({size:,} bytes)", f"at most {UPLOAD_LIMIT:,} bytes")
    return file_obj.read(UPLOAD_LIMIT + 1)


def load_upload(filename: str, data: bytes, uploads: Mapping[str, str] | None = None) -> Scenario:
    """An uploaded scenario file, validated; InputError naming the file for anything wrong with it.

    ``uploads`` are the files uploaded before (file name -> text): a ``base`` may name one of them.
    """
    name = Path(filename or "upload.toml").name[:120]
    if not name.endswith(".toml"):
        raise InputError(name, "file", "not a scenario file", "a .toml file")
    check_size(data, UPLOAD_LIMIT, name)
    if not data.strip():
        raise InputError(name, "file", "the file is empty", "a scenario TOML file")
    text = decode_utf8(data, name)
    return load_text(text, name, Path(name).stem, {**(uploads or {}), name: text})


def _stem(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in Path(name).stem)[:60] or "scenario"


def to_toml(sc: Scenario) -> str:
    """The resolved scenario as a stand-alone TOML file (no ``base``): loading it gives the same scenario."""
    lines = [
        "# Written by the nkborder app: a resolved scenario (every event listed, no base).",
        f"name = {_s(sc.name)}",
        f"description = {_s(sc.description)}",
        f"cities = [{', '.join(_s(c) for c in sc.cities)}]",
        f"start = {sc.start.isoformat()}",
        f"end = {sc.end.isoformat()}",
    ]
    if sc.report_start is not None:
        lines.append(f"report_start = {sc.report_start.isoformat()}")
    lines.append(f"trade_series = {_s(sc.trade_series)}")
    if sc.trade_hold_after is not None:
        lines.append(f"trade_hold_after = {int(sc.trade_hold_after)}")
    lines += ["", "[params]"]
    lines += [f"{k} = {_num(v)}" for k, v in sorted(sc.params.items())]
    for e in sc.events:
        lines += ["", "[[events]]", f"id = {_s(e.id)}", f"kind = {_s(e.kind)}", f"start = {e.start.isoformat()}"]
        if e.end is not None:
            lines.append(f"end = {e.end.isoformat()}")
        lines.append(f"place = {_s(e.place)}")
        if e.intensity is not None:
            lines.append(f"intensity = {_num(e.intensity)}")
        if e.intensity_from is not None:
            lines.append(f"intensity_from = {_s(e.intensity_from)}")
        if e.ramp:
            lines.append("ramp = true")
        if e.source:
            lines.append(f"source = {_s(e.source)}")
        if e.note:
            lines.append(f"note = {_s(e.note)}")
    return "\n".join(lines) + "\n"


def _s(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # JSON string escapes are valid TOML basic strings


def _num(value: float) -> str:
    value = float(value)
    return repr(value) if value != int(value) or abs(value) >= 1e15 else f"{value:.1f}"


def revalidate(sc: Scenario) -> Scenario:
    """``sc`` written as TOML and loaded back: the loader's checks, and ``text`` that matches the content."""
    name = sc.name
    out = load_text(to_toml(sc), EDITOR, name)
    return out


def mark_edited(sc: Scenario) -> Scenario:
    """The scenario renamed ``<name>-edited`` (once), so stored runs do not pass for the shipped one."""
    if sc.name.endswith(EDITED_SUFFIX):
        return sc
    return sc.model_copy(update={"name": sc.name + EDITED_SUFFIX})


# --------------------------------------------------------------------------------------------------- events
@dataclass(frozen=True)
class EventForm:
    """The fields of the event form, as typed (strings; blank = not given)."""

    id: str = ""
    kind: str = "crackdown"
    start: str = ""
    end: str = ""
    place: str = "national"
    intensity: str = ""
    ramp: bool = False
    source: str = ""
    note: str = ""

    @classmethod
    def of(cls, e: PolicyEvent) -> EventForm:
        """The form filled in with an existing event (an intensity set by a parameter shows its default)."""
        given = e.intensity is not None or e.intensity_from is not None
        return cls(e.id, e.kind, e.start.isoformat(), e.end.isoformat() if e.end else "", e.place,
                   f"{e.level:g}" if given else "", e.ramp, e.source, e.note)

    def with_kind(self, kind: str) -> EventForm:
        """The form with another kind (the intensity is cleared: each kind has its own range)."""
        return replace(self, kind=kind, intensity="")


def kind_help(kind: str) -> str:
    """What an event kind does and the range of its intensity."""
    k = EVENT_KINDS.get(kind)
    if k is None:
        return ""
    return f"{k.effect}. Intensity {k.lo:g} to {k.hi:g} (default {k.default:g})."


def event_from_form(form: EventForm) -> PolicyEvent:
    """The event the form describes; InputError naming the form field and what is allowed."""
    where = f"event {form.id!r}" if form.id.strip() else "event"
    event_id = form.id.strip()
    if not event_id:
        raise InputError(EDITOR, f"{where}.id", "no id given", "a short unique name, e.g. crackdown-2015")
    if form.kind not in EVENT_KINDS:
        raise InputError(EDITOR, f"{where}.kind", f"unknown kind {form.kind!r}", ", ".join(EVENT_KINDS))
    if form.place not in PLACES:
        raise InputError(EDITOR, f"{where}.place", f"unknown place {form.place!r}", ", ".join(PLACES))
    start = _parse_date(form.start, f"{where}.start")
    if start is None:
        raise InputError(EDITOR, f"{where}.start", "no start date given", "YYYY-MM-DD")
    end = _parse_date(form.end, f"{where}.end")
    if end is not None and end < start:
        raise InputError(EDITOR, f"{where}.end", f"end {end} is before start {start}", f"a date from {start} on")
    kind = EVENT_KINDS[form.kind]
    intensity: float | None = None
    if form.intensity.strip():
        try:
            intensity = float(form.intensity)
        except ValueError:
            raise InputError(EDITOR, f"{where}.intensity", f"not a number: {form.intensity!r}",
                             f"a number from {kind.lo:g} to {kind.hi:g}, or blank for {kind.default:g}") from None
        if not kind.lo <= intensity <= kind.hi:
            raise InputError(EDITOR, f"{where}.intensity", f"{intensity:g} is out of range for {form.kind}",
                             f"{kind.lo:g} to {kind.hi:g}")
    return PolicyEvent(id=event_id, kind=form.kind, start=start, end=end, place=form.place, intensity=intensity,
                       ramp=bool(form.ramp), source=form.source.strip(), note=form.note.strip())


def _parse_date(text: str, field: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(EDITOR, field, f"not a date: {text!r}", "YYYY-MM-DD, e.g. 2015-03-01") from None


def add_event(sc: Scenario, form: EventForm) -> Scenario:
    """``sc`` with the form's event added (InputError if the id is taken or the event does not fit)."""
    event = event_from_form(form)
    if any(e.id == event.id for e in sc.events):
        raise InputError(EDITOR, f"event {event.id!r}.id", "an event with this id exists already",
                         "a new id (or edit the existing event)")
    return revalidate(mark_edited(sc).model_copy(update={"events": (*sc.events, event)}))


def update_event(sc: Scenario, event_id: str, form: EventForm) -> Scenario:
    """``sc`` with event ``event_id`` replaced by the form's event (which may rename it)."""
    _require_event(sc, event_id)
    event = event_from_form(form)
    if event.id != event_id and any(e.id == event.id for e in sc.events):
        raise InputError(EDITOR, f"event {event.id!r}.id", "an event with this id exists already", "a new id")
    events = tuple(event if e.id == event_id else e for e in sc.events)
    return revalidate(mark_edited(sc).model_copy(update={"events": events}))


def remove_event(sc: Scenario, event_id: str) -> Scenario:
    """``sc`` without event ``event_id``."""
    _require_event(sc, event_id)
    events = tuple(e for e in sc.events if e.id != event_id)
    return revalidate(mark_edited(sc).model_copy(update={"events": events}))


def _require_event(sc: Scenario, event_id: str) -> None:
    if not any(e.id == event_id for e in sc.events):
        ids = ", ".join(e.id for e in sc.events) or "none"
        raise InputError(EDITOR, "events", f"no event {event_id!r} in scenario {sc.name!r}", ids)


def events_table(sc: Scenario) -> pd.DataFrame:
    """The policy timeline as a table (one row per event, in start order)."""
    rows = [{
        "id": e.id, "kind": e.kind, "start": e.start.isoformat(), "end": e.end.isoformat() if e.end else "",
        "place": e.place, "intensity": e.level, "ramp": e.ramp, "source": e.source, "note": e.note,
    } for e in sorted(sc.events, key=lambda e: (e.start, e.id))]
    return pd.DataFrame(rows, columns=["id", "kind", "start", "end", "place", "intensity", "ramp", "source", "note"])


def places_for(sc: Scenario) -> list[str]:
    """Places an event of ``sc`` may have: national, border, the scenario's cities, and China (China's kinds)."""
    return ["national", "border", *sc.cities, "china"]


# ----------------------------------------------------------------------------------------------- parameters
@cache
def parameters() -> pd.DataFrame:
    """The declared parameters (name, default, lo, hi, unit, doc, source, quote, calibrate, integer)."""
    return describe_parameters().set_index("name", drop=False)


def param_value(sc: Scenario, name: str) -> float:
    """The value ``sc`` runs with: its own setting, else the declared default."""
    return float(sc.params.get(name, parameters().loc[name, "default"]))


def set_param(sc: Scenario, name: str, value: float) -> Scenario:
    """``sc`` with parameter ``name`` set to ``value`` (InputError if unknown or outside its range)."""
    table = parameters()
    if name not in table.index:
        raise unknown_name(EDITOR, name, table.index, "parameter", "the Parameters panel",
                           field=f"params.{name}")
    row = table.loc[name]
    value = float(value)
    if bool(row["integer"]):
        value = float(round(value))
    params = {**sc.params, name: value}
    make_params(params, EDITOR)  # the declared range, with the same message as the CLI
    return revalidate(mark_edited(sc).model_copy(update={"params": params}))


def use_calibrated(sc: Scenario) -> Scenario:
    """``sc`` with every parameter of the shipped calibration set to its posterior median (or fixed value)."""
    from nkborder.calibration import calibrated_params

    for name, value in calibrated_params().items():
        sc = set_param(sc, name, value)
    return sc


def reset_param(sc: Scenario, name: str, base: Scenario | None = None) -> Scenario:
    """``sc`` with parameter ``name`` back to ``base``'s value (or the declared default)."""
    params = dict(sc.params)
    if base is not None and name in base.params:
        params[name] = base.params[name]
    else:
        params.pop(name, None)
    return revalidate(sc.model_copy(update={"params": params}))


def changed_params(sc: Scenario, base: Scenario | None) -> dict[str, tuple[float, float]]:
    """Parameters whose value differs from ``base`` (or the defaults): name -> (before, now)."""
    out = {}
    for name in parameters().index:
        before = param_value(base, name) if base is not None else float(parameters().loc[name, "default"])
        now = param_value(sc, name)
        if before != now:
            out[name] = (before, now)
    return out


def slider_step(lo: float, hi: float, integer: bool) -> float:
    """A slider step of about 1/200 of the range, rounded to 1, 2 or 5 times a power of ten."""
    if integer:
        return 1.0
    import math

    raw = (hi - lo) / 200 if hi > lo else 0.01
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10**exp >= raw:
            return m * 10**exp
    return 10 ** (exp + 1)


def search_parameters(query: str, limit: int = 15) -> list[str]:
    """Names of parameters whose name, label, submodel, unit, doc or source contain every word of ``query``."""
    table = parameters()
    words = query.lower().split()
    if not words:
        return list(table.index[table["calibrate"].astype(bool)])[:limit]
    hay = (table["name"] + " " + table["label"] + " " + table["group"] + " " + table["unit"] + " "
           + table["doc"].fillna("") + " " + table["source"]).str.lower()
    hits = [n for n, text in hay.items() if all(w in text for w in words)]
    return hits[:limit]


# ---------------------------------------------------------------------------------------------- run options
@dataclass(frozen=True)
class RunOptions:
    """What the page runs: scale, replicate seeds, base seed, and the years (blank = the scenario's own).

    ``start_year`` is the first simulated year ("simulate from"; blank: the scenario's start, so its state builds
    up from there), ``report_year`` the first year shown ("report from"; blank: the scenario's
    ``report_start``, else its start) and ``end_year`` the last simulated year.
    """

    scale: float = 0.02
    reps: int = 2
    seed: int = 0
    start_year: int | None = None
    end_year: int | None = None
    report_year: int | None = None


def describe_options(opts: RunOptions, sc: Scenario) -> str:
    """One line saying what the Run buttons will run, as the page's state holds it (not as the boxes show it)."""
    first = opts.start_year or sc.start.year
    last = opts.end_year or sc.end.year
    if opts.reps is None or opts.seed is None or opts.scale is None:
        return "next run: set the scale, seeds and base seed"
    seeds = f"seed {opts.seed}" if opts.reps == 1 else f"seeds {opts.seed}-{opts.seed + opts.reps - 1}"
    report = opts.report_year or (sc.report_start.year if sc.report_start is not None else None)
    shown = f", reported from {report}" if report and report > first else ""
    if opts.report_year and not first <= opts.report_year <= last:
        shown = (f"; report from {opts.report_year} is outside the simulated years {first}-{last}: Run refuses it "
                 "(blank it, or pick a year in that range)")
    return f"next run: {opts.reps} run(s) ({seeds}) at scale {opts.scale:g}, {first}-{last}{shown}"


def check_options(opts: RunOptions, sc: Scenario) -> tuple[dt.date | None, dt.date | None]:
    """The run dates of ``opts`` for ``sc``; InputError naming the option and the allowed values."""
    if opts.scale is None or not 0.0 < opts.scale <= MAX_APP_SCALE:
        raise InputError("run options", "scale", f"{opts.scale} is out of range", f"0 < scale <= {MAX_APP_SCALE:g}")
    if opts.reps is None or int(opts.reps) != opts.reps or not 1 <= opts.reps <= MAX_APP_REPS:
        raise InputError("run options", "seeds", f"{opts.reps} is out of range", f"1 to {MAX_APP_REPS}")
    if opts.seed is None or int(opts.seed) != opts.seed or opts.seed < 0:
        raise InputError("run options", "base seed", f"{opts.seed} is not allowed", "0, 1, 2, ...")
    start = dt.date(int(opts.start_year), 1, 1) if opts.start_year else None
    end = dt.date(int(opts.end_year), 12, 31) if opts.end_year else None
    first, last = start or sc.start, end or sc.end
    if not first < last:
        raise InputError("run options", "years", f"{first} to {last} is empty", "a first year before the last")
    if not (sc.start.year - 30 <= first.year and last.year <= sc.end.year + 10):
        raise InputError("run options", "years", f"{first.year} to {last.year} is far outside the scenario",
                         f"years near {sc.start.year} to {sc.end.year}")
    if opts.report_year and not first.year <= int(opts.report_year) <= last.year:
        raise InputError("run options", "report from", f"{opts.report_year} is outside the simulated years",
                         f"{first.year} to {last.year}, or blank")
    sc.with_dates(start, end)  # the loader's window check (1990 to 2035)
    return start, end


def with_report_year(sc: Scenario, year: int | None) -> Scenario:
    """``sc`` reporting from 1 January of ``year`` (its earlier years are simulated to build up the state, not
    shown); ``sc`` itself when ``year`` is blank."""
    if not year:
        return sc
    return revalidate(report_from(sc, int(year), "report from", "run options"))


def start_warnings(opts: RunOptions, sides: list[Scenario]) -> list[str]:
    """A warning for each scenario that ``opts`` starts later than its own start (a cold start)."""
    if not opts.start_year:
        return []
    first = dt.date(int(opts.start_year), 1, 1)
    warnings = [cold_start_warning(sc, first, "'simulate from'", "leave 'simulate from' blank and set 'report "
                                   f"from' to {first.year}") for sc in sides]
    return [w for w in warnings if w]
