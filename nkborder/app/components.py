"""Solara components of the scenario side: picking or uploading a scenario, run options and progress, the policy
timeline (list and time axis), the event form and the parameters; and the pieces the results side shares (figure
width, downloads with metadata, the copy-the-command button)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara
from solara.components.file_drop import FileDropZone

from nkborder.app import charts, paramview, provenance, session, state
from nkborder.app.inputs import TextBox, parse_float, parse_text
from nkborder.scenarios import EVENT_KINDS


@solara.component
def Messages() -> None:
    """The messages of the page: every error (until dismissed) and the latest other message."""
    shown = {"error": solara.Error, "warning": solara.Warning, "info": solara.Info, "success": solara.Success}
    msgs = session.messages.value
    others = [m for m in msgs if m["kind"] != "error"]
    for m in [m for m in msgs if m["kind"] == "error" or (others and m is others[-1])]:
        with solara.Row(style={"align-items": "center"}):
            shown.get(m["kind"], solara.Info)(m["text"], dense=True, classes=[f"nk-msg-{m['kind']}"])
            solara.Button(icon_name="mdi-close", icon=True, small=True, classes=[f"nk-dismiss-{m['kind']}"],
                          on_click=lambda i=m["id"]: session.dismiss(i))


#: Makes what a download carries besides its table or figure: (metadata, {scenario file name: TOML text}).
Provenance = Callable[[str], tuple[dict[str, Any], dict[str, str]]]


#: The width in pixels the page's main column has (measured in the browser by :func:`WidthProbe`).
content_width: solara.Reactive[int] = solara.reactive(0)
FIGURE_MARGIN_PX = 40  # a card's padding and a scroll bar's room
MIN_FIGURE_PX = 480


def figure_width(inset: int = 0) -> int | None:
    """The width in pixels a figure is drawn at: the main column's, less ``inset`` (None until measured)."""
    width = content_width.value
    return max(MIN_FIGURE_PX, width - FIGURE_MARGIN_PX - inset) if width else None


@solara.component_vue("width.vue")
def WidthProbe(event_measured: Callable[[int], None] | None = None) -> None:
    """An empty full-width line that reports its width in pixels when shown and after each resize."""


@solara.component
def PngDownload(fig: Any, filename: str, label: str, meta: Provenance | None = None, key: Any = None) -> None:
    """A PNG download of a figure (or of what a zero-argument callable draws, drawn on the click); with ``meta``, a
    zip of the PNG, ``metadata.json`` and the scenario TOML. The download's callable stays the same while the
    figure (or ``key``, for a callable) does, so a re-render does not cancel a download in progress."""
    def data() -> bytes:
        image = charts.png(fig() if callable(fig) else fig)
        if meta is None:
            return image
        info, tomls = meta(Path(filename).stem)
        return provenance.bundle_bytes(filename, image, info, tomls)

    callable_ = solara.use_memo(lambda: data, [id(fig) if key is None else key, filename])
    if meta is None:
        solara.FileDownload(callable_, filename=filename, label=label, mime_type="image/png")
    else:
        solara.FileDownload(callable_, filename=f"{Path(filename).stem}.zip", label=label,
                            mime_type="application/zip")


@solara.component_vue("copy.vue")
def CopyCommand(text: str, label: str = "copy the CLI command") -> None:
    """The command that reproduces a run or an experiment, with a button that copies it to the clipboard."""


EDITED = " (edited)"


def picker_label(sc: Any, base: Any, shipped: list[str]) -> str:
    """What the scenario picker shows: the shipped name, ``NAME (edited)`` once edited, or the uploaded file's
    scenario name."""
    name = base.name
    label = name if name in shipped else f"{name} (uploaded)"
    return label + (EDITED if sc is not base else "")


@solara.component
def ScenarioPicker() -> None:
    """Shipped scenarios, upload (button or drop), and the TOML of the scenario as edited."""
    sc = session.scenario.value
    base = session.base.value
    names = state.shipped_names()
    shown = picker_label(sc, base, names)
    values = names if shown in names else [shown, *names]

    def pick(value: str) -> None:
        if value in names:
            session.load_shipped(value)

    solara.Select(label="scenario", value=shown, values=values, on_value=pick, classes=["nk-scenario-picker"])
    described = dict(state.shipped())
    if base.name in described:
        solara.Text(described[base.name], style={"font-size": "12px", "color": "#555"})

    def on_file(info: dict) -> None:
        session.load_upload(info.get("name", "upload.toml"), info.get("size"), info["file_obj"])

    ScenarioUpload(on_file)
    edited = sc is not base
    solara.Text(f"{sc.name}{EDITED if edited else ''}: {', '.join(sc.cities)}, {sc.start} to "
                f"{sc.end}, {len(sc.events)} events, {len(sc.params)} parameters set.", style={"font-size": "12px"})
    with solara.Row(style={"flex-wrap": "wrap"}):
        toml = solara.use_memo(lambda: (lambda: state.to_toml(sc).encode()), [id(sc)])
        solara.FileDownload(toml, filename=f"{sc.name}.toml", label="scenario TOML", mime_type="text/plain")
        if edited:
            solara.Button("undo edits", on_click=session.revert_scenario, text=True, small=True)


