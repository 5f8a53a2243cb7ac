"""The Sweeps tab: a one-parameter sweep or a SALib sensitivity analysis of the scenario, planned and checked before
it starts (how many runs), run on the app's cluster, and drawn with the figure module's response and index figures
(which never sum stocks over years nor add old won to new won, and say how many runs each value rests on)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pandas as pd
import solara

from nkborder.app import charts, session, state, storage, studies
from nkborder.app.components import ExperimentName, PngDownload
from nkborder.app.inputs import TextBox, parse_float, parse_text
from nkborder.app.panels import ResultCommand, Table, TableDownloads, result_provenance
from nkborder.app.studies import StudyForm

FEW_RUNS = 10  # fewer runs per value or sample than this: the page says the spread is rough

form: solara.Reactive[StudyForm] = solara.reactive(StudyForm())
result: solara.Reactive[Any] = solara.reactive(None)
progress: solara.Reactive[str] = solara.reactive("")


def cluster_address() -> str:
    """The Dask scheduler the page's studies run on (``$NKBORDER_SCHEDULER``, else the app's cluster)."""
    from nkborder.app.cluster import get_cluster
    from nkborder.experiments.cluster import ENV_SCHEDULER

    if os.environ.get(ENV_SCHEDULER):
        return os.environ[ENV_SCHEDULER]
    cluster = get_cluster()
    address = cluster.wait() if cluster is not None else None
    if address is None:
        raise RuntimeError(f"the Dask cluster could not start ({getattr(cluster, 'error', None) or 'timed out'})")
    return address


@solara.lab.task
def run_study(f: StudyForm, opts: state.RunOptions, sc: Any, name: str, planned: int) -> None:
    """Run the study in the background; the page shows its runs as they are stored."""
    progress.value = f"{name}: 0 of {planned} runs"

    def hook(done: int, failed: int, total: int) -> None:
        progress.value = f"{name}: {done} of {total} runs computed" + (f", {failed} failed" if failed else "")

    try:
        res = studies.run(f, opts, sc, session.db(), name, cluster_address(), progress=hook)
    except Exception as exc:
        progress.value = ""
        session.notify("error", state.error_text(exc))
        return
    result.value = res
    session.stored_version.value += 1
    progress.value = f"{name}: finished, {res.n_runs} runs stored ({res.computed} computed now, {res.reused} reused)"


def start() -> None:
    """Check the form and the side bar's options, then start the study."""
    f, opts, sc = form.value, session.options.value, session.scenario.value
    if session.running() or run_study.pending:
        session.notify("warning", "A run is in progress: wait for it to finish.")
        return
    try:
        planned = studies.check(f, opts, sc)
        name = f.name.strip() or studies.default_name(f, opts, sc, session.db())
    except Exception as exc:
        session.notify("error", state.error_text(exc))
        return
    session.scenarios_run.value = {**session.scenarios_run.value, sc.name: sc}
    session.made.value = (*session.made.value, name) if name not in session.made.value else session.made.value
    run_study(f, opts, sc, name, planned)


def set_form(**changes: Any) -> None:
    """Change fields of the form."""
    form.value = replace(form.value, **changes)


@solara.component
def StudyPanel() -> None:
    """The form, its plan (runs before it starts), progress and the latest study's figures."""
    f = form.value
    sc, opts = session.scenario.value, session.options.value
    with solara.Card("Sweep a parameter or measure sensitivity", margin=0, classes=["nk-study-form"]):
        solara.ToggleButtonsSingle(value=f.kind, values=list(studies.KINDS), on_value=lambda v: set_form(kind=v))
        if f.kind == "sweep":
            SweepFields(f)
        else:
            SensitivityFields(f)
        ExperimentName(f.name, lambda v: set_form(name=v))
        plan = storage.when(lambda: studies.check(f, opts, sc), None)
        first, last = storage.when(lambda: studies.years_of(opts, sc), (sc.start.year, sc.end.year))
        per = "value" if f.kind == "sweep" else "sample"
        solara.Text(f"{plan} runs planned ({opts.reps} seed(s) per {per}) of {sc.name} at scale {opts.scale:g}, "
                    f"{first}-{last} (side bar)" if plan else "Check the form: press Run to see what is wrong.",
                    classes=["nk-study-plan"], style={"font-size": "13px"})
        busy = session.running() or run_study.pending
        solara.Button(f"Run {f.kind}", color="primary", icon_name="mdi-chart-scatter-plot", disabled=busy,
                      on_click=start, classes=["nk-run-study"])
        if progress.value:
            solara.Text(progress.value, classes=["nk-study-progress"], style={"font-size": "12px"})
    res = result.value
    if res is None:
        solara.Info("No sweep or sensitivity analysis yet in this page (stored ones: nkborder plot NAME).")
        return
    if res.kind == "sweep":
        SweepView(res)
    else:
        SensitivityView(res)


@solara.component
def SweepFields(f: StudyForm) -> None:
    """Parameter (by label), its range and the number of values."""
    table = state.parameters()
    labels = {f"{r.label} ({r.name})": r.name for r in table.itertuples()}
    shown = next(k for k, v in labels.items() if v == f.parameter)
    row = table.loc[f.parameter]
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px", "align-items": "center"}):
        with solara.Div(style={"flex": "2 1 320px", "min-width": "0"}):
            solara.Select(label="parameter", value=shown, values=list(labels),
                          on_value=lambda v: set_form(parameter=labels[v], lo=None, hi=None))
        TextBox(f"from ({row['unit']})", f.lo if f.lo is not None else float(row["lo"]), lambda v: set_form(lo=v),
                parse_float, dense=False)
        TextBox(f"to ({row['unit']})", f.hi if f.hi is not None else float(row["hi"]), lambda v: set_form(hi=v),
                parse_float, dense=False)
        TextBox("values", f.steps, lambda v: set_form(steps=v or 2), dense=False)
    solara.Text(f"{row['doc']}. Declared range {float(row['lo']):g} to {float(row['hi']):g} {row['unit']}.",
                style={"font-size": "12px", "color": "#555"})


