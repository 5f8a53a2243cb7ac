"""The web app's logic without a browser: scenario editing, validation messages, uploads, run options, jobs,
figures, the front-end assets list and the ``app`` command."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from nkborder.app import state
from nkborder.app.state import EventForm, RunOptions
from nkborder.errors import InputError
from nkborder.scenarios import load_scenario


@pytest.fixture(scope="module")
def history():
    return load_scenario("history")


def _message(fn, *args) -> str:
    with pytest.raises(InputError) as info:
        fn(*args)
    return str(info.value)


# ------------------------------------------------------------------------------------------------ scenarios
def test_toml_round_trip_keeps_the_content(history) -> None:
    again = state.revalidate(history)
    assert again.content_hash() == history.content_hash()
    assert again.path == state.EDITOR
    assert "[[events]]" in again.text and "base" not in again.text.split("\n", 2)[1]


def test_shipped_names_start_with_history() -> None:
    names = state.shipped_names()
    assert names[0] == "history" and "no-closure" in names


def test_unknown_shipped_scenario_names_the_choices() -> None:
    text = _message(state.load_shipped, "nope")
    assert "no shipped scenario" in text and "history" in text


# --------------------------------------------------------------------------------------------------- events
def test_add_change_remove_event(history) -> None:
    form = EventForm(id="crackdown-2016", kind="crackdown", start="2016-03-01", end="2016-12-31", place="Hyesan",
                     intensity="0.7", note="test")
    added = state.add_event(history, form)
    assert added.name == "history-edited" and len(added.events) == len(history.events) + 1
    event = next(e for e in added.events if e.id == "crackdown-2016")
    assert event.place == "Hyesan" and event.level == 0.7 and event.end == dt.date(2016, 12, 31)
    assert "crackdown-2016" in added.text  # the stored text describes what ran
    changed = state.update_event(added, "crackdown-2016",
                                 replace(EventForm.of(event), intensity="0.2", id="crackdown-2016b"))
    ids = {e.id for e in changed.events}
    assert "crackdown-2016b" in ids and "crackdown-2016" not in ids
    removed = state.remove_event(changed, "crackdown-2016b")
    assert removed.events == history.events and removed.params == history.params
    assert removed.name == "history-edited"


def test_blank_intensity_takes_the_kind_default(history) -> None:
    sc = state.add_event(history, EventForm(id="p", kind="punishment", start="2018-01-01"))
    assert next(e for e in sc.events if e.id == "p").level == 2.0


@pytest.mark.parametrize(("form", "expected"), [
    (EventForm(id="", kind="crackdown", start="2015-01-01"), "no id given"),
    (EventForm(id="x", kind="crackdown", start="2015-13-01"), "not a date: '2015-13-01'"),
    (EventForm(id="x", kind="crackdown", start=""), "no start date given"),
    (EventForm(id="x", kind="crackdown", start="2015-01-01", end="2014-01-01"), "is before start"),
    (EventForm(id="x", kind="punishment", start="2015-01-01", intensity="20"), "out of range for punishment"),
    (EventForm(id="x", kind="crackdown", start="2015-01-01", intensity="lots"), "not a number"),
    (EventForm(id="x", kind="nope", start="2015-01-01"), "unknown kind 'nope'"),
    (EventForm(id="x", kind="crackdown", start="2015-01-01", place="Pyongyang"), "unknown place"),
    (EventForm(id="x", kind="crackdown", start="2045-01-01"), "outside the run"),
    (EventForm(id="famine", kind="famine", start="2000-01-01"), "exists already"),
])
def test_bad_events_are_refused_with_a_clear_message(history, form, expected) -> None:
    text = _message(state.add_event, history, form)
    assert expected in text
    assert text.startswith(state.EDITOR)
    assert "allowed" in text or "is before" in text or "outside" in text


def test_event_for_a_city_outside_the_scenario(history) -> None:
    hyesan = load_scenario("hyesan-2020")
    text = _message(state.add_event, hyesan, EventForm(id="x", kind="crackdown", start="2016-01-01",
                                                       place="Hoeryong"))
    assert "is not in this scenario" in text
    assert state.places_for(hyesan) == ["national", "border", "Hyesan", "china"]


def test_editing_or_removing_an_unknown_event(history) -> None:
    assert "no event 'ghost'" in _message(state.remove_event, history, "ghost")
    assert "no event 'ghost'" in _message(state.update_event, history, "ghost", EventForm(id="g", start="2000-01-01"))


def test_form_of_an_event_and_kind_change(history) -> None:
    e = next(e for e in history.events if e.id == "fences")
    form = EventForm.of(e)
    assert form.ramp and form.end == "2023-12-31" and form.place == "border"
    assert form.with_kind("punishment").intensity == ""
    assert "Intensity 0 to 15 (default 2)" in state.kind_help("punishment")


def test_events_table(history) -> None:
    table = state.events_table(history)
    assert len(table) == len(history.events)
    assert list(table["start"]) == sorted(table["start"])


# ----------------------------------------------------------------------------------------------- parameters
def test_use_calibrated_sets_the_shipped_medians(history) -> None:
    from nkborder.calibration import calibrated_params

    sc = state.use_calibrated(history)
    shipped = calibrated_params()
    assert sc.params == pytest.approx({**history.params, **shipped})
    assert set(state.changed_params(sc, history)) == {n for n, v in shipped.items()
                                                       if v != state.param_value(history, n)}
    assert sc.parameters(None).detect_base == pytest.approx(shipped["detect_base"])


def test_set_and_reset_parameter(history) -> None:
    sc = state.set_param(history, "detect_base", 0.5)
    assert sc.params["detect_base"] == 0.5 and sc.parameters().detect_base == 0.5
    assert state.changed_params(sc, history) == {"detect_base": (0.35, 0.5)}
    back = state.reset_param(sc, "detect_base", history)
    assert "detect_base" not in back.params and not state.changed_params(back, history)


def test_parameter_out_of_range_or_unknown(history) -> None:
    text = _message(state.set_param, history, "detect_base", 5.0)
    assert "detect_base" in text and "0.05 to 0.9" in text
    assert "unknown parameter" in _message(state.set_param, history, "no_such_thing", 1.0)


def test_integer_parameter_is_rounded(history) -> None:
    assert state.set_param(history, "inminban_households", 31.4).params["inminban_households"] == 31.0


def test_slider_steps_and_search() -> None:
    assert state.slider_step(0.05, 0.9, False) == 0.005
    assert state.slider_step(20, 40, True) == 1.0
    assert state.slider_step(100, 2000, False) == 10
    assert "detect_base" in state.search_parameters("")  # the calibrated ones by default
    assert "crossing_bribe_cny" in state.search_parameters("bribe CNY")
    assert state.search_parameters("zzzz-no-match") == []


# -------------------------------------------------------------------------------------------------- uploads
def test_upload_with_a_base_scenario() -> None:
    sc = state.load_upload("mine.toml", b'base = "history"\nname = "mine"\ndrop_events = ["famine"]\n')
    assert sc.name == "mine" and sc.path == "mine.toml"
    assert "famine" not in {e.id for e in sc.events}


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("bad.toml", b"name = [", "bad.toml: line 1: broken TOML"),
    ("bad.toml", b"name = 'x'\n[[events]]\nid = 'a'\nkind = 'nope'\nstart = 2000-01-01\n", "unknown event kind"),
    ("bad.toml", b"name = 'x'\nstart = 2000-01-01\nend = 1999-01-01\n", "start/end"),
    ("bad.toml", b"name = 'x'\n[params]\ndetect_base = 7\n", "detect_base"),
    ("bad.toml", b"name = 'x'\nbogus = 1\n", "unknown key"),
    ("bad.toml", b"base = 'nope'\n", "no shipped scenario"),
    ("bad.toml", b"\xff\xfe\x00", "not UTF-8"),
    ("bad.toml", b"   \n", "empty"),
    ("scenario.txt", b"name = 'x'\n", "a .toml file"),
    ("big.toml", b"#" * (state.UPLOAD_LIMIT + 1), "too large"),
])
def test_bad_uploads_are_refused_naming_the_file(name, data, expected) -> None:
    text = _message(state.load_upload, name, data)
    assert expected in text
    assert text.startswith(name) or "nope" in text
    assert "/tmp" not in text and "nkborder-app-" not in text  # never the temporary file's path


# ---------------------------------------------------------------------------------------------- run options
def test_run_options(history) -> None:
    assert state.check_options(RunOptions(scale=0.02, reps=2, start_year=2015, end_year=2020), history) == (
        dt.date(2015, 1, 1), dt.date(2020, 12, 31))
    assert state.check_options(RunOptions(), history) == (None, None)


def test_describe_options_says_what_the_next_run_is(history) -> None:
    text = state.describe_options(RunOptions(scale=0.01, reps=3, seed=4, start_year=2016, end_year=2021), history)
    assert text == "next run: 3 run(s) (seeds 4-6) at scale 0.01, 2016-2021"
    text = state.describe_options(RunOptions(scale=0.02, reps=1), history)
    assert text == f"next run: 1 run(s) (seed 0) at scale 0.02, {history.start.year}-{history.end.year}"
    assert "set the scale" in state.describe_options(RunOptions(reps=None), history)


@pytest.mark.parametrize("report_year", [2015, 2022])
def test_describe_options_names_a_report_year_the_runs_cannot_honour(history, report_year) -> None:
    opts = RunOptions(scale=0.01, reps=1, start_year=2016, end_year=2021, report_year=report_year)
    text = state.describe_options(opts, history)
    assert text == (f"next run: 1 run(s) (seed 0) at scale 0.01, 2016-2021; report from {report_year} is outside "
                    "the simulated years 2016-2021: Run refuses it (blank it, or pick a year in that range)")
    assert "report from" in _message(state.check_options, opts, history)  # as the summary says


@pytest.mark.parametrize(("opts", "expected"), [
    (RunOptions(scale=0.0), "scale"),
    (RunOptions(scale=2.0), "scale"),
    (RunOptions(reps=0), "seeds"),
    (RunOptions(reps=500), "seeds"),
    (RunOptions(seed=-1), "base seed"),
    (RunOptions(start_year=2020, end_year=2010), "years"),
    (RunOptions(start_year=1800), "years"),
])
def test_bad_run_options(history, opts, expected) -> None:
    text = _message(state.check_options, opts, history)
    assert text.startswith(f"run options: {expected}")


def test_error_text() -> None:
    assert state.error_text(InputError("f", "x", "bad", "good")) == "f: x: bad (allowed: good)"
    assert state.error_text(RuntimeError("boom")) == "RuntimeError: boom"


# ------------------------------------------------------------------------------------------------------ jobs
def test_experiment_names_are_stable_and_valid(history) -> None:
    from nkborder.app.jobs import experiment_name, scenario_ref
    from nkborder.experiments.registry import check_name

    opts = RunOptions(scale=0.01, reps=2)
    name = experiment_name("ensemble", [history], opts)
    assert name == experiment_name("ensemble", [history], opts) and check_name(name) == name
    assert name != experiment_name("ensemble", [history], RunOptions(scale=0.01, reps=3))
    edited = state.set_param(history, "detect_base", 0.5)
    assert experiment_name("ensemble", [edited], opts) != name
    assert scenario_ref(history) == "history" and scenario_ref(edited) is edited


def test_job_refuses_bad_options_at_once(history, tmp_path) -> None:
    from nkborder.app.jobs import Job

    with pytest.raises(InputError, match="scale"):
        Job("ensemble", tmp_path / "r.duckdb", [history], RunOptions(scale=5.0))


def test_in_process_job_stores_runs_and_summarises(history, tmp_path) -> None:
    from nkborder.app import charts, citymap, jobs, storage

    db = tmp_path / "r.duckdb"
    opts = RunOptions(scale=0.005, reps=2, seed=1, start_year=2019, end_year=2020)
    job = jobs.Job("compare", db, [history, load_scenario("no-closure")], opts, period="2020:2020",
                   backend="local").start()
    assert job.wait(300)
    snap = job.snapshot()
    assert snap.state == "finished", snap.error
    result = snap.result
    assert result.n_runs == 4 and result.computed == 4 and snap.fraction == 1.0
    assert set(result.runs["side"]) == {"A", "B"}
    assert {"p5", "median", "p95"} <= set(result.summary.columns)
    assert set(result.tables["period"]["city"]) == {"Hoeryong", "Hyesan", "both"}
    assert "4 runs stored" in snap.text
    runs = storage.stored_runs(db)
    assert len(runs) == 4 and set(runs["status"]) == {"finished"} and "scenario_text" not in runs
    run_id = runs["run_id"].iloc[0]
    assert list(storage.run_table(db, run_id).columns[:2]) == ["year", "city"]
    assert storage.to_bytes(storage.run_table(db, run_id), "csv").startswith(b"year,city,")
    assert storage.to_bytes(storage.run_table(db, run_id), "parquet")[:4] == b"PAR1"
    # the figures draw from it
    levels, diff = charts.compare_figures(result, ["arrivals_south_korea_full", "discontent_mean"])
    assert len(levels.axes) >= 4 and charts.png(diff)[:4] == b"\x89PNG"
    ids = list(result.runs["run_id"].unique())
    monthly = storage.monthly_mean(db, ids)
    assert {"date", "city", "crossings_attempted"} <= set(monthly.columns)
    # the engine's per-sector and per-district records came through the store, averaged over the runs
    sectors, districts = storage.table_mean(db, ids, "sectors"), storage.table_mean(db, ids, "districts")
    assert len(sectors) == len(monthly) // 2 * (20 + 13)  # every month: 20 sectors of Hoeryong, 13 of Hyesan
    assert set(districts["district"]) == set(range(int(history.parameters().districts)))
    attempts = sectors.groupby(["date", "city"])["smuggling_trips"].sum()
    assert attempts.to_numpy() == pytest.approx(monthly.set_index(["date", "city"])["smuggling_trips"]
                                                .loc[attempts.index].to_numpy())
    fig = citymap.city_figure(history, history.parameters(), monthly, sectors, districts, "Hyesan",
                              "smuggling_trips", 18)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert citymap.DISTRICTS_LABEL in texts and "district 8" in texts and "Yalu" in texts


def test_failing_job_reports_the_error(history, tmp_path, monkeypatch) -> None:
    import nkborder
    from nkborder.app import jobs

    def boom(*args, **kwargs):  # the in-process runs follow nkborder.live: it fails at its first year
        raise RuntimeError("the model broke")
        yield

    monkeypatch.setattr(nkborder, "live", boom)
    job = jobs.Job("ensemble", tmp_path / "r.duckdb", [history], RunOptions(scale=0.005, reps=1),
                   backend="local").start()
    assert job.wait(60)
    snap = job.snapshot()
    assert snap.state == "failed" and "every run failed" in snap.error
    assert "the model broke" in snap.note


def test_stored_tables_of_a_missing_file(tmp_path) -> None:
    from nkborder.app import storage

    assert storage.stored_runs(tmp_path / "none.duckdb").empty
    assert storage.stored_experiments(tmp_path / "none.duckdb").empty
    assert storage.monthly_mean(tmp_path / "none.duckdb", []).empty
    with pytest.raises(InputError, match="format"):
        storage.to_bytes(pd.DataFrame(), "xlsx")


# ---------------------------------------------------------------------------------------------------- figures
def test_timeline_and_map_helpers(history) -> None:
    from nkborder.app import charts, citymap

    fig = charts.timeline_figure(history, highlight="fences")
    assert len(fig.axes[0].get_yticklabels()) == len(history.events)
    params = history.parameters()
    assert citymap.n_sectors(params, "Hoeryong") == 20 and citymap.n_sectors(params, "Hyesan") == 13
    levers = citymap.levers_on(history, dt.date(2022, 1, 1))
    assert 0.0 < levers["Hyesan"]["fence"] < 1.0 and levers["Hyesan"]["closure"] == 1.0
    assert citymap.levers_on(history, dt.date(2010, 1, 1))["Hoeryong"]["fence"] == 0.0
    assert levers["Hyesan"]["troops"] == pytest.approx(1.07) and levers["Hoeryong"]["troops"] == 1.0
    sectors = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-02-01"]), "city": "Hyesan",
                            "sector": [0, 12, 3], "crossings_attempted": [7.0, 1.0, 2.0],
                            "crossings_attempted_full": [700.0, 100.0, 200.0]})
    months, values = citymap.sector_values(sectors, "Hyesan", "crossings_attempted", 13)
    assert len(months) == 2 and values.shape == (2, 13)
    assert values[0, 0] == 700.0 and values[0, 12] == 100.0 and values[0, 1:12].sum() == 0.0
    assert values[1, 3] == 200.0 and values[1].sum() == 200.0
    districts = pd.DataFrame({"year": [2019, 2019, 2020], "city": "Hyesan", "district": [0, 1, 0],
                              "discontent_mean": [0.2, 0.4, 0.9]})
    assert citymap.district_values(districts, "Hyesan", 2019) == pytest.approx([0.2, 0.4])
    assert citymap.district_values(districts, "Hyesan", 2030)[0] == pytest.approx(0.9)  # the latest year
    monthly = pd.DataFrame({"date": pd.to_datetime(["2020-01-01"]), "city": "Hyesan", "crossings_attempted": [1.0]})
    empty = citymap.city_figure(history, params, monthly.iloc[:0], sectors.iloc[:0], districts, "Hyesan",
                                "crossings_attempted", 0)
    assert "run the scenario first" in " ".join(t.get_text() for t in empty.axes[0].texts)
    old = citymap.city_figure(history, params, monthly, sectors.iloc[:0], districts, "Hyesan",
                              "crossings_attempted", 0)
    assert "no per-sector records" in " ".join(t.get_text() for t in old.axes[0].texts)


def test_map_metric_picker_lists_titles_with_units_not_column_ids() -> None:
    from nkborder.app import citymap
    from nkborder.figures import labels

    choices = [citymap.metric_choice(m) for m in citymap.METRICS]
    assert len(set(choices)) == len(choices)
    assert citymap.metric_choice("crossings_attempted") == "Crossing attempts (persons per sector and month)"
    assert citymap.metric_choice("guard_bribes_cny") == "Guards' bribe income (CNY per sector and month)"
    for metric, choice in zip(citymap.METRICS, choices, strict=True):
        assert "_" not in choice and metric not in choice
        assert choice.startswith(labels.name(metric)) and f"({citymap.METRIC_UNITS[metric]} per sector" in choice


def test_city_map_is_one_specification_drawn_static_and_interactive(history) -> None:
    from matplotlib.colors import to_hex

    from nkborder.app import citymap

    params = history.parameters()
    dates = pd.to_datetime(["2020-01-31", "2020-02-29"])
    sectors = pd.DataFrame({"date": np.repeat(dates, 13), "city": "Hyesan", "sector": np.tile(np.arange(13), 2),
                            "crossings_attempted_full": np.r_[np.arange(13.0) * 10, np.zeros(13)]})
    monthly = pd.DataFrame({"date": dates, "city": "Hyesan", "market_turnover_kpw_full": [1.0, 2.0]})
    districts = pd.DataFrame({"year": 2020, "city": "Hyesan", "district": [0, 1], "discontent_mean": [0.2, 0.6]})
    args = (history, params, monthly, sectors, districts, "Hyesan", "crossings_attempted", 0)
    spec = citymap.city_spec(*args)
    assert spec.title.startswith("Hyesan on the Yalu") and "January 2020" in spec.title
    assert "780 persons in 13 river sectors" in spec.title  # 0 + 10 + ... + 120
    (stretch,) = spec.stretches
    assert stretch.scale.label == "crossing attempts per sector and month (persons, full population)"
    assert list(stretch.values) == [10.0 * s for s in range(13)] and stretch.scale.hi == 120.0
    assert [b.name for b in spec.boxes.boxes] == ["district 1", "district 2"]
    assert spec.boxes.boxes[1].value == pytest.approx(0.6)
    # static: the title, and the busiest sector in the top colour of the scale
    static = citymap.city_figure(*args, width=900)
    assert " ".join(t.get_text() for t in static.texts).startswith("Hyesan on the Yalu")
    colours = {to_hex(line.get_color()) for ax in static.axes for line in ax.lines}
    assert stretch.scale.color(120.0) in colours and stretch.scale.color(0.0) in colours
    assert round(static.get_figwidth() * static.dpi) == 900
    # interactive: the same title, one line per sector with its value on hover, the same colours, same width
    fig = citymap.city_plotly(*args, width=900)
    assert fig.layout.title.text.replace("<br>", " ").startswith("Hyesan on the Yalu") and fig.layout.width == 900
    hovers = [t for t in fig.data if t.hovertemplate and "sector" in t.hovertemplate]
    assert len(hovers) == 13 and hovers[12].hovertemplate.startswith("Hyesan sector 13: 120")
    assert hovers[12].line.color == stretch.scale.color(120.0)
    assert fig.layout.yaxis.scaleanchor == "x"  # km on both axes at one scale
    # the second month: nothing crossed, every sector at the bottom of the scale, which stays the run's
    later = citymap.city_spec(*args[:-1], 1)
    assert later.stretches[0].scale.hi == 120.0 and {later.stretches[0].scale.color(v)
                                                      for v in later.stretches[0].values} == {"#ffffcc"}


def test_observed_arrivals_are_annual_national_counts() -> None:
    from nkborder.app import charts

    obs = charts.observed_arrivals()
    assert obs["year"].min() >= 1999 and obs["total"].gt(0).all()


# ------------------------------------------------------------------------------------------- server, command
def test_front_end_packages_follow_the_installed_solara() -> None:
    from nkborder.app import assets

    needed = dict(assets.needed())
    assert "requirejs" in needed and any(n.startswith("@widgetti/solara-vuetify") for n in needed)
    assert all(v.count(".") >= 2 for v in needed.values())


def test_port_in_use_is_a_clear_error() -> None:
    from nkborder.app.server import check_port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(InputError, match="cannot listen"):
            check_port("127.0.0.1", port)
    with pytest.raises(InputError, match="not a port"):
        check_port("127.0.0.1", 70000)


def test_app_command_is_registered() -> None:
    from typer.testing import CliRunner

    from nkborder.cli import app

    out = CliRunner().invoke(app, ["app", "--help"])
    assert out.exit_code == 0, out.output
    assert "--port" in out.output and "--db" in out.output and "127.0.0.1" in out.output


def test_app_command_refuses_a_bad_backend(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "nkborder", "app", "--backend", "cloud", "--db",
                           str(tmp_path / "x.duckdb")], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and "unknown backend" in done.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_the_cluster_plugin_reports_the_simulated_date_of_a_workers_run(tmp_path, monkeypatch) -> None:
    import types

    import distributed

    from nkborder.app.cluster import DateReporter, read_dates
    from nkborder.experiments import tasks

    assert tasks.worker_progress() is None  # not on a worker
    worker = types.SimpleNamespace(plugins={tasks.PROGRESS_PLUGIN: DateReporter(str(tmp_path))},
                                   get_current_task=lambda: "simulate-1")
    monkeypatch.setattr(distributed, "get_worker", lambda: worker)
    sc = load_scenario("hoeryong-2007").with_dates(None, dt.date(1995, 2, 28))
    out = tasks.simulate({"scenario": sc, "seed": 0, "scale": 0.002, "overrides": None})
    assert len(out["yearly"]) == 1
    assert (tmp_path / "simulate-1.txt").read_text() == "1995-02-28 59 59"
    assert read_dates(str(tmp_path)) == []  # a finished run is no longer listed


# ------------------------------------------------------------------ stored runs: own session, deletion
@pytest.fixture
def page(tmp_path, monkeypatch):
    """The page's session state on a results file with experiment ``mine`` (made in this session) and ``theirs``
    (made in another), one run each; yields the store's path and the two run ids."""
    from nkborder.app import session
    from nkborder.experiments import registry
    from nkborder.store import ResultsStore

    db = tmp_path / "r.duckdb"
    monkeypatch.setenv(session.DB_ENV, str(db))
    monkeypatch.setenv(session.PRIVATE_ENV, "1")
    ids = {}
    with ResultsStore(db) as s:
        for name in ("mine", "theirs"):
            ids[name] = s.record_run(
                tables={"yearly": pd.DataFrame({"year": [1995], "city": ["Hyesan"], "population": [1.0]})},
                scenario_name="history", scenario_text="", params={}, seed=1, scale=0.01,
                start=dt.date(1995, 1, 1), end=dt.date(1995, 12, 31), code_version="0", experiment=name,
                run_key=f"key-{name}")
            registry.register(s, name, {"kind": "ensemble", "scenarios": []},
                              pd.DataFrame({"idx": [0], "run_key": [f"key-{name}"], "seed": [1], "labels": [{}]}))
    defaults = {session.made: ("mine",), session.shared: False, session.pending_delete: None,
                session.messages: [], session.ensemble_result: None}
    for reactive, value in defaults.items():
        reactive.value = value
    yield db, ids
    for reactive, value in defaults.items():
        reactive.value = value
    session.made.value = ()