class UploadZone(FileDropZone):
    """Solara's file drop zone with a button that opens the browser's file picker (``upload.vue``)."""

    template_file = (__file__, "upload.vue")


@solara.component
def ScenarioUpload(on_file: Any) -> None:
    """Upload a scenario file by the button or by dropping it on the zone; ``on_file`` gets Solara's file info
    (name, size, file object, read lazily: the page reads at most the upload limit)."""
    info, set_info = solara.use_state(None)
    wired, set_wired = solara.use_state(None)
    zone = UploadZone.element(label="...or drop a .toml file here (checked like `nkborder check`)",
                              on_file_info=set_info, multiple=False)

    def wire() -> None:
        if not info:
            return
        real = solara.get_widget(zone)
        real.version += 1  # as Solara's FileDrop: re-arm the widget's observer
        real.reset_stats()
        set_wired(real.get_files())

    solara.use_effect(wire, [info])

    def hand_over(cancel: Any) -> None:
        if wired:
            on_file(wired[0])

    result = solara.use_thread(hand_over, [wired])
    if result.error:
        raise result.error


@solara.component
def RunPanel() -> None:
    """Scale, seeds and years of the runs; the Run button; the progress of the running job and its controls."""
    o = session.options.value
    sc = session.scenario.value
    busy = session.running()
    TextBox("scale (share of the population, 0-1]", o.scale, lambda v: session.set_options(scale=v), parse_float)
    TextBox("seeds (replicate runs)", o.reps, lambda v: session.set_options(reps=v))
    TextBox("base seed", o.seed, lambda v: session.set_options(seed=v))
    with solara.Row():
        TextBox("simulate from", o.start_year, lambda v: session.set_options(start_year=v), optional=True)
        TextBox("last year", o.end_year, lambda v: session.set_options(end_year=v), optional=True)
    TextBox("report from", o.report_year, lambda v: session.set_options(report_year=v), optional=True)
    solara.Text(f"blank: the scenario's own years (simulated from {sc.start.year}"
                + (f", reported from {sc.report_start.year}" if sc.report_start else "") + ")",
                style={"font-size": "11px", "color": "#777"})
    for warning in state.start_warnings(o, [sc]):
        solara.Warning(warning, dense=True, classes=["nk-cold-start"], style={"font-size": "12px"})
    solara.Text(state.describe_options(o, sc), classes=["nk-run-summary"], style={"font-size": "12px"})
    name, set_name = solara.use_state("")
    ExperimentName(name, set_name)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        solara.Button("Run scenario", color="primary", disabled=busy, icon_name="mdi-play",
                      on_click=lambda: session.start("ensemble", [session.scenario.value], name=name))
    RunControls()
    Progress()


@solara.component
def RunControls() -> None:
    """Pause (or start the next run paused), step a simulated year, resume, and stop the running job."""
    busy = session.running()
    snap = session.snapshot.value
    paused = (snap.paused if busy and snap is not None else session.start_paused.value)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}, classes=["nk-run-controls"]):
        if paused:
            solara.Button("Resume", icon_name="mdi-play-pause", small=True, outlined=True, classes=["nk-resume"],
                          on_click=session.resume)
            solara.Button("Step a year", icon_name="mdi-skip-next", small=True, outlined=True, disabled=not busy,
                          classes=["nk-step"], on_click=session.step)
        else:
            solara.Button("Pause", icon_name="mdi-pause", small=True, outlined=True, classes=["nk-pause"],
                          on_click=session.pause)
        solara.Button("Stop", icon_name="mdi-stop", small=True, color="error", outlined=True, classes=["nk-stop"],
                      disabled=not busy or (session.job.value is not None and session.job.value.stopping),
                      on_click=session.stop)
    if paused and not busy:
        solara.Text("the next run starts paused: step through it a year at a time",
                    style={"font-size": "11px", "color": "#777"})


@solara.component
def ExperimentName(value: str, on_value: Callable[[str], None]) -> None:
    """The name the next experiment is stored under (blank: one read from the scenario and options)."""
    TextBox("experiment name (blank: from scenario and options)", value, on_value, parse_text, continuous=True,
            dense=False, classes=["nk-experiment-name"])


