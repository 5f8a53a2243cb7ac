"""Runs started from the page: ensembles and what-if comparisons through the experiment layer, in the background.

A :class:`Job` runs in its own thread. It calls :func:`nkborder.experiments.ensemble` or
:func:`~nkborder.experiments.compare` on the app's Dask cluster (:mod:`nkborder.app.cluster`); every finished
run is stored in the DuckDB results file at once, and after each one the job reads the experiment back from the
file so the page can draw what has arrived. While runs are simulated, their yearly tables so far (sent by the
workers after each simulated year, :mod:`nkborder.app.cluster`) are drawn with the stored runs: the charts grow
year by year. :meth:`Job.snapshot` gives the page runs done, failed and total, the simulated dates of the runs in
progress, and the latest (partial) result.

A job can be paused (its runs wait at their next simulated month), stepped a simulated year at a time, resumed,
and stopped: the runs in progress are cancelled and not stored, the runs stored before stay.

If the experiment layer cannot be used (no Dask cluster, or the layer itself fails), the job falls back to following
each run with :func:`nkborder.live` in its thread (the two sides of a seed in step, a simulated year each in turn)
and storing it with :func:`nkborder.store.store_result` under its run key, as the same experiment the layer would
record (so its command and downloads are those of a Dask run), and says so in its note. Bad input (an
:class:`~nkborder.errors.InputError`) is never retried: it is the message shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.app.cluster import clear, group_of, hold, read_dates, read_partials
from nkborder.app.cluster import stop as stop_runs
from nkborder.app.naming import free_name, readable_name
from nkborder.app.state import RunOptions, check_options, error_text, with_report_year
from nkborder.app.storage import open_experiment, store
from nkborder.errors import InputError
from nkborder.experiments.registry import check_name
from nkborder.experiments.result import ExperimentResult
from nkborder.scenarios import Scenario, shipped_dir

PARTIAL_EVERY = 1.0  # s: at most one partial read-back of the results file per second
IN_PROGRESS = "in-progress-"  # the run id of a run in progress drawn live starts so: it is not stored yet


def in_progress(run_id: str) -> bool:
    """Whether ``run_id`` names a run drawn live while it is simulated (not in the results file yet)."""
    return str(run_id).startswith(IN_PROGRESS)


@dataclass
class Snapshot:
    """The state of a job as the page shows it."""

    kind: str
    state: str = "starting"  # starting, running, finished, stopped, failed
    done: int = 0
    failed: int = 0
    total: int = 0
    dates: list[tuple[str, float]] = field(default_factory=list)
    note: str = ""
    error: str | None = None
    result: Any = None
    version: int = 0  # grows whenever ``result`` changes
    backend: str = ""
    paused: bool = False  # the runs wait at their next simulated month (or at the end of the year stepped to)
    live: int = 0  # runs in progress drawn from their tables so far
    through: str = ""  # the latest simulated day of the runs drawn so far

    @property
    def fraction(self) -> float:
        """Share of the work done, counting the runs in progress by their simulated days."""
        if not self.total:
            return 0.0
        running = sum(share for _, share in self.dates)
        return min(1.0, (self.done + self.failed + running) / self.total)

    @property
    def text(self) -> str:
        """One line: runs stored, failed, and the simulated dates of the runs in progress."""
        if self.state == "finished" and self.result is not None:
            r = self.result
            failed = f", {r.failed} failed" if r.failed else ""
            return f"{r.n_runs} runs stored ({r.computed} computed now, {r.reused} reused{failed})"
        if self.state == "stopped":
            return f"stopped: {self.done} of {self.total} runs stored; the runs in progress were not stored"
        parts = [f"{self.done} of {self.total} runs computed" if self.total else "preparing the runs"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.paused:
            parts.append("paused" + (f" at {self.through}" if self.through else ""))
        if self.dates:
            parts.append("simulating " + ", ".join(d for d, _ in self.dates[:4]))
        return "; ".join(parts)


class Job:
    """One ensemble (``sides`` = [scenario]) or comparison (``sides`` = [baseline, what-if]) in the background.

    Args:
        kind: ``ensemble`` or ``compare``.
        db: the DuckDB results file.
        sides: the scenario(s) to run.
        opts: scale, replicate seeds, base seed, and the years simulated and reported.
        period: compare only: the years summed in the period summary (``"2020:2025"``; blank = all).
        backend: ``auto`` (experiment layer on the app's Dask cluster, else in-process), ``dask`` or ``local``.
    """

    def __init__(self, kind: str, db: str | Path, sides: list[Scenario], opts: RunOptions, period: str = "",
                 backend: str = "auto", name: str = "") -> None:
        if kind not in ("ensemble", "compare") or len(sides) != (1 if kind == "ensemble" else 2):
            raise ValueError(f"bad job: {kind} with {len(sides)} scenarios")
        sides = [with_report_year(sc, opts.report_year) for sc in sides]  # InputError at once, before any thread
        self.kind, self.db, self.sides, self.opts = kind, str(db), sides, opts
        self.period = period.strip()
        self.backend = backend
        self.dates = [check_options(opts, sc) for sc in sides]  # InputError at once, before any thread
        self.name = check_name(name.strip()) if name.strip() else default_name(db, kind, sides, opts, self.dates)
        self.definition, self.specs = plan(kind, sides, opts, self.dates, self.period)  # as the experiment layer
        self.seeds = [replicate_seed(opts.seed, rep) for rep in range(opts.reps)]
        self.groups = [group_of(sc.with_dates(start, end), opts.scale)
                       for sc, (start, end) in zip(sides, self.dates, strict=True)]
        self._snap = Snapshot(kind, total=opts.reps * len(sides))
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._stop = threading.Event()
        self._hold: dt.date | None = None  # runs wait once they have simulated this day (None: run on)
        self._hold_set_at = 0.0  # when the hold was set (time.time): runs started later wait at once
        self._stored: Any = None  # the experiment as last read back from the results file
        self._partials: dict[str, pd.DataFrame] = {}  # in-process runs' tables so far, by run
        self._running_dates: dict[str, tuple[str, float]] = {}  # in-process runs' simulated dates, by run
        self._registered = False  # the in-process runs' experiment is recorded in the results file
        self._drawn: tuple = ()  # what the live result was last built from
        self._thread: threading.Thread | None = None
        self._last_partial = 0.0
        self._started = time.monotonic()
        self._wall_start = time.time()

    # ------------------------------------------------------------------------------------------ control
    def start(self) -> Job:
        """Start the job's thread; returns the job."""
        self._started = time.monotonic()
        self._wall_start = time.time()
        self._thread = threading.Thread(target=self._main, name=f"nkborder-app-{self.name}", daemon=True)
        self._thread.start()
        return self

    def pause(self) -> None:
        """Let the runs in progress wait at their next simulated month."""
        self._set_hold(dt.date.min)

    def step(self) -> None:
        """Let the runs simulate a year at most, then wait again: to the end of the year of the earliest run in
        progress (of the next year if it waits at a year's end). Without runs in progress (before the first
        month, or between a run's end and the next run's first month) to the end of the year after the latest
        day drawn, or of the first simulated year. A run that started after a step waits at its first month, so
        the next step takes it to the end of its first year, whatever day the runs before it had reached."""
        snap = self.snapshot()
        running = [dt.date.fromisoformat(d) for d, _ in snap.dates if d]
        latest = min(running) if running else (dt.date.fromisoformat(snap.through) if snap.through else None)
        if latest is None:
            until = dt.date(self.sides[0].start.year, 12, 31)
        elif (latest.month, latest.day) == (12, 31):
            until = dt.date(latest.year + 1, 12, 31)
        else:
            until = dt.date(latest.year, 12, 31)
        self._set_hold(until)

    @property
    def held_until(self) -> dt.date | None:
        """The day the runs wait at once they have simulated it (``dt.date.min``: paused at the next month; None:
        running on)."""
        return self._hold

    def resume(self) -> None:
        """Let the runs go on to their end."""
        self._set_hold(None)

    def stop(self) -> None:
        """Stop the job: the runs in progress are cancelled and not stored; the stored runs stay."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def _set_hold(self, until: dt.date | None) -> None:
        """Hold the runs at ``until`` (see :func:`nkborder.app.cluster.wait_while_held`), or release them."""
        self._hold_set_at = time.time()
        self._hold = until
        with self._lock:
            self._snap.paused = until is not None
        directory = self._progress_dir()
        if directory is not None:
            hold(directory, self.groups, until)

    def _progress_dir(self) -> str | None:
        """The app cluster's progress folder (None when the job does not run there)."""
        if self._snap.backend != "dask":
            return None
        from nkborder.app.cluster import get_cluster

        cluster = get_cluster(start=False)
        return cluster.progress_dir if cluster is not None else None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends or ``timeout`` passes; True if it has ended."""
        return self._done.wait(timeout)

    def snapshot(self) -> Snapshot:
        """A copy of the job's state, with the simulated dates of the runs in progress and, while runs are
        simulated, a result that includes their yearly tables so far."""
        directory = self._progress_dir()
        with self._lock:  # the in-process runs' tables and dates as of one moment: a date never outruns its table
            partials, dates = dict(self._partials), list(self._snap.dates)
        if self._snap.state == "running" and directory is not None:
            dates = read_dates(directory, since=self._wall_start)
            with self._lock:
                self._snap.dates = dates
            partials = read_partials(directory, self.groups, since=self._wall_start)
        if self._snap.state == "running":
            self._draw_live(partials)
        with self._lock:
            return Snapshot(**{**self._snap.__dict__, "dates": dates})

    def _draw_live(self, partials: dict[str, pd.DataFrame]) -> None:
        """Set the snapshot's result to the stored runs plus the runs in progress (their tables so far)."""
        stored = self._stored
        stored_runs = stored.runs if stored is not None else pd.DataFrame(columns=["seed"])
        done = set(zip(stored_runs.get("side", pd.Series("A", index=stored_runs.index)), stored_runs["seed"],
                       strict=True))
        frames, through = [], ""
        for task, table in sorted(partials.items()):
            if table.empty:  # no year reported yet (a run simulating the years before its 'report from')
                continue
            side = str(table["side"].iloc[0]) if "side" in table else "AB"[self.groups.index(table["group"].iloc[0])]
            seed = int(table["seed"].iloc[0])
            if (side, seed) in done or seed not in self.seeds:
                continue
            rep = self.seeds.index(seed)
            labels = {"rep": rep} if self.kind == "ensemble" else {
                "side": side, "scenario": self.sides["AB".index(side)].name, "rep": rep}
            through = max(through, str(table["through"].iloc[0]))
            shown = table.drop(columns=["group", "through", "side"], errors="ignore")
            frames.append(shown.assign(run_id=f"{IN_PROGRESS}{task}", **labels))
        key = (id(stored), tuple(sorted((t, str(p["through"].iloc[0])) for t, p in partials.items() if len(p))))
        if not frames:  # no run in progress has a year to draw: none is 'through' a day yet
            self._set(running_only=True, through="")
            return
        if key == self._drawn:
            return
        self._drawn = key
        if stored is not None and len(stored_runs):
            frames.insert(0, stored_runs)
        try:
            result = local_result(self.name, self.db, self.definition, frames, 0, backend=self._snap.backend)
        except Exception:  # a partial view is a nicety: keep the last one
            return
        result.definition["in_progress"] = {"runs": len(frames) - (1 if stored is not None and len(stored_runs)
                                                                   else 0), "through": through}
        self._set(running_only=True, result=result, live=result.definition["in_progress"]["runs"], through=through)

    def _set(self, running_only: bool = False, **changes: Any) -> None:
        """Change the snapshot; with ``running_only`` only while the job runs (a view of the runs in progress,
        built from a snapshot taken while it ran, never replaces the result the job ended with)."""
        with self._lock:
            if running_only and self._snap.state != "running":
                return
            if "result" in changes:
                changes["version"] = self._snap.version + 1
            for key, value in changes.items():
                setattr(self._snap, key, value)

    # ---------------------------------------------------------------------------------------------- run
    def _main(self) -> None:
        try:
            result = self._run()
            note = self._snap.note
            if result.failed:
                note = (note + " " if note else "") + failure_note(self.db, result)
            state = "stopped" if self._stop.is_set() else "finished"
            self._set(state=state, result=result, failed=result.failed, note=note, done=result.n_runs, live=0,
                      paused=False)
        except InputError as exc:
            self._set(state="failed", error=error_text(exc))
        except Exception as exc:  # a failing run: shown in the page, which keeps working
            self._set(state="failed", error=error_text(exc))
        finally:
            self._done.set()

    def _run(self) -> Any:
        if self.backend != "local":
            address, why = self._cluster_address()
            if address is not None:
                self._set(state="running", backend="dask")
                try:
                    return self._run_experiment(address)
                except InputError:
                    raise
                except Exception as exc:
                    if self.backend == "dask":
                        raise
                    why = f"the experiment layer failed ({error_text(exc)})"
            elif self.backend == "dask":
                raise RuntimeError(f"no Dask cluster: {why}")
            self._set(note=f"Ran in-process with nkborder.run: {why}.")
        self._set(state="running", backend="in-process", done=0, failed=0)
        return self._run_local()

    def _cluster_address(self) -> tuple[str | None, str]:
        import os

        from nkborder.experiments.cluster import ENV_SCHEDULER

        if os.environ.get(ENV_SCHEDULER):  # a running scheduler given by the user (no simulated dates then)
            return os.environ[ENV_SCHEDULER], ""
        try:
            from nkborder.app.cluster import get_cluster

            cluster = get_cluster()
            assert cluster is not None
            address = cluster.wait()
        except Exception as exc:
            return None, f"the Dask cluster could not start ({error_text(exc)})"
        if address is None:
            return None, f"the Dask cluster could not start ({cluster.error or 'timed out'})"
        return address, ""

    def _run_experiment(self, address: str) -> Any:
        from nkborder import experiments

        o = self.opts
        (start, end), refs = self.dates[0], [scenario_ref(sc) for sc in self.sides]
        common = {"seed": o.seed, "scale": o.scale, "start": start, "end": end, "db": self.db, "name": self.name,
                  "scheduler": address, "progress": self._on_progress, "stop": self._stop}
        directory = self._progress_dir()
        if directory is not None:
            clear(directory, self.groups)
            hold(directory, self.groups, self._hold)
        try:
            if self.kind == "ensemble":
                return experiments.ensemble(refs[0], reps=o.reps, **common)
            return experiments.compare(refs[0], refs[1], reps=o.reps, period=self.period or None, **common)
        finally:
            if directory is not None and self._stop.is_set():
                stop_runs(directory, self.groups)  # the cancelled runs still simulating end now
            elif directory is not None:
                hold(directory, self.groups, None)

    def _on_progress(self, done: int, failed: int, total: int) -> None:
        with self._lock:
            self._snap.done, self._snap.failed = done, failed
            self._snap.total = total or self._snap.total
        now = time.monotonic()
        if now - self._last_partial >= PARTIAL_EVERY or done + failed == total:
            self._last_partial = now
            with contextlib.suppress(Exception):  # a partial view is a nicety; the final read is what counts
                self._stored = open_experiment(self.db, self.name)
                self._set(result=self._stored)

    # ------------------------------------------------------------------------------------- in-process
    def _run_local(self) -> ExperimentResult:
        """The planned runs in this thread, registered as the same experiment the experiment layer would make
        (so the command that reruns it finds them stored). The runs of one seed go in step, a simulated year
        at a time, so a comparison's difference B - A grows while both sides run."""
        self._set(total=len(self.specs))
        self._register()
        frames: list[pd.DataFrame] = []
        failed = 0
        try:
            for rep in range(self.opts.reps):
                if self._stop.is_set():
                    break
                for spec, outcome in self._in_step([s for s in self.specs if s.labels["rep"] == rep]):
                    if isinstance(outcome, Exception):
                        failed += 1
                        self._set(failed=failed, note=self._snap.note + f" A run failed: {error_text(outcome)}.")
                        continue
                    frames.append(self._store(spec, outcome))
                    self._stored = local_result(self.name, self.db, self.definition, frames, failed)
                    self._set(done=len(frames), result=self._stored)
        except _Stopped:
            pass
        finally:
            self._finish_registered(failed)
        if not frames:
            raise RuntimeError("stopped before any run was stored" if self._stop.is_set()
                               else "every run failed; see the note above")
        return local_result(self.name, self.db, self.definition, frames, failed)

    def _in_step(self, specs: list[Any]) -> Any:
        """Simulate ``specs`` together, one simulated year of each in turn; yield (spec, result or exception)
        as each ends. Raises _Stopped when the job is stopped (the runs in progress are dropped)."""
        import nkborder
        from nkborder.experiments.spec import first_reported, simulated

        running = {}
        for spec in specs:  # stored with every simulated year, as the experiment layer stores its runs
            key, started = self._run_label(spec), time.time()
            running[key] = (spec, nkborder.live(simulated(spec.scenario), seed=spec.seed, scale=spec.scale,
                                                overrides=spec.overrides, progress=self._waiter(key, started)))
        try:
            while running:
                for key, (spec, steps) in list(running.items()):
                    try:
                        part = next(steps)
                    except (_Stopped, InputError):
                        raise
                    except Exception as exc:
                        del running[key]
                        self._forget(key)
                        yield spec, exc
                        continue
                    if part.result is None:
                        table = first_reported(part.yearly, spec.scenario).assign(
                            seed=spec.seed, group=self._group(spec), side=spec.labels.get("side", "A"),
                            through=part.date.isoformat())
                        # the run's table and date now, together: its progress callback for this day runs only
                        # when the run is resumed, after the other runs of the step, one of which may wait there
                        with self._lock:
                            self._partials[key] = table
                            self._running_dates[key] = (part.date.isoformat(), part.share)
                            self._snap.dates = list(self._running_dates.values())
                        continue
                    del running[key]
                    self._forget(key)
                    yield spec, part.result
        finally:
            for _, steps in running.values():
                steps.close()
            for key in running:
                self._forget(key)

    def _waiter(self, key: str, started: float) -> Any:
        """The progress callback of one in-process run: report its date, wait while held, end it when stopped."""
        def step(date: dt.date, days: int, n_days: int) -> None:
            with self._lock:
                self._running_dates[key] = (date.isoformat(), days / max(n_days, 1))
                self._snap.dates = list(self._running_dates.values())
            while (self._hold is not None and days < n_days and not self._stop.is_set()
                   and (date >= self._hold or started > self._hold_set_at)):
                time.sleep(0.1)
            if self._stop.is_set():
                raise _Stopped

        return step

    def _run_label(self, spec: Any) -> str:
        return f"{spec.labels.get('side', 'A')}{spec.labels['rep']}"

    def _group(self, spec: Any) -> str:
        return self.groups["AB".index(spec.labels.get("side", "A"))]

    def _forget(self, key: str) -> None:
        """Drop a run that ended from the runs drawn in progress and from the dates shown."""
        with self._lock:
            self._partials.pop(key, None)
            self._running_dates.pop(key, None)
            self._snap.dates = list(self._running_dates.values())

    def _store(self, spec: Any, res: Any) -> pd.DataFrame:
        """Store a finished run under its run key and the job's experiment; its yearly table with the design
        labels, as the experiment's runs table has it."""
        from nkborder.store import store_result

        run_id = store_result(self.db, res, experiment=self.name, run_key=spec.key)
        return res.yearly.assign(run_id=run_id, seed=res.seed, **spec.labels)

    def _register(self) -> None:
        """Record the experiment (definition and planned runs) in the results file, as the experiment layer does;
        if that fails the runs are still computed and stored, and the note says why they form no experiment."""
        from nkborder.experiments import registry
        from nkborder.store import open_store

        members = pd.DataFrame({"idx": range(len(self.specs)), "run_key": [s.key for s in self.specs],
                                "seed": [s.seed for s in self.specs], "labels": [s.labels for s in self.specs]})
        try:
            with open_store(self.db) as store:
                registry.register(store, self.name, self.definition, members)
                registry.set_status(store, self.name, "running")
            self._registered = True
        except InputError:
            raise
        except Exception as exc:
            self._set(note=self._snap.note + f" Not recorded as an experiment ({error_text(exc)}): the runs are "
                      "stored on their own.")

    def _finish_registered(self, failed: int) -> None:
        if not self._registered:
            return
        from nkborder.experiments import registry
        from nkborder.store import open_store

        status = "incomplete" if failed or self._stop.is_set() else "finished"
        with contextlib.suppress(Exception), open_store(self.db) as store:
            registry.set_status(store, self.name, status)


class _Stopped(Exception):
    """Raised in an in-process run's progress callback when its job is stopped."""


def replicate_seed(seed: int, rep: int) -> int:
    """The seed of replicate ``rep``: the experiment layer's derivation (so both paths give the same runs)."""
    try:
        from nkborder.experiments.spec import derive_seed
    except ImportError:
        return seed + rep
    return derive_seed(seed, rep)


def local_result(name: str, db: str, definition: dict[str, Any], frames: list[pd.DataFrame], failed: int,
                 backend: str = "in-process") -> ExperimentResult:
    """Runs summarised as the experiment layer does (``definition``'s kind: bands, and for a comparison the paired
    differences and the period summary): the in-process runs, or stored runs with the tables so far of runs in
    progress. The result carries the experiment's definition (design, scenarios), so it names the command that
    reruns it."""
    from nkborder.experiments.core import reported
    from nkborder.experiments.kinds import SUMMARISERS

    runs = reported(pd.concat(frames, ignore_index=True), definition)  # stored runs hold every simulated year
    front = [c for c in ("run_id", "seed", "side", "scenario", "rep") if c in runs.columns]
    runs = runs[[*front, *[c for c in runs.columns if c not in front]]]
    definition = {**definition, "backend": backend}
    summary, tables = SUMMARISERS[definition["kind"]](definition, runs)
    return ExperimentResult(name, definition["kind"], definition, runs, summary, tables, db,
                            computed=len(frames), failed=failed)


def plan(kind: str, sides: list[Scenario], opts: RunOptions, dates: list[tuple[dt.date | None, dt.date | None]],
         period: str) -> tuple[dict[str, Any], list[Any]]:
    """The experiment's definition and planned runs, as :func:`nkborder.experiments.ensemble` or
    :func:`~nkborder.experiments.compare` make them for these scenarios and options (InputError for a bad
    period)."""
    from nkborder.experiments.comparisons import plan_compare
    from nkborder.experiments.ensembles import plan_ensemble

    (start, end), refs = dates[0], [scenario_ref(sc) for sc in sides]
    common = {"seed": opts.seed, "scale": opts.scale, "start": start, "end": end, "overrides": None}
    if kind == "ensemble":
        return plan_ensemble(refs[0], opts.reps, **common)
    return plan_compare(refs[0], refs[1], opts.reps, period=period or None, outputs=None, **common)


def scenario_ref(sc: Scenario) -> str | Scenario:
    """A shipped, unedited scenario by name (so the experiment records ``history``), else the object."""
    path = Path(sc.path) if sc.path else None
    if path is not None and path.parent == shipped_dir() and path.stem == sc.name:
        return sc.name
    return sc


def experiment_name(kind: str, sides: list[Scenario], opts: RunOptions, period: str = "") -> str:
    """``app-KIND-SCENARIOS-FIRST-LAST-REPSxSCALE``: what the page names an experiment the user did not name
    (:mod:`nkborder.app.naming`)."""
    return readable_name(kind, sides, opts.reps, opts.scale, opts.seed, [check_options(opts, sc) for sc in sides])


def default_name(db: str | Path, kind: str, sides: list[Scenario], opts: RunOptions,
                 dates: list[tuple[dt.date | None, dt.date | None]]) -> str:
    """:func:`experiment_name`, numbered ``-2``, ``-3``, ... if the results file uses it for other content."""
    base = readable_name(kind, sides, opts.reps, opts.scale, opts.seed, dates)
    hashes = [sc.with_dates(start, end).content_hash() for sc, (start, end) in zip(sides, dates, strict=True)]
    return free_name(db, base, hashes, {"reps": int(opts.reps), "seed": int(opts.seed), "scale": float(opts.scale)})


def failure_note(db: str, result: Any) -> str:
    """Why runs of an experiment failed (their stored messages), in one line."""
    try:
        with store(db) as s:
            runs = s.runs(experiment=result.name, status="failed")
        messages = sorted(set(runs["message"].astype(str)))[:3]
    except Exception:
        messages = []
    text = f"{result.failed} run(s) failed"
    return text + (": " + "; ".join(messages) if messages else ".")