def _last(kind: str) -> str:
    from nkborder.app import session

    return next(m["text"] for m in reversed(session.messages.value) if m["kind"] == kind)


def test_beyond_loopback_a_session_sees_only_its_own_runs_until_it_opens_the_shared_file(page, monkeypatch) -> None:
    from nkborder.app import session, storage

    db, ids = page
    runs, experiments = storage.stored_runs(db), storage.stored_experiments(db)
    own_runs, own_experiments = session.visible(runs, experiments)
    assert list(own_runs["run_id"]) == [ids["mine"]] and list(own_experiments["name"]) == ["mine"]
    session.open_stored("theirs")
    assert session.ensemble_result.value is None and "not made in this page" in _last("error")

    session.set_shared(True)
    all_runs, all_experiments = session.visible(runs, experiments)
    assert set(all_runs["run_id"]) == set(ids.values()) and set(all_experiments["name"]) == {"mine", "theirs"}
    assert "shared results file" in _last("warning")

    session.set_shared(False)
    monkeypatch.setenv(session.PRIVATE_ENV, "0")  # on loopback every session sees the whole file
    assert len(session.visible(runs, experiments)[0]) == 2


def test_starting_a_job_makes_its_experiment_this_sessions_own(page, history, monkeypatch) -> None:
    from nkborder.app import session

    monkeypatch.setattr(session, "watch", lambda job: None)  # the job itself is tested above
    session.options.value = RunOptions(scale=0.005, reps=1)
    try:
        session.start("ensemble", [history])
    finally:
        session.options.value = RunOptions()
        session.snapshot.value = None
        session.tab.value = 0
    assert len(session.made.value) == 2 and session.made.value[-1].startswith("app-ensemble-history")