@solara.component
def Progress() -> None:
    """Progress bar with runs stored and the simulated dates of the runs in progress."""
    snap = session.snapshot.value
    if snap is None:
        return
    if snap.state in ("starting", "running"):
        solara.ProgressLinear(value=max(2.0, 100.0 * snap.fraction) if snap.total else True)
        solara.Text(f"{snap.kind}: {snap.text}", classes=["nk-progress"], style={"font-size": "12px"})
    elif snap.state == "finished":
        solara.Text(f"{snap.kind} finished: {snap.text}", classes=["nk-progress-done"], style={"font-size": "12px"})
    elif snap.state == "stopped":
        solara.Text(f"{snap.kind} {snap.text}", classes=["nk-progress-stopped"], style={"font-size": "12px"})
    else:
        solara.Text(f"{snap.kind} failed", classes=["nk-progress-failed"], style={"font-size": "12px"})


@solara.component
def ScenarioPanel() -> None:
    """The policy timeline on a time axis and as a list, the event form, and the parameters."""
    sc = session.scenario.value
    highlight = session.editing.value
    width = figure_width(inset=32)
    deps = [sc.content_hash(), sc.name, highlight, width]
    fig = solara.use_memo(lambda: charts.timeline_figure(sc, highlight, width), deps)
    with solara.Card("Policy timeline", margin=0), solara.Div(classes=["nk-figure", "nk-timeline"]):
        solara.FigureMatplotlib(fig, dependencies=deps, format="png")
        with solara.Row():
            PngDownload(fig, f"{sc.name}-timeline.png", "timeline PNG")
    with solara.Columns([3, 2]):
        EventList()
        EventEditor()
    Parameters()


@solara.component
def EventList() -> None:
    """One line per event with Edit and Remove buttons."""
    sc = session.scenario.value
    with solara.Card(f"Events of {sc.name} ({len(sc.events)})", margin=0):
        for e in sorted(sc.events, key=lambda e: (e.start, e.id)):
            end = e.end.isoformat() if e.end else "open"
            with solara.Row(style={"align-items": "center", "gap": "4px"}, classes=["nk-event"]):
                solara.Button(icon_name="mdi-pencil", icon=True, small=True, classes=[f"nk-edit-{e.id}"],
                              on_click=lambda i=e.id: session.edit_event(i))
                solara.Button(icon_name="mdi-delete", icon=True, small=True, classes=[f"nk-remove-{e.id}"],
                              on_click=lambda i=e.id: session.remove_event(i))
                with solara.Tooltip(f"{EVENT_KINDS[e.kind].effect}. Source: {e.source or '-'}. {e.note}"):
                    solara.Text(f"{e.start} to {end}  {e.id}: {e.kind} at {e.place}, intensity {e.level:g}"
                                f"{' (ramp)' if e.ramp else ''}", style={"font-size": "13px"})


@solara.component
def EventEditor() -> None:
    """Add an event, or change the one loaded with Edit."""
    f = session.form.value
    sc = session.scenario.value
    editing = session.editing.value
    kind = EVENT_KINDS.get(f.kind)
    title = f"Change event {editing!r}" if editing else "Add an event"
    with solara.Card(title, margin=0, classes=["nk-event-editor"]):
        TextBox("event id", f.id, lambda v: session.set_form(id=v), parse_text, dense=False)
        solara.Select(label="kind", value=f.kind, values=list(EVENT_KINDS), on_value=session.set_form_kind)
        solara.Text(state.kind_help(f.kind), style={"font-size": "11px", "color": "#555"})
        with solara.Row():
            TextBox("start (YYYY-MM-DD)", f.start, lambda v: session.set_form(start=v), parse_text, dense=False)
            TextBox("end (blank = open)", f.end, lambda v: session.set_form(end=v), parse_text, dense=False)
        place = f.place if f.place in state.places_for(sc) else "national"
        solara.Select(label="place (city or all)", value=place, values=state.places_for(sc),
                      on_value=lambda v: session.set_form(place=v))
        label = f"intensity ({kind.lo:g} to {kind.hi:g}; blank = {kind.default:g})" if kind else "intensity"
        TextBox(label, f.intensity, lambda v: session.set_form(intensity=v), parse_text, dense=False)
        solara.Checkbox(label="ramp (grow linearly from start to end)", value=f.ramp,
                        on_value=lambda v: session.set_form(ramp=v))
        TextBox("note", f.note, lambda v: session.set_form(note=v), parse_text, dense=False)
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}, classes=["nk-event-buttons"]):
            if editing:
                solara.Button("Save changes", color="primary", on_click=session.save_event)
                solara.Button("Add as new", on_click=session.add_event, outlined=True)
            else:
                solara.Button("Add event", color="primary", on_click=session.add_event)
            solara.Button("Clear", on_click=session.clear_form, text=True, classes=["nk-event-clear"])


