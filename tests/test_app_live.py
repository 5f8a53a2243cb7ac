"""The app's jobs while they run: charts from the runs' tables so far, pause, a step of one simulated year, and
stop (the runs in progress are not stored, the stored ones stay). Every wait is on the job's own progress."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from nkborder.app import jobs, storage
from nkborder.app.state import RunOptions
from nkborder.scenarios import load_scenario


def _until(job: jobs.Job, ok: Callable[[jobs.Snapshot], bool], what: str, timeout: float = 300.0) -> jobs.Snapshot:
    """The job's first snapshot that satisfies ``ok`` (polled; fails after ``timeout`` s or if the job ends)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        snap = job.snapshot()
        if ok(snap):
            return snap
        assert snap.state in ("starting", "running"), f"the job ended ({snap.state}: {snap.error}) before {what}"
        time.sleep(0.05)
    raise AssertionError(f"no {what} within {timeout:.0f} s")


def _map_notes(result, db, monkeypatch) -> list[str]:
    """What the City map says about the runs of ``result`` still running (drawn as the tab draws it)."""
    import ipyvuetify as v
    import solara

    from nkborder.app import panels, session

    monkeypatch.setenv(session.DB_ENV, str(db))
    _, rc = solara.render(panels.MapView({"run": (result, 0)}), handle_error=False)
    shown = [*rc.find(v.Alert).widgets, *rc.find(v.Html).widgets]
    return [" ".join(map(str, w.children)) for w in shown if "nk-map-running" in (w.class_ or "")]


def test_paused_job_steps_a_year_at_a_time_and_stop_keeps_the_stored_runs(tmp_path, monkeypatch) -> None:
    db = tmp_path / "live.duckdb"
    opts = RunOptions(scale=0.005, reps=3, seed=4, start_year=2016, end_year=2017)
    job = jobs.Job("ensemble", db, [load_scenario("history")], opts, backend="local")
    job.pause()
    job.start()
    snap = _until(job, lambda s: bool(s.dates), "first simulated month")
    assert snap.dates[0][0] == "2016-01-31" and snap.paused and snap.result is None and "paused" in snap.text

    job.step()  # to the end of 2016: the chart has the first year while no run is stored
    snap = _until(job, lambda s: s.through == "2016-12-31", "the year 2016 drawn")
    first = snap.result
    assert snap.done == 0 and snap.live == 1 and storage.stored_runs(db).empty
    assert set(first.runs["year"]) == {2016} and first.definition["in_progress"]["through"] == "2016-12-31"
    band = first.summary.loc[first.summary["indicator"] == "population_full"]
    assert len(band) == 2 and (band["median"] > 0).all()  # both cities, from the run in progress
    assert _map_notes(first, db, monkeypatch) == [
        "1 run(s) still running, none stored yet: the map draws a run once it is stored."]

    job.step()  # to the end of the run: it is stored; the next run started after the step and waits
    snap = _until(job, lambda s: s.done == 1 and bool(s.dates), "one run stored and the next one waiting")
    assert snap.dates[0][0] == "2016-01-31" and snap.result.n_runs == 1 and snap.version > 0
    assert len(storage.stored_runs(db)) == 1
    job.step()  # the waiting run simulates its first year only, not on to its end
    assert job.held_until == dt.date(2016, 12, 31)
    snap = _until(job, lambda s: s.dates and s.dates[0][0] == "2016-12-31", "the second run at the end of 2016")
    assert snap.done == 1 and snap.through == "2016-12-31"
    assert snap.live == 1 and _map_notes(snap.result, db, monkeypatch) == [
        "The map shows the 1 stored run(s); 1 still running are drawn once stored."]

    job.stop()
    assert job.wait(120)
    snap = job.snapshot()
    assert snap.state == "stopped" and snap.done == 1 and "stopped: 1 of 3 runs stored" in snap.text
    runs = storage.stored_runs(db)
    assert len(runs) == 1 and set(runs["status"]) == {"finished"}
    assert set(snap.result.runs["year"]) == {2016, 2017} and snap.result.n_runs == 1