def test_deleting_asks_for_a_confirmation_first(page) -> None:
    from nkborder.app import session, storage

    db, ids = page
    session.ask_delete("run", ids["mine"])
    assert session.pending_delete.value == ("run", ids["mine"])
    assert len(storage.stored_runs(db)) == 2  # nothing deleted before the confirmation
    session.cancel_delete()
    session.confirm_delete()  # nothing pending: nothing happens
    assert session.pending_delete.value is None and len(storage.stored_runs(db)) == 2

    session.ask_delete("experiment", "mine")
    session.confirm_delete()
    assert list(storage.stored_runs(db)["run_id"]) == [ids["theirs"]]
    assert list(storage.stored_experiments(db)["name"]) == ["theirs"]
    assert session.made.value == () and "Deleted experiment mine: 1 run(s)" in _last("success")


def test_a_session_cannot_delete_what_it_does_not_see(page) -> None:
    from nkborder.app import session, storage

    db, ids = page
    session.ask_delete("run", ids["theirs"])
    session.ask_delete("experiment", "theirs")
    assert session.pending_delete.value is None and "not made in this page" in _last("error")
    session.set_shared(True)
    session.ask_delete("run", ids["theirs"])
    session.confirm_delete()
    assert list(storage.stored_runs(db)["run_id"]) == [ids["mine"]]


