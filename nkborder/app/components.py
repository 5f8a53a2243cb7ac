"""Solara components of the scenario side: picking or uploading a scenario, run options and progress, the policy
timeline (list and time axis), the event form and the parameter sliders."""

from __future__ import annotations

from typing import Any

import solara

from nkborder.app import charts, session, state
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


@solara.component
def PngDownload(fig: Any, filename: str, label: str) -> None:
    """A PNG download of a figure (the same callable while the figure is the same, so a re-render does not
    cancel a download in progress)."""
    data = solara.use_memo(lambda: (lambda: charts.png(fig)), [id(fig)])
    solara.FileDownload(data, filename=filename, label=label, mime_type="image/png")


@solara.component
def ScenarioPicker() -> None:
    """Shipped scenarios, upload, and the TOML of the scenario as edited."""
    sc = session.scenario.value
    names = state.shipped_names()
    current = sc.name if sc.name in names else None
    solara.Select(label="shipped scenario", value=current, values=names, on_value=session.load_shipped)
    described = dict(state.shipped())
    if current:
        solara.Text(described.get(current, ""), style={"font-size": "12px", "color": "#555"})

    def on_file(info: dict) -> None:
        session.load_upload(info.get("name", "upload.toml"), info.get("size"), info["file_obj"])

    solara.FileDrop(label="...or drop a scenario .toml file here (checked like `nkborder check`)", on_file=on_file,
                    lazy=True)  # read on demand, at most the upload limit
    edited = sc is not session.base.value
    solara.Text(f"{sc.name}{' (edited)' if edited else ''}: {', '.join(sc.cities)}, {sc.start} to "
                    f"{sc.end}, {len(sc.events)} events, {len(sc.params)} parameters set.")
    with solara.Row():
        toml = solara.use_memo(lambda: (lambda: state.to_toml(sc).encode()), [id(sc)])
        solara.FileDownload(toml, filename=f"{sc.name}.toml", label="scenario TOML", mime_type="text/plain")
        if edited:
            solara.Button("undo edits", on_click=session.revert_scenario, text=True, small=True)


@solara.component
def RunPanel() -> None:
    """Scale, seeds and years of the runs; the Run button; the progress of the running job and its controls."""
    o = session.options.value
    sc = session.scenario.value
    busy = session.running()
    solara.InputFloat("scale (share of the population, 0-1]", value=o.scale,
                      on_value=lambda v: session.set_options(scale=v), dense=True)
    solara.InputInt("seeds (replicate runs)", value=o.reps, on_value=lambda v: session.set_options(reps=v),
                    dense=True)
    solara.InputInt("base seed", value=o.seed, on_value=lambda v: session.set_options(seed=v), dense=True)
    with solara.Row():
        solara.InputInt("simulate from", value=o.start_year, optional=True, dense=True,
                        on_value=lambda v: session.set_options(start_year=v))
        solara.InputInt("last year", value=o.end_year, optional=True, dense=True,
                        on_value=lambda v: session.set_options(end_year=v))
    solara.InputInt("report from", value=o.report_year, optional=True, dense=True,
                    on_value=lambda v: session.set_options(report_year=v))
    solara.Text(f"blank: the scenario's own years (simulated from {sc.start.year}"
                + (f", reported from {sc.report_start.year}" if sc.report_start else "") + ")",
                style={"font-size": "11px", "color": "#777"})
    for warning in state.start_warnings(o, [sc]):
        solara.Warning(warning, dense=True, classes=["nk-cold-start"], style={"font-size": "12px"})
    solara.Text(state.describe_options(o, sc), classes=["nk-run-summary"], style={"font-size": "12px"})
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        solara.Button("Run scenario", color="primary", disabled=busy, icon_name="mdi-play",
                      on_click=lambda: session.start("ensemble", [session.scenario.value]))
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
    fig = solara.use_memo(lambda: charts.timeline_figure(sc, highlight), [sc.content_hash(), sc.name, highlight])
    with solara.Card("Policy timeline", margin=0):
        solara.FigureMatplotlib(fig, dependencies=[sc.content_hash(), sc.name, highlight], format="png")
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
    with solara.Card(title, margin=0):
        solara.InputText("event id", value=f.id, on_value=lambda v: session.set_form(id=v))
        solara.Select(label="kind", value=f.kind, values=list(EVENT_KINDS), on_value=session.set_form_kind)
        solara.Text(state.kind_help(f.kind), style={"font-size": "11px", "color": "#555"})
        with solara.Row():
            solara.InputText("start (YYYY-MM-DD)", value=f.start, on_value=lambda v: session.set_form(start=v))
            solara.InputText("end (blank = open)", value=f.end, on_value=lambda v: session.set_form(end=v))
        place = f.place if f.place in state.places_for(sc) else "national"
        solara.Select(label="place (city or all)", value=place, values=state.places_for(sc),
                      on_value=lambda v: session.set_form(place=v))
        label = f"intensity ({kind.lo:g} to {kind.hi:g}; blank = {kind.default:g})" if kind else "intensity"
        solara.InputText(label, value=f.intensity, on_value=lambda v: session.set_form(intensity=v))
        solara.Checkbox(label="ramp (grow linearly from start to end)", value=f.ramp,
                        on_value=lambda v: session.set_form(ramp=v))
        solara.InputText("note", value=f.note, on_value=lambda v: session.set_form(note=v))
        with solara.Row():
            if editing:
                solara.Button("Save changes", color="primary", on_click=session.save_event)
                solara.Button("Add as new", on_click=session.add_event, outlined=True)
            else:
                solara.Button("Add event", color="primary", on_click=session.add_event)
            solara.Button("Clear", on_click=session.clear_form, text=True)