@solara.component
def Parameters() -> None:
    """The parameters by submodel (plain-language label, meaning, unit, range and source in view), the ones
    estimated by calibration, a search, and the changes from the baseline (the scenario as loaded)."""
    sc = session.scenario.value
    base = session.base.value
    query, set_query = solara.use_state("")
    views = paramview.views()
    view, set_view = solara.use_state(paramview.CALIBRATED)
    table = state.parameters()
    changed = state.changed_params(sc, base)
    with solara.Card(f"Parameters ({len(table)}; {len(changed)} changed from the baseline)", margin=0,
                     classes=["nk-parameters"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "8px"}):
            with solara.Div(style={"flex": "1 1 260px", "min-width": "0"}):
                solara.Select(label="show", value=view, values=[*views, paramview.CHANGED], on_value=set_view,
                              dense=True)
            with solara.Div(style={"flex": "2 1 320px", "min-width": "0"}):
                TextBox("search by label, name, meaning, unit or source", query, set_query, parse_text, continuous=True,
                    dense=False)
            solara.Button("use the calibrated values", on_click=session.use_calibrated, small=True, outlined=True,
                          classes=["nk-use-calibrated"])
        if view == paramview.CHANGED and not query.strip():
            ChangedParameters(changed, base.name)
            return
        names = state.search_parameters(query, limit=40) if query.strip() else paramview.names_in(view)
        solara.Text(paramview.describe(view, query, len(names)), style={"font-size": "12px", "color": "#555"})
        for name in names:
            ParameterSlider(name, state.param_value(sc, name), name in changed)


@solara.component
def ChangedParameters(changed: dict[str, tuple[float, float]], base_name: str) -> None:
    """The parameters that differ from the baseline: label, baseline value, value now, unit, reset."""
    if not changed:
        solara.Text(f"No parameter differs from the baseline ({base_name} as loaded).",
                    classes=["nk-changed-none"], style={"font-size": "13px"})
        return
    solara.Text(f"{len(changed)} parameter(s) differ from the baseline ({base_name} as loaded):",
                style={"font-size": "13px"})
    for row in paramview.changed_rows(changed):
        with solara.Row(style={"align-items": "center", "gap": "8px", "flex-wrap": "wrap"},
                        classes=["nk-changed", f"nk-changed-{row['name']}"]):
            solara.Text(row["label"], style={"font-weight": "bold", "min-width": "240px"})
            solara.Text(f"{row['before']} -> {row['now']} {row['unit']}", style={"min-width": "200px"})
            solara.Text(row["group"], style={"font-size": "11px", "color": "#777"})
            solara.Button("reset", on_click=lambda n=row["name"]: session.reset_param(n), text=True, small=True)


@solara.component
def ParameterSlider(name: str, value: float, changed: bool) -> None:
    """One parameter: its label and meaning (in view), the identifier, unit, range and source; a slider over the
    declared range (the calibration prior); the quote of the source on hover."""
    row = state.parameters().loc[name]
    lo, hi, integer = float(row["lo"]), float(row["hi"]), bool(row["integer"])
    step = state.slider_step(lo, hi, integer)
    hover = f"Source: {row['source']}." + (f' "{row["quote"]}"' if row["quote"] else "")
    with solara.Div(classes=["nk-param", f"nk-param-{name}"]):
        with solara.Div(classes=["nk-param-text"]):
            solara.Text(str(row["label"]) + (" (changed)" if changed else ""),
                        style={"font-weight": "bold", "font-size": "14px"})
            solara.Text(f"{row['doc']}.", classes=["nk-param-meaning"], style={"font-size": "12px"})
            with solara.Tooltip(hover):
                solara.Text(f"{name} | {row['group']} | source: {row['source']}",
                            style={"font-size": "11px", "color": "#777", "overflow-wrap": "anywhere"})
        with solara.Div(classes=["nk-param-control"]):
            if integer:
                solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), step=1,
                                 on_value=lambda v: session.set_param(name, v))
            else:
                solara.SliderFloat("", value=value, min=lo, max=hi, step=step,
                                   on_value=lambda v: session.set_param(name, v))
            with solara.Row(style={"align-items": "center", "gap": "8px", "flex-wrap": "wrap"}):
                solara.Text(f"{value:g} {row['unit']}", style={"font-weight": "bold" if changed else "normal"})
                solara.Text(f"range {lo:g} to {hi:g}", style={"font-size": "11px", "color": "#777"})
                if changed:
                    solara.Button("reset", on_click=lambda: session.reset_param(name), text=True, small=True)
