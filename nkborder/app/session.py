"""The page's reactive state (one copy per browser tab) and the actions that change it.

Every action catches bad input and failures and turns them into a message in the page: the app keeps
working and nothing stored is touched.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

import solara

from nkborder.app import jobs, state, storage
from nkborder.app.state import EventForm, RunOptions
from nkborder.scenarios import Scenario

DB_ENV = "NKBORDER_APP_DB"
BACKEND_ENV = "NKBORDER_APP_BACKEND"
PRIVATE_ENV = "NKBORDER_APP_PRIVATE"  # "1": the server listens beyond loopback (``nkborder app --host``)
TABS = ("Scenario", "Results", "What-if", "Sweeps", "City map", "Stored runs")


def db() -> str:
    """The results file of this server (``nkborder app --db``)."""
    return os.environ.get(DB_ENV, "nkborder.duckdb")


def private() -> bool:
    """Whether each session sees only what it made (the server listens beyond loopback, ``--host``)."""
    return os.environ.get(PRIVATE_ENV) == "1"


def backend() -> str:
    """``auto`` (experiment layer on Dask, else in-process), ``dask`` or ``local``."""
    return os.environ.get(BACKEND_ENV, "auto")


_HISTORY = state.load_shipped("history")

scenario: solara.Reactive[Scenario] = solara.reactive(_HISTORY)  # what the page edits and runs
base: solara.Reactive[Scenario] = solara.reactive(_HISTORY)  # as loaded, before edits
options: solara.Reactive[RunOptions] = solara.reactive(RunOptions())
form: solara.Reactive[EventForm] = solara.reactive(EventForm())
editing: solara.Reactive[str | None] = solara.reactive(None)  # id of the event loaded into the form
messages: solara.Reactive[list[dict[str, Any]]] = solara.reactive([])
tab: solara.Reactive[int] = solara.reactive(0)
snapshot: solara.Reactive[jobs.Snapshot | None] = solara.reactive(None)
job: solara.Reactive[jobs.Job | None] = solara.reactive(None)  # the job this page started last
start_paused: solara.Reactive[bool] = solara.reactive(False)  # the next run waits at its first month
ensemble_result: solara.Reactive[Any] = solara.reactive(None)
compare_result: solara.Reactive[Any] = solara.reactive(None)
scenarios_run: solara.Reactive[dict[str, Scenario]] = solara.reactive({})  # by name, for the map
stored_version: solara.Reactive[int] = solara.reactive(0)  # bump to re-read the results file
uploads: solara.Reactive[dict[str, str]] = solara.reactive({})  # file name -> text of the valid uploads
made: solara.Reactive[tuple[str, ...]] = solara.reactive(())  # experiments this session started, oldest first
shared: solara.Reactive[bool] = solara.reactive(False)  # the user chose to see every run of the results file
pending_delete: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)  # ("run" or "experiment", key)

_ids = itertools.count(1)


# ------------------------------------------------------------------------------------------------ messages
def notify(kind: str, text: str) -> None:
    """Show a message: kind ``error``, ``warning``, ``info`` or ``success`` (the page shows every error and the
    latest other message; at most 5 errors are kept)."""
    new = {"id": next(_ids), "kind": kind, "text": text}
    errors = [m for m in messages.value if m["kind"] == "error"]
    messages.value = [*(errors[-4:] if kind == "error" else errors[-5:]), new]


def dismiss(message_id: int) -> None:
    """Remove one message."""
    messages.value = [m for m in messages.value if m["id"] != message_id]


def guarded(action: Callable[[], Any], success: str | None = None) -> bool:
    """Run ``action``; on bad input or failure show the message and return False."""
    try:
        action()
    except Exception as exc:
        notify("error", state.error_text(exc))
        return False
    if success:
        notify("success", success)
    return True


# ----------------------------------------------------------------------------------------------- scenarios
def _use(sc: Scenario, label: str) -> None:
    scenario.value = sc
    base.value = sc
    editing.value = None
    form.value = EventForm(start=sc.start.isoformat())
    notify("info", f"Loaded scenario {sc.name!r} ({label}): {len(sc.events)} events, "
                   f"{', '.join(sc.cities)}, {sc.start} to {sc.end}.")


def load_shipped(name: str) -> None:
    """Load a shipped scenario."""
    guarded(lambda: _use(state.load_shipped(name), "shipped"))


def load_upload(filename: str, size: int | None, file_obj: BinaryIO) -> None:
    """Load an uploaded scenario file (validated like ``nkborder check``; its ``base`` may name a shipped scenario
    or a file uploaded before in this page)."""

    def load() -> None:
        data = state.read_upload(filename, size, file_obj)
        sc = state.load_upload(filename, data, uploads.value)
        uploads.value = {**uploads.value, Path(filename).name: data.decode("utf-8-sig")}
        _use(sc, f"uploaded file {filename}")

    guarded(load)


def set_form(**changes: Any) -> None:
    """Change fields of the event form."""
    form.value = replace(form.value, **changes)


def set_form_kind(kind: str) -> None:
    """Change the kind in the event form (clears the intensity: each kind has its own range)."""
    form.value = form.value.with_kind(kind)


def edit_event(event_id: str) -> None:
    """Load an event into the form."""
    for e in scenario.value.events:
        if e.id == event_id:
            form.value = EventForm.of(e)
            editing.value = event_id
            return


def clear_form() -> None:
    """Empty the event form (stop editing)."""
    editing.value = None
    form.value = EventForm(start=scenario.value.start.isoformat())


def add_event() -> None:
    """Add the form's event to the scenario."""
    def act() -> None:
        scenario.value = state.add_event(scenario.value, form.value)
    if guarded(act, f"Added event {form.value.id.strip()!r}."):
        clear_form()