@solara.component
def Parameters() -> None:
    """Sliders over the declared ranges, with unit and source; search to find any of the parameters."""
    sc = session.scenario.value
    query, set_query = solara.use_state("")
    table = state.parameters()
    changed = state.changed_params(sc, session.base.value)
    names = list(dict.fromkeys([*changed, *state.search_parameters(query)]))
    with solara.Card(f"Parameters ({len(table)}; {len(changed)} changed from the loaded scenario)", margin=0):
        solara.InputText("search parameters (name, unit, meaning or source; blank: the calibrated ones)",
                         value=query, on_value=set_query, continuous_update=True)
        solara.Button("use the calibrated values", on_click=session.use_calibrated, small=True, outlined=True,
                      classes=["nk-use-calibrated"])
        for name in names:
            ParameterSlider(name, state.param_value(sc, name), name in changed)


@solara.component
def ParameterSlider(name: str, value: float, changed: bool) -> None:
    """One parameter: slider over [lo, hi], value with unit, source beside it, meaning and quote on hover."""
    row = state.parameters().loc[name]
    lo, hi, integer = float(row["lo"]), float(row["hi"]), bool(row["integer"])
    step = state.slider_step(lo, hi, integer)
    hover = f"{row['doc']}. Range {lo:g} to {hi:g} {row['unit']}. Source: {row['source']}."
    if row["quote"]:
        hover += f' "{row["quote"]}"'
    with solara.Row(style={"align-items": "center", "gap": "8px"}, classes=["nk-param", f"nk-param-{name}"]):
        with solara.Column(style={"width": "46%", "min-width": "260px"}):
            if integer:
                solara.SliderInt(name, value=int(value), min=int(lo), max=int(hi), step=1,
                                 on_value=lambda v: session.set_param(name, v))
            else:
                solara.SliderFloat(name, value=value, min=lo, max=hi, step=step,
                                   on_value=lambda v: session.set_param(name, v))
        solara.Text(f"{value:g} {row['unit']}", style={"min-width": "150px", "font-weight": "bold" if changed else
                                                         "normal"})
        solara.Text(f"range {lo:g} to {hi:g}", style={"font-size": "11px", "color": "#777", "min-width": "110px"})
        with solara.Tooltip(hover):
            solara.Text(f"source: {row['source']}", style={"font-size": "11px", "color": "#555", "max-width": "330px"})
        if changed:
            solara.Button("reset", on_click=lambda: session.reset_param(name), text=True, small=True)