def _held_job(db, years: tuple[int, int]) -> jobs.Job:
    """A one-run job started paused, held at its first simulated month."""
    opts = RunOptions(scale=0.005, reps=1, seed=2, start_year=years[0], end_year=years[1])
    job = jobs.Job("ensemble", db, [load_scenario("history")], opts, backend="local")
    job.pause()
    job.start()
    _until(job, lambda s: bool(s.dates), "first simulated month")
    return job


def test_resumed_job_runs_to_its_end(tmp_path) -> None:
    job = _held_job(tmp_path / "r.duckdb", (2019, 2019))
    job.resume()
    assert job.wait(300)
    snap = job.snapshot()
    assert snap.state == "finished" and not snap.paused and snap.result.n_runs == 1


def test_stop_before_any_run_is_stored_fails_clearly(tmp_path) -> None:
    job = _held_job(tmp_path / "r.duckdb", (2016, 2017))
    job.stop()
    assert job.wait(120)
    snap = job.snapshot()
    assert snap.state == "failed" and "stopped before any run was stored" in snap.error
    assert storage.stored_runs(tmp_path / "r.duckdb").empty


def test_in_process_comparison_shows_the_difference_while_both_sides_run_and_can_be_rerun(tmp_path) -> None:
    from nkborder.app import provenance

    db = tmp_path / "cmp.duckdb"
    opts = RunOptions(scale=0.005, reps=2, seed=3, start_year=2016, end_year=2017)
    sides = [load_scenario("history"), load_scenario("no-closure")]
    job = jobs.Job("compare", db, sides, opts, backend="local")
    job.pause()
    job.start()
    _until(job, lambda s: bool(s.dates), "first simulated month")
    job.step()  # both sides of the first seed simulate 2016, in step: B - A of 2016 is drawn, nothing is stored
    snap = _until(job, lambda s: s.live == 2, "2016 of both sides drawn")
    assert [d for d, _ in snap.dates] == ["2016-12-31", "2016-12-31"]  # both sides at the day they wait at
    live = snap.result
    assert snap.done == 0 and storage.stored_runs(db).empty and snap.through == "2016-12-31"
    assert set(live.runs["side"]) == {"A", "B"} and set(live.runs["year"]) == {2016}
    diff = live.summary.loc[live.summary["indicator"] == "population_full"]
    assert set(diff["year"]) == {2016} and set(diff["n"]) == {1}  # one pair of runs, in progress
    job.resume()
    assert job.wait(600)
    snap = job.snapshot()
    assert snap.state == "finished", snap.error
    # the in-process runs form the experiment the command line would make: its command finds them all stored
    command = provenance.command(snap.result.definition, job.name, str(db))
    assert command.startswith("nkborder compare history no-closure ") and "--reps 2 --scale 0.005 --seed 3" in command
    stored = storage.open_experiment(db, job.name)
    assert stored.n_runs == 4 and stored.failed == 0 and set(stored.runs["year"]) == {2016, 2017}
    assert set(stored.summary.loc[stored.summary["indicator"] == "population_full", "n"]) == {2}  # both pairs
    meta = provenance.metadata(snap.result, sides, str(db), "runs")
    assert meta["command"] == command and meta["seeds"] == sorted(job.seeds)


def test_a_run_before_its_report_year_draws_nothing_yet(tmp_path) -> None:
    opts = RunOptions(scale=0.005, reps=1, seed=1, start_year=2016, end_year=2017, report_year=2017)
    job = jobs.Job("ensemble", tmp_path / "r.duckdb", [load_scenario("history")], opts, backend="local")
    job.pause()
    job.start()
    _until(job, lambda s: bool(s.dates), "first simulated month")
    job.step()  # 2016 is simulated but not reported: no table to draw yet, and the snapshot says so
    snap = _until(job, lambda s: any(d.startswith("2016-12") for d, _ in s.dates), "2016 simulated")
    assert snap.result is None and snap.live == 0 and snap.state == "running"
    job.resume()
    assert job.wait(300)
    snap = job.snapshot()
    assert snap.state == "finished", snap.error
    assert set(snap.result.runs["year"]) == {2017}