@solara.component
def SensitivityFields(f: StudyForm) -> None:
    """Method, samples, parameters, output and its years."""
    table = state.parameters()
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px", "align-items": "center"}):
        solara.ToggleButtonsSingle(value=f.method, values=list(studies.METHODS),
                                   on_value=lambda v: set_form(method=v))
        TextBox("samples (Morris: trajectories; Sobol: a power of 2)", f.samples, lambda v: set_form(samples=v or 2),
                dense=False)
        solara.Select(label="output", value=f.output, values=list(charts.INDICATORS),
                      on_value=lambda v: set_form(output=v))
        TextBox("years of the output, e.g. 2010:2020 (blank: all)", f.period, lambda v: set_form(period=v), parse_text,
                dense=False)
    solara.SelectMultiple("parameters (over their declared ranges)", values=list(f.params),
                          all_values=list(table.index), on_value=lambda v: set_form(params=tuple(v)))
    solara.Text(f"The output is the {studies.aggregate_for(f.output)} of {f.output} over the years and both cities "
                "(flows are summed; stocks, prices and shares averaged), averaged over the seeds.",
                style={"font-size": "12px", "color": "#555"})


def runs_per_value(res: Any) -> int:
    """The fewest runs any value of a sweep (or sample of a sensitivity analysis) rests on."""
    key = "point" if res.kind == "sweep" else "sample"
    if res.runs.empty or key not in res.runs:
        return 0
    return int(res.runs.groupby(key)["run_id"].nunique().min())


@solara.component
def RunsNote(res: Any) -> None:
    """How many runs each value rests on; a warning below :data:`FEW_RUNS`."""
    n = runs_per_value(res)
    text = f"Each value rests on {n} run(s) (seeds)."
    if n < FEW_RUNS:
        solara.Warning(f"{text} Fewer than {FEW_RUNS}: the spread between runs is rough; add seeds in the side bar.",
                       dense=True, classes=["nk-few-runs"])
    else:
        solara.Text(text, style={"font-size": "12px"})


@solara.component
def SweepView(res: Any) -> None:
    """Each run's response against the varied value, for one indicator."""
    from nkborder.analysis.bands import headline, indicator_columns

    have = headline(indicator_columns(res.runs)) or indicator_columns(res.runs)
    chosen, set_chosen = solara.use_state(have[0] if have else "")
    chosen = chosen if chosen in have else (have[0] if have else "")
    fig = solara.use_memo(lambda: figure(res, chosen), [res.name, res.n_runs, chosen])
    meta = solara.use_memo(lambda: result_provenance(res), [res.name])
    solara.Text(f"{res.name}: sweep of {', '.join(r['name'] for r in res.definition['design']['vary'])}, "
                f"{res.n_runs} runs stored.", style={"font-size": "13px"})
    RunsNote(res)
    solara.Select(label="indicator", value=chosen, values=have, on_value=set_chosen)
    if fig is not None:
        with solara.Div(classes=["nk-figure", "nk-study-figure"]):
            solara.FigureMatplotlib(fig, dependencies=[res.name, res.n_runs, chosen], format="png")
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        if fig is not None:
            PngDownload(fig, f"{res.name}-response.png", "response PNG", meta)
        TableDownloads(res.tables["points"], f"{res.name}-points", "design points", meta)
        TableDownloads(res.runs, f"{res.name}-runs", "runs (yearly)", meta)
    ResultCommand(res)


@solara.component
def SensitivityView(res: Any) -> None:
    """The indices with their confidence intervals, as a figure and a table."""
    fig = solara.use_memo(lambda: figure(res, ""), [res.name, res.n_runs])
    meta = solara.use_memo(lambda: result_provenance(res), [res.name])
    analysis = res.definition["analysis"]
    solara.Text(f"{res.name}: {res.definition['design']['method']} indices of {', '.join(analysis['outputs'])} "
                f"({analysis['aggregate']} over {analysis['period'][0]}-{analysis['period'][1]}, both cities), "
                f"{res.n_runs} runs stored.", style={"font-size": "13px"})
    RunsNote(res)
    if fig is not None:
        with solara.Div(classes=["nk-figure", "nk-study-figure"]):
            solara.FigureMatplotlib(fig, dependencies=[res.name, res.n_runs], format="png")
    Table(indices_table(res.indices), 12)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        if fig is not None:
            PngDownload(fig, f"{res.name}-indices.png", "indices PNG", meta)
        TableDownloads(res.indices, f"{res.name}-indices", "indices", meta)
        TableDownloads(res.tables["outputs"], f"{res.name}-outputs", "outputs per sample", meta)
    ResultCommand(res)


def indices_table(indices: pd.DataFrame) -> pd.DataFrame:
    """The indices for reading: parameters by label, numbers to 3 significant digits."""
    from nkborder.analysis.bands import fmt

    out = indices.copy()
    out.insert(1, "label", [str(state.parameters().loc[p, "label"]) for p in out["parameter"]])
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [fmt(v) for v in out[col]]
    return out


def figure(res: Any, indicator: str) -> Any:
    """The figure module's response figure (sweep) or index figure (sensitivity); None if it cannot draw."""
    from nkborder.analysis.response_plots import response_figure, sensitivity_figure

    if res.runs.empty:
        return None
    if res.kind == "sweep":
        return response_figure(res, [indicator]) if indicator else None
    return sensitivity_figure(res)