def test_deleting_a_running_run_is_refused_in_the_page(page) -> None:
    from nkborder.app import session, storage
    from nkborder.store import ResultsStore

    db, _ = page
    with ResultsStore(db) as s:
        running = s.begin_run(scenario_name="history", scenario_text="", params={}, seed=2, scale=0.01,
                              start=dt.date(1995, 1, 1), end=dt.date(1995, 12, 31), code_version="0",
                              experiment="mine")
    session.ask_delete("run", running)
    session.confirm_delete()
    assert "is running and cannot be deleted" in _last("error") and db.name in _last("error")
    assert running in set(storage.stored_runs(db)["run_id"])
    with pytest.raises(InputError, match="cannot delete a 'table'"):
        storage.delete(db, "table", running)


def test_stored_runs_panel_deletes_after_confirmation_and_opens_the_shared_file(page) -> None:
    import ipyvuetify as v
    import solara

    from nkborder.app import panels, session

    _, ids = page

    def buttons() -> dict[str, v.Btn]:
        return {str(b.children[-1]): b for b in rc.find(v.Btn).widgets}

    def card_titles() -> list[str]:
        return [str(c.children[0].children[0]) for c in rc.find(v.Card).widgets if c.children]

    _, rc = solara.render(panels.StoredPanel(), handle_error=False)
    assert "Experiments (1)" in card_titles() and "Runs (1)" in card_titles()
    assert "Delete experiment" not in buttons()
    next(b for b in rc.find(v.Btn).widgets if b.children[-1] == "Delete...").click()  # the experiment's
    assert "Delete experiment" in buttons() and "Cancel" in buttons()
    buttons()["Delete experiment"].click()
    assert "Deleted experiment mine" in _last("success")
    assert "Experiments (0)" in card_titles() and "Runs (0)" in card_titles()
    rc.find(v.Switch).widget.v_model = True  # open the shared results file
    assert session.shared.value and "Runs (1)" in card_titles()
    assert ids["theirs"] in str([w.v_model for w in rc.find(v.Select).widgets])
    rc.close()