def save_event() -> None:
    """Replace the event being edited by the form's event."""
    old = editing.value
    if old is None:
        add_event()
        return

    def act() -> None:
        scenario.value = state.update_event(scenario.value, old, form.value)
    if guarded(act, f"Changed event {old!r}."):
        clear_form()


def remove_event(event_id: str) -> None:
    """Remove an event from the scenario."""
    def act() -> None:
        scenario.value = state.remove_event(scenario.value, event_id)
    if guarded(act, f"Removed event {event_id!r}.") and editing.value == event_id:
        clear_form()


def set_param(name: str, value: float) -> None:
    """Set a parameter of the scenario."""
    def act() -> None:
        scenario.value = state.set_param(scenario.value, name, value)
    guarded(act)


def use_calibrated() -> None:
    """Set the shipped calibrated parameters (posterior medians, docs/calibration.md) in the scenario."""
    def act() -> None:
        scenario.value = state.use_calibrated(scenario.value)
    guarded(act, "Set the shipped calibrated parameters (posterior medians).")


def reset_param(name: str) -> None:
    """Put a parameter back to its value in the loaded scenario."""
    def act() -> None:
        scenario.value = state.reset_param(scenario.value, name, base.value)
    guarded(act)


def revert_scenario() -> None:
    """Drop every edit."""
    scenario.value = base.value
    clear_form()


def set_options(**changes: Any) -> None:
    """Change the run options."""
    options.value = replace(options.value, **changes)


# -------------------------------------------------------------------------------------------------- runs
def running() -> bool:
    """Whether a job of this page is running."""
    snap = snapshot.value
    return snap is not None and snap.state in ("starting", "running")


@solara.lab.task
def watch(job: jobs.Job) -> None:
    """Start ``job`` and mirror its progress and (partial) results into the page until it ends."""
    job.start()
    seen = -1
    while True:
        ended = job.wait(0.4)
        snap = job.snapshot()
        snapshot.value = snap
        if snap.result is not None and snap.version != seen:
            seen = snap.version
            if job.kind == "ensemble":
                ensemble_result.value = snap.result
            else:
                compare_result.value = snap.result
        if ended:
            break
    stored_version.value += 1
    if snap.state == "failed":
        notify("error", f"The run failed: {snap.error}")
        return
    if snap.note:
        notify("warning", snap.note)
    if snap.state == "stopped":
        notify("info", f"Stopped experiment {job.name}: {snap.result.n_runs} finished run(s) stay in {db()}; "
                       "the runs in progress were not stored (run it again to resume).")
        return
    notify("success", f"{snap.result.n_runs} runs of experiment {job.name} are in {db()} "
                      f"({snap.result.computed} computed now, {snap.result.reused} reused).")


def pause() -> None:
    """Pause the running job (its runs wait at their next simulated month), or start the next run paused."""
    if running() and job.value is not None:
        job.value.pause()
        snapshot.value = job.value.snapshot()
    else:
        start_paused.value = True


def step() -> None:
    """Let the paused job simulate to the end of the next year, then wait again."""
    if running() and job.value is not None:
        job.value.step()


def resume() -> None:
    """Let the paused job run to its end (and start the next run unpaused)."""
    start_paused.value = False
    if running() and job.value is not None:
        job.value.resume()
        snapshot.value = job.value.snapshot()


def stop() -> None:
    """Stop the running job: its runs in progress are cancelled and not stored; finished runs stay stored."""
    if running() and job.value is not None:
        job.value.stop()  # held runs stay held until they are cancelled: none finishes after the click
        notify("info", "Stopping: the runs in progress are cancelled; the finished runs stay stored.")


