"""The app's presentation logic without a browser: parameter labels and submodels, the parameter views, the
scenario picker's label, the command that reproduces an experiment and the metadata of downloads."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import pandas as pd
import pytest

from nkborder.app import components, paramview, provenance, state
from nkborder.params import Params, describe_parameters, parameter_info
from nkborder.scenarios import load_scenario


@pytest.fixture(scope="module")
def history():
    return load_scenario("history")


# ----------------------------------------------------------------------------------------------- parameters
def test_every_parameter_has_a_plain_label_and_a_submodel() -> None:
    table = describe_parameters()
    assert list(table["name"]) == list(Params.model_fields)
    assert table["label"].str.len().gt(0).all() and not table["label"].str.contains("_").any()
    assert table["group"].str.len().gt(0).all()
    groups = list(dict.fromkeys(table["group"]))
    assert groups[0] == "Population and households" and "Defection" in groups
    # a group is contiguous in declaration order (the groups follow the submodel sections)
    assert len(groups) == (table["group"] != table["group"].shift()).sum()
    assert parameter_info("intent_intercept")["label"] == "Baseline wish to leave"
    assert parameter_info("intent_intercept")["group"] == "Defection"


def test_parameter_views_list_the_calibrated_the_submodels_and_the_changes(history) -> None:
    views = paramview.views()
    assert views[0] == paramview.CALIBRATED and "submodel: Brokers" in views
    calibrated = paramview.names_in(paramview.CALIBRATED)
    assert calibrated and all(parameter_info(n)["calibrate"] for n in calibrated)
    brokers = paramview.names_in("submodel: Brokers")
    assert "broker_fee_base_cny" in brokers and all(parameter_info(n)["group"] == "Brokers" for n in brokers)
    assert paramview.names_in("no such view") == []
    edited = state.set_param(history, "detect_base", 0.4)
    rows = paramview.changed_rows(state.changed_params(edited, history))
    assert rows == [{"name": "detect_base", "label": parameter_info("detect_base")["label"],
                     "group": "Border and guards", "before": f"{parameter_info('detect_base')['default']:g}",
                     "now": "0.4", "unit": "probability"}]


def test_search_finds_parameters_by_their_label() -> None:
    assert "intent_intercept" in state.search_parameters("wish to leave")
    assert "broker_fee_base_cny" in state.search_parameters("brokers fee")


def test_the_picker_names_an_edited_or_uploaded_scenario(history) -> None:
    names = state.shipped_names()
    assert components.picker_label(history, history, names) == "history"
    edited = state.set_param(history, "detect_base", 0.4)
    assert components.picker_label(edited, history, names) == "history (edited)"
    upload = state.load_upload("mine.toml", b'base = "history"\nname = "mine"\n')
    assert components.picker_label(upload, upload, names) == "mine (uploaded)"


# ---------------------------------------------------------------------------------------------- provenance
def _definition(sc, kind="ensemble", **design):
    from nkborder.experiments.core import scenario_info

    ref = sc.name if sc.name in state.shipped_names() else sc
    return {"kind": kind, "scenarios": [scenario_info(sc, ref)],
            "design": {"reps": 2, "seed": 3, "scale": 0.01, "overrides": {}, **design}, "analysis": {}}


def test_the_command_names_a_shipped_scenario_by_name_and_an_edited_one_by_its_file(history) -> None:
    short = history.with_dates(pd.Timestamp("2016-01-01").date(), pd.Timestamp("2017-12-31").date())
    cmd = provenance.command(_definition(short), "my-run", "/tmp/x.duckdb")
    assert cmd == ("nkborder ensemble history --reps 2 --scale 0.01 --seed 3 --start 2016-01-01 --end 2017-12-31 "
                   "--name my-run --db /tmp/x.duckdb")
    edited = state.set_param(history, "detect_base", 0.4).with_dates(short.start, short.end)
    cmd = provenance.command(_definition(edited), "my edit", "/tmp/x.duckdb")
    assert cmd.startswith("nkborder ensemble history-edited.toml --reps 2")
    assert cmd.endswith("--name 'my edit' --db /tmp/x.duckdb")  # quoted for the shell


def test_the_command_of_a_run_reported_from_a_later_year_names_it_with_report_from(history) -> None:
    from nkborder.experiments.core import scenario_info
    from nkborder.scenarios.burnin import report_from

    a, b = (report_from(sc, 2012, "report from") for sc in (history, load_scenario("no-closure")))
    both = {"kind": "compare", "scenarios": [scenario_info(a, a), scenario_info(b, b)],
            "design": {"reps": 2, "seed": 0, "scale": 0.01, "overrides": {}},
            "analysis": {"period": [2012, 2025], "outputs": ["arrivals_south_korea_full"]}}
    cmd = provenance.command(both, "w", "r.duckdb")
    assert cmd.startswith("nkborder compare history no-closure ") and "--report-from 2012 --name w" in cmd
    # only A reports from 2012: the command cannot say so with one option, so A is named by its TOML file
    one = {**both, "scenarios": [scenario_info(a, a), scenario_info(load_scenario("no-closure"), "no-closure")]}
    cmd = provenance.command(one, "w", "r.duckdb")
    assert cmd.startswith("nkborder compare history.toml no-closure ") and "--report-from" not in cmd


def test_the_command_of_a_comparison_and_a_sweep(history) -> None:
    from nkborder.experiments.core import scenario_info

    b = load_scenario("no-closure")
    definition = {"kind": "compare", "scenarios": [scenario_info(history, "history"), scenario_info(b, "no-closure")],
                  "design": {"reps": 4, "seed": 0, "scale": 0.02, "overrides": {"detect_base": 0.3}},
                  "analysis": {"period": [2020, 2025], "outputs": ["arrivals_south_korea_full"]}}
    cmd = provenance.command(definition, "c", "r.duckdb")
    assert cmd.startswith("nkborder compare history no-closure --period 2020:2025 --output arrivals_south_korea_full "
                          "--reps 4 --scale 0.02 --seed 0")
    assert "--set detect_base=0.3" in cmd
    sweep = _definition(history, "sweep", design="factorial", samples=None,
                        vary=[{"name": "detect_base", "lo": 0.2, "hi": 0.4, "steps": 3}])
    assert "--design factorial --vary detect_base=0.2:0.4:3 --reps 2" in provenance.command(sweep, "s", "r.duckdb")
    assert "--report-from" not in provenance.command(sweep, "s", "r.duckdb")
    from nkborder.scenarios.burnin import report_from

    later = _definition(report_from(history, 2012, "--report-from"), "sweep", design="factorial", samples=None,
                        vary=[{"name": "detect_base", "lo": 0.2, "hi": 0.4, "steps": 3}])
    cmd = provenance.command(later, "s", "r.duckdb")
    assert cmd.startswith("nkborder sweep history ") and "--report-from 2012 --name s" in cmd


def test_a_download_carries_the_table_the_metadata_and_the_scenario(history) -> None:
    class Result:
        name, n_runs = "demo", 2
        definition = _definition(state.set_param(history, "detect_base", 0.4))
        runs = pd.DataFrame({"seed": [11, 12, 11], "year": [2016, 2016, 2017]})

    edited = state.set_param(history, "detect_base", 0.4)
    meta = provenance.metadata(Result(), [edited], "/tmp/r.duckdb", "bands")
    assert meta["seeds"] == [11, 12] and meta["scale"] == 0.01 and meta["reps"] == 2
    assert meta["scenarios"][0]["parameters"]["detect_base"] == 0.4
    assert meta["scenarios"][0]["file"] == "history-edited.toml"
    assert meta["command"].startswith("nkborder ensemble history-edited.toml")
    data = provenance.bundle(pd.DataFrame({"a": [1]}), "demo-bands", "csv", meta,
                             {"history-edited.toml": state.to_toml(edited)})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["demo-bands.csv", "history-edited.toml", "metadata.json"]
        assert json.loads(z.read("metadata.json"))["nkborder_version"]
        assert state.load_text(z.read("history-edited.toml").decode(), "x").content_hash() == edited.content_hash()


def test_the_command_shown_reruns_the_experiment_from_the_shell(history, tmp_path, monkeypatch) -> None:
    """An edited scenario run as the page runs it (an object, through the experiment layer); the command the
    page shows, run from the shell with the TOML the download carries, finds every run stored under the same
    run keys: the same scenario, parameters, seeds and scale."""
    from typer.testing import CliRunner

    from nkborder.cli import app
    from nkborder.experiments import ensemble

    db = str(tmp_path / "r.duckdb")
    edited = state.set_param(history, "detect_base", 0.4)
    res = ensemble(edited, reps=2, scale=0.01, seed=5, start="2016-01-01", end="2016-12-31", db=db, name="mine",
                   workers=1)
    assert res.computed == 2
    cmd = provenance.command(res.definition, res.name, db)
    assert cmd.startswith("nkborder ensemble history-edited.toml ")
    (tmp_path / "history-edited.toml").write_text(state.to_toml(edited))
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, cmd.split()[1:], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "0 runs computed, 2 already stored" in " ".join(out.output.split())


# -------------------------------------------------------------------------------------- sweeps, sensitivity
def test_a_study_is_checked_and_counted_before_it_starts(history) -> None:
    from nkborder.app import studies
    from nkborder.app.studies import StudyForm
    from nkborder.errors import InputError

    opts = state.RunOptions(scale=0.01, reps=2, start_year=2016, end_year=2019)
    assert studies.check(StudyForm(parameter="detect_base", lo=0.2, hi=0.4, steps=3), opts, history) == 6
    morris = StudyForm(kind="sensitivity", params=("detect_base", "intent_intercept"), samples=2)
    assert studies.check(morris, opts, history) == 2 * (2 + 1) * 2  # trajectories x (k + 1) x seeds
    with pytest.raises(InputError, match="detect_base"):  # outside the declared range
        studies.check(StudyForm(parameter="detect_base", lo=0.0, hi=5.0), opts, history)
    with pytest.raises(InputError, match="at most 400"):
        studies.check(StudyForm(steps=300), opts, history)
    with pytest.raises(InputError, match="outside the years run"):
        studies.check(replace(morris, period="2010:2012"), opts, history)
    later = replace(opts, report_year=2018)  # simulated from 2016, reported from 2018: the output's years too
    assert studies.years_of(later, history) == (2018, 2019) and studies.years_of(opts, history) == (2016, 2019)
    with pytest.raises(InputError, match="outside the years run"):
        studies.check(replace(morris, period="2016:2019"), later, history)


def test_won_is_never_aggregated_across_the_redenomination(history) -> None:
    from nkborder.app import studies
    from nkborder.app.studies import StudyForm
    from nkborder.errors import InputError

    opts = state.RunOptions(scale=0.01, reps=1, start_year=2005, end_year=2015)
    turnover = StudyForm(kind="sensitivity", output="market_turnover_kpw_full", params=("detect_base",))
    with pytest.raises(InputError, match="old won to new won"):
        studies.check(turnover, opts, history)
    assert studies.check(replace(turnover, period="2010:2015"), opts, history) > 0
    assert studies.check(replace(turnover, period="2005:2008"), opts, history) > 0
    assert studies.aggregate_for("arrivals_south_korea_full") == "sum"  # a flow: persons per year
    assert studies.aggregate_for("in_china_full") == "mean"  # a stock: persons at the end of a year
    assert studies.aggregate_for("broker_fee_posted_cny") == "mean"  # a price


def test_a_study_has_a_readable_default_name(history, tmp_path) -> None:
    from nkborder.app import studies
    from nkborder.app.studies import StudyForm

    opts = state.RunOptions(scale=0.01, reps=2, start_year=2016, end_year=2019)
    name = studies.default_name(StudyForm(parameter="detect_base", steps=3), opts, history, str(tmp_path / "r"))
    assert name == "app-sweep-history-detect_base-3-2016-2019-2x0.01"


def test_the_period_summary_prints_shares_as_percentages() -> None:
    from nkborder.app.panels import readable_period

    table = pd.DataFrame({"city": ["both"], "indicator": ["arrivals_south_korea_full"], "a_mean": [1234.567],
                          "b_mean": [1500.25], "mean": [265.683], "share_positive": [2 / 3]})
    shown = readable_period(table)
    assert shown["B > A in"].tolist() == ["67%"]
    assert shown["a_mean"].tolist() == ["1,235"] and shown["mean"].tolist() == ["266"]


def test_the_sweeps_tab_plans_before_it_runs(history) -> None:
    import ipyvuetify as v
    import solara

    from nkborder.app import session, study_panel
    from nkborder.app.studies import StudyForm

    session.options.value = state.RunOptions(scale=0.01, reps=2, start_year=2016, end_year=2019)
    try:
        _, rc = solara.render(study_panel.StudyPanel(), handle_error=False)
        texts = lambda: " ".join(str(w.children) for w in rc.find(v.Html).widgets)  # noqa: E731
        assert "6 runs planned (2 seed(s) per value) of history at scale 0.01, 2016-2019" in texts()
        study_panel.form.value = StudyForm(kind="sensitivity", params=("detect_base",), samples=2)
        assert "8 runs planned (2 seed(s) per sample)" in texts()
        assert "The output is the sum of arrivals_south_korea_full" in texts()
        rc.close()
    finally:
        session.options.value = state.RunOptions()
        study_panel.form.value = StudyForm()


def test_a_sensitivity_analysis_of_the_page_runs_and_is_drawn(history, tmp_path) -> None:
    from nkborder.app import studies, study_panel
    from nkborder.app.studies import StudyForm

    opts = state.RunOptions(scale=0.01, reps=1, start_year=2015, end_year=2016, report_year=2016)
    f = StudyForm(kind="sensitivity", params=("detect_base",), samples=2, output="crossings_attempted_full")
    planned = studies.check(f, opts, history)
    res = studies.run(f, opts, history, str(tmp_path / "r.duckdb"), "sens", scheduler=None)
    assert res.n_runs == planned == 4 and res.definition["analysis"]["aggregate"] == "sum"
    assert set(res.runs["year"]) == {2016} and res.definition["scenarios"][0]["start"] == "2015-01-01"
    assert study_panel.runs_per_value(res) == 1
    table = study_panel.indices_table(res.indices)
    assert table["label"].tolist() == [parameter_info("detect_base")["label"]]
    assert study_panel.figure(res, "") is not None
    cmd = provenance.command(res.definition, res.name, "r.duckdb")
    assert cmd.startswith("nkborder sensitivity history --method morris --samples 2 --params detect_base "
                          "--output crossings_attempted_full --period 2016:2016 --aggregate sum --reps 1")
    assert "--report-from 2016" in cmd


def test_interactive_figures_reach_the_page_without_nan() -> None:
    import numpy as np
    import plotly.graph_objects as go

    from nkborder.app.panels import for_widget

    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2], customdata=np.array([[np.nan, 1.0], [2.0, 3.0]])))
    assert for_widget(fig).data[0].customdata == ([None, 1.0], [2.0, 3.0])