def start(kind: str, sides: list[Scenario], period: str = "", name: str = "") -> None:
    """Check the options and start an ensemble or a comparison, named ``name`` (blank: a name read from the
    scenarios and options, :mod:`nkborder.app.naming`)."""
    if running():
        notify("warning", "A run is in progress: wait for it to finish, or stop it.")
        return
    try:
        new = jobs.Job(kind, db(), sides, options.value, period=period, backend=backend(), name=name)
    except Exception as exc:
        notify("error", state.error_text(exc))
        return
    for warning in state.start_warnings(options.value, sides):
        notify("warning", warning)
    scenarios_run.value = {**scenarios_run.value, **{sc.name: sc for sc in sides}}
    if new.name not in made.value:
        made.value = (*made.value, new.name)
    if start_paused.value:
        new.pause()
    job.value = new
    snapshot.value = jobs.Snapshot(kind, total=options.value.reps * len(sides), paused=start_paused.value)
    tab.value = TABS.index("Results" if kind == "ensemble" else "What-if")
    watch(new)


def open_stored(name: str) -> None:
    """Show a stored experiment in the Results (ensemble) or What-if (compare) tab."""
    if not sees(name):
        notify("error", f"Experiment {name} was not made in this page: open the shared results file first.")
        return
    try:
        result = storage.open_experiment(db(), name)
    except Exception as exc:
        notify("error", state.error_text(exc))
        return
    if result.kind == "ensemble":
        ensemble_result.value = result
        tab.value = TABS.index("Results")
    elif result.kind == "compare":
        compare_result.value = result
        tab.value = TABS.index("What-if")
    else:
        notify("info", f"{name} is a {result.kind}: the page draws ensembles and comparisons; download its "
                       "tables below or draw it with `nkborder plot`.")
        return
    notify("info", f"Opened experiment {name} ({result.n_runs} runs).")


def scenario_of(result: Any, side: int = 0) -> Scenario | None:
    """The scenario a result ran (from this session, else rebuilt from the text stored with its runs)."""
    info = result.definition["scenarios"][side]
    known = scenarios_run.value.get(info["name"])
    if known is not None:
        return known
    runs = result.runs
    if "side" in runs:
        runs = runs.loc[runs["side"] == "AB"[side]]
    if runs.empty:
        return None
    run_id = str(runs["run_id"].iloc[0])
    try:
        with storage.store(db()) as s:
            rec = s.run(run_id)
        sc = state.load_text(rec.scenario_text, f"stored run {run_id}", info["name"])
        return sc.model_copy(update={"name": info["name"]}).with_dates(rec.start_date, rec.end_date)
    except Exception:
        return None


# ------------------------------------------------------------------------------------------ stored runs
def sees_everything() -> bool:
    """Whether this session sees every run of the results file: always on loopback, and beyond loopback only
    once the user opened the shared store."""
    return not private() or shared.value


def sees(experiment: str | None) -> bool:
    """Whether this session may see (open, download, delete) what experiment ``experiment`` stored."""
    return sees_everything() or experiment in made.value


def visible(runs: Any, experiments: Any) -> tuple[Any, Any]:
    """The stored runs and experiments this session sees (all, or only those of its own experiments)."""
    if sees_everything():
        return runs, experiments
    return storage.made_by(runs, experiments, made.value)


def set_shared(on: bool) -> None:
    """Show every run of the results file (``True``), or only this session's (``False``)."""
    shared.value = bool(on)
    pending_delete.value = None
    if on and private():
        notify("warning", "Showing the shared results file: every run stored by anyone using this server.")


def ask_delete(what: str, key: str) -> None:
    """Ask to delete a stored ``run`` (id) or ``experiment`` (name); nothing is deleted until
    :func:`confirm_delete`. Refused for what this session does not see."""
    if not sees(key if what == "experiment" else _experiment_of(key)):
        notify("error", f"The {what} {key} was not made in this page: open the shared results file first.")
        return
    pending_delete.value = (what, key)


def _experiment_of(run_id: str) -> str | None:
    """The experiment that stored run ``run_id`` (None for a run of no experiment, or one not stored)."""
    try:
        with storage.store(db()) as s:
            return s.run(run_id).experiment
    except Exception:
        return None


def cancel_delete() -> None:
    """Drop the pending deletion."""
    pending_delete.value = None


def confirm_delete() -> None:
    """Delete what :func:`ask_delete` named, report the rows deleted, and forget results of it the page shows."""
    pending = pending_delete.value
    pending_delete.value = None
    if pending is None:
        return
    what, key = pending
    try:
        deleted = storage.delete(db(), what, key)
    except Exception as exc:
        notify("error", state.error_text(exc))
        return
    if what == "experiment":
        made.value = tuple(n for n in made.value if n != key)
        for result in (ensemble_result, compare_result):
            if getattr(result.value, "name", None) == key:
                result.value = None
    stored_version.value += 1
    notify("success", f"Deleted {what} {key}: {deleted.get('runs', 0)} run(s), "
                      f"{sum(deleted.values()):,} rows in all.")
