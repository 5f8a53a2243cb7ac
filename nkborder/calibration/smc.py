"""ABC-SMC calibration (pyabc) of the flagged parameters against the observed series, on a Dask cluster.

Each generation is one ``ABCSMC.run(max_nr_populations=1)`` on an ABCSMC object freshly loaded from pyabc's
SQLite history (``<db>.pyabc.sqlite``), so an interrupted calibration resumes exactly like the next generation
of a running one: the same command (or the same ``name``) continues with the generations still missing.
After each generation its particles are copied into the DuckDB results file (:mod:`.store`).

Perturbation kernel: a normal kernel with twice the population's weighted covariance (Beaumont et al. 2009,
:func:`make_transition`). Tolerance: generation 0 accepts every prior draw whose run finished; generation t > 0
accepts distances up to the weighted median of generation t-1's distances (pyabc ``QuantileEpsilon``, alpha
0.5). Seeds: each simulation's seed is derived from ``seed`` and its parameter values; pyabc draws parameters on
the workers from fresh entropy, so a rerun gives a statistically equivalent, not an identical, posterior.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from nkborder.calibration import store as cstore
from nkborder.calibration.distance import SeriesDistance, sampling_noise, series_spreads
from nkborder.calibration.posterior import Posterior
from nkborder.calibration.priors import Prior, check_fixed, priors, pyabc_prior
from nkborder.calibration.progress import CountingClient, GenerationHook, GenerationProgress
from nkborder.calibration.shipped import load_shipped
from nkborder.calibration.simulate import EarlyRejectModel, RunModel
from nkborder.calibration.targets import (
    FIRST_YEAR,
    LATER_SERIES,
    SERIES,
    Targets,
    arrivals_by_year,
    check_directory,
    load_targets,
    make_targets,
)
from nkborder.calibration.transition import BoxedNormalTransition, TemperedNormalTransition
from nkborder.errors import InputError
from nkborder.inputs.checks import check_scale
from nkborder.observation.model import ObservationParams, city_weights, national_equivalent
from nkborder.scenarios import Scenario, load_scenario

MAX_SCALE = 1.0


FIRST_TOLERANCE = 1e9  # generation 0 accepts every prior draw whose run finished (a failed run has d = inf)

#: The perturbation kernel of new calibrations (recorded in the definition as ``"transition"``).
TRANSITION = "tempered"
#: The kernel of a stored definition without the key: pyabc's default.
LEGACY_TRANSITION = "silverman"
#: Kernels a definition may name.
TRANSITIONS = (TRANSITION, "beaumont2009", LEGACY_TRANSITION)


def unit_bandwidth(n_samples: float, dimension: int) -> float:
    """Bandwidth factor 1: the kernel's covariance is the population's weighted covariance times the scaling."""
    return 1.0


def make_transition(kind: str, priors: list[Prior] | None = None) -> pyabc.MultivariateNormalTransition:
    """The perturbation kernel ``kind`` of :data:`TRANSITIONS`; with ``priors``, its proposals are drawn inside
    the priors' box in batches (:class:`~nkborder.calibration.transition.BoxedNormalTransition`: the same
    proposal distribution as pyabc's one-at-a-time redraws, at a fraction of the cost).

    ``beaumont2009``: a normal kernel around each particle with twice the population's weighted covariance
    (Beaumont, Cornuet, Marin and Robert 2009, "Adaptive approximate Bayesian computation", Biometrika 96(4)).
    ``tempered``: the same with the particle weights raised to :data:`~.transition.TEMPER` in the mixture and the
    covariance (:class:`~nkborder.calibration.transition.TemperedNormalTransition`; needs ``priors``), which keeps
    the importance weights from collapsing onto a few particles in twenty dimensions.
    ``silverman``: pyabc's default, the weighted covariance times Silverman's factor squared, about 0.45 in 12
    dimensions with 160 particles; such a narrow kernel makes the proposal a lumpy mixture, and the importance
    weights prior / proposal collapse onto a few particles (docs/calibration.md, "ABC-SMC").
    """
    twice = {"scaling": 2.0, "bandwidth_selector": unit_bandwidth}
    options = {"tempered": twice, "beaumont2009": twice, "silverman": {}}
    if kind not in options:
        raise InputError("calibration definition", "transition", f"unknown kernel {kind!r}", ", ".join(TRANSITIONS))
    if priors is None and kind != "tempered":
        return pyabc.MultivariateNormalTransition(**options[kind])
    kernel = TemperedNormalTransition if kind == "tempered" else BoxedNormalTransition
    box = priors or []
    return kernel({p.name: p.lo for p in box}, {p.name: p.hi for p in box}, **options[kind])


class MedianTolerance(pyabc.QuantileEpsilon):
    """Tolerance :data:`FIRST_TOLERANCE` at generation 0, then the weighted median of the previous generation's
    distances, recomputed from the stored history when a calibration resumes (pyabc's own forgets it)."""

    def __init__(self) -> None:
        super().__init__(initial_epsilon=FIRST_TOLERANCE, alpha=0.5)

    def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
        if t > 0:
            self._update(t, get_weighted_distances())


@dataclass
class Setup:
    """Everything a calibration's simulations and distance need, rebuilt identically on resume."""

    scenario: Scenario
    targets: Targets
    weights: dict[str, float]
    spreads: dict[str, float]
    definition: dict[str, Any]
    noise: np.ndarray | None = None  # each row's sampling noise (:func:`.distance.sampling_noise`); None: none

    def model(self) -> RunModel:
        d = self.definition
        return RunModel(self.scenario, d["scale"], d["seed"], self.targets, self.weights, d["fixed"])

    def abc(self, sampler: pyabc.sampler.Sampler) -> pyabc.ABCSMC:
        """The ABC-SMC object; a definition with ``"early_rejection"`` stops runs whose partial distance exceeds
        the tolerance (:class:`~nkborder.calibration.simulate.EarlyRejectModel`)."""
        prs = [Prior(p["name"], p["lo"], p["hi"], p["unit"], False) for p in self.definition["priors"]]
        kernel = make_transition(self.definition.get("transition", LEGACY_TRANSITION), prs)
        distance = self.distance()
        model = EarlyRejectModel(self.model(), distance) if self.definition.get("early_rejection") else self.model()
        return pyabc.ABCSMC(model, pyabc_prior(prs), distance, population_size=self.definition["population"],
                            sampler=sampler, eps=MedianTolerance(), transitions=kernel)

    def distance(self) -> SeriesDistance:
        """The calibration's distance: each row divided by ``sqrt(spread^2 + noise^2)``."""
        return SeriesDistance(self.targets, self.spreads, self.noise)

    def observed(self) -> dict[str, np.ndarray]:
        return {"values": self.targets.rows["value"].to_numpy(float), "failed": np.array([0.0])}


def prepare(
    scenario: str | Path | Scenario = "history", observed: str | Path | None = None, until: int = 2015,
    scale: float = 0.05, seed: int = 0, population: int = 150, parameters: list[str] | None = None,
    fixed: dict[str, float] | None = None, targets: Targets | None = None, series: list[str] | None = None,
    spreads: dict[str, float] | None = None, last: dict[str, int] | None = None, early_rejection: bool = True,
) -> Setup:
    """Check the options and build the calibration's scenario, targets, weights, spreads and definition.

    ``targets`` replaces the observed rows (e.g. a synthetic truth); ``observed`` still gives the city weights.
    ``series`` limits the fit to some of :data:`~nkborder.calibration.targets.SERIES` (default: all).
    ``spreads`` replaces the tolerance of some series in the distance (residual units: natural-log units for
    counts and prices, share for shares); it is recorded in the definition as ``"spread_overrides"``.
    ``last`` fits some series to another year than ``until`` (default :data:`LATER_SERIES`: the repatriations to
    2023); the runs end with the last year fitted. ``early_rejection`` stops runs whose partial distance exceeds
    the tolerance (recorded in the definition).
    """
    _check(until, scale, seed, population)
    later = check_last(LATER_SERIES if last is None else last)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    first = max(FIRST_YEAR, (sc.report_start or sc.start).year)
    directory = None if observed is None else check_directory(Path(observed).resolve())
    weights = city_weights(directory) if observed is not None else city_weights(None)
    fit = targets.between(first, until, later) if targets is not None else load_targets(directory, first, until,
                                                                                          later)
    if series is not None:
        fit = Targets(fit.rows.loc[fit.rows["series"].isin(series)].reset_index(drop=True))
    end = max(until, fit.last_year) if len(fit) else until
    sc = sc.with_dates(None, dt.date(end, 12, 31))
    if series is not None:
        bad = sorted(set(series) - set(SERIES))
        if bad or not series:
            raise InputError("--series", ",".join(bad), "unknown series", ", ".join(SERIES))
    if len(fit) == 0:
        raise InputError(str(observed or "package data"), "--until", f"no observation between {first} and {until}",
                         "years covered by the observed series")
    overrides = check_spreads(spreads)
    spreads = series_spreads(fit)
    spreads.update(overrides)
    prs = priors(parameters)
    fixed = check_fixed(fixed, [p.name for p in prs])
    factor = noise_factor(fixed)
    people = float(scale) / float(national_equivalent(np.array([1.0]), weights, tuple(sc.cities), factor)[0])
    arrivals = arrivals_by_year(directory)
    if targets is not None:  # a synthetic truth's own arrivals
        own = targets.rows.loc[targets.rows["series"] == "arrivals"]
        arrivals.update({int(y): float(v) for y, v in zip(own["year_to"], own["value"], strict=True)})
    noise = sampling_noise(fit, people, arrivals)
    definition = {
        "scenario": {"name": sc.name, "ref": str(sc.path or sc.name) if isinstance(scenario, Scenario)
                     else str(scenario), "content_hash": sc.content_hash(), "start": sc.start.isoformat(),
                     "end": sc.end.isoformat(), "cities": list(sc.cities)},
        "observed": str(directory) if directory else "package data", "first": first, "until": int(until),
        "scale": float(scale), "seed": int(seed), "population": int(population),
        "priors": [{"name": p.name, "lo": p.lo, "hi": p.hi, "unit": p.unit} for p in prs], "fixed": fixed,
        "weights": weights, "spreads": spreads, "targets": _records(fit.rows), "transition": TRANSITION,
        "last": later, "early_rejection": bool(early_rejection), "noise_factor": factor, "noise": noise.tolist(),
    }  # fmt: skip
    if series is not None:
        definition["series"] = [s for s in SERIES if s in series]
    if overrides:
        definition["spread_overrides"] = overrides
    return Setup(sc, fit, weights, spreads, json.loads(json.dumps(definition)), noise)


def noise_factor(fixed: dict[str, float]) -> float:
    """The crossing-point factor (multiplier) behind the sampling noise of the distance: the value the runs
    use when the calibration holds it fixed (``check_fixed`` puts the observation model's default there when it
    is neither calibrated nor fixed), else the shipped calibration's median, the factor the pattern catalogue
    observes calibrated runs with (:func:`nkborder.validation.evaluate.observation_context`)."""
    if "crossing_point_factor" in fixed:
        return float(fixed["crossing_point_factor"])
    default = ObservationParams().crossing_point_factor
    return float(load_shipped().median().get("crossing_point_factor", default))


def check_spreads(spreads: dict[str, float] | None) -> dict[str, float]:
    """``spreads`` checked: known series, each a positive finite number of residual units; else InputError."""
    out = {}
    for series, value in (spreads or {}).items():
        if series not in SERIES:
            raise InputError("--spread", series, "unknown series", ", ".join(SERIES))
        v = float(value)
        if not np.isfinite(v) or v <= 0:
            raise InputError("--spread", f"{series}={value}", "not a positive number",
                             "a spread > 0 in residual units (log units for counts and prices, e.g. arrivals=0.3)")
        out[series] = v
    return out


def check_last(last: dict[str, int]) -> dict[str, int]:
    """``last`` checked: known series, each a year from 1999 to 2035; else InputError naming ``--last``."""
    out = {}
    for series, year in last.items():
        if series not in SERIES:
            raise InputError("--last", series, "unknown series", ", ".join(SERIES))
        try:
            y = int(float(year))
        except (TypeError, ValueError, OverflowError):
            y = None
        if y is None or y != float(year) or not 1999 <= y <= 2035:
            raise InputError("--last", f"{series}={year}", "not a year from 1999 to 2035", "e.g. repatriated=2023")
        out[series] = y
    return out


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-able dicts (numpy scalars made Python ones; ``inf`` kept)."""
    return [{k: v.item() if hasattr(v, "item") else v for k, v in r.items()} for r in rows.to_dict("records")]


def setup_from(definition: dict[str, Any]) -> Setup:
    """The setup of a stored calibration, from its definition (the scenario is reloaded and checked)."""
    sc = load_scenario(definition["scenario"]["ref"])
    sc = sc.with_dates(None, dt.date.fromisoformat(definition["scenario"]["end"]))
    if sc.content_hash() != definition["scenario"]["content_hash"]:
        raise InputError(definition["scenario"]["ref"], "scenario", "changed since the calibration was made",
                         "the scenario as it was, or a new calibration")
    targets = make_targets(definition["targets"])
    noise = np.asarray(definition["noise"], dtype=float) if "noise" in definition else None
    return Setup(sc, targets, definition["weights"], definition["spreads"], definition, noise)


def default_name(definition: dict[str, Any]) -> str:
    """``calibrate-SCENARIO-HASH``: the same command gives the same name, so it resumes."""
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:8]
    return f"calibrate-{definition['scenario']['name']}-{digest}"


@dataclass
class Calibration:
    """A calibration as stored: its name, results file, definition, generations and last posterior."""

    name: str
    db: str
    definition: dict[str, Any]
    generations: pd.DataFrame
    posterior: Posterior
    seconds: float = 0.0
    settled: bool = False  # :func:`generations_settled`: the last tolerance fell by less than ``min_fall``


def check_min_fall(min_fall: float | None) -> None:
    """Refuse a ``min_fall`` (``--min-tolerance-fall``) that is not a share strictly between 0 and 1."""
    if min_fall is not None and not 0.0 < min_fall < 1.0:
        raise InputError("--min-tolerance-fall", str(min_fall), "not a share between 0 and 1", "0 < F < 1, e.g. 0.05")


#: A generation whose effective sample size is below this share of its particles is weight-degenerate (a few
#: particles carry the posterior): ``nkborder posterior`` warns about it, and a calibration never settles on it.
MIN_ESS_SHARE = 0.1


def generations_settled(gens: pd.DataFrame, min_fall: float | None) -> bool:
    """Whether a calibration with these stored generations (:func:`.store.generations`) has settled: its last
    tolerance fell by less than ``min_fall`` (:func:`tolerance_settled`) and its last generation's effective sample
    size is at least :data:`MIN_ESS_SHARE` of its particles (a degenerate generation is followed by another, whose
    kernel is fitted to the tempered weights). None: never (every generation runs)."""
    if min_fall is None or not tolerance_settled(gens["epsilon"], min_fall):
        return False
    last = gens.iloc[-1]
    return not bool(last["ess"] < MIN_ESS_SHARE * last["n_particles"])  # NaN (no weights stored): not degenerate


def tolerance_settled(epsilons: list[float] | pd.Series, min_fall: float) -> bool:
    """Whether the last generation's tolerance is less than ``min_fall`` (a share, e.g. 0.05) below the one
    before: the calibration has settled, further generations narrow the posterior little. Generation 0's
    tolerance (every prior draw accepted) is not compared, so this needs generations 0-2 at least."""
    eps = [float(e) for e in epsilons][1:]
    return len(eps) >= 2 and eps[-2] - eps[-1] < min_fall * eps[-2]


def calibrate(
    scenario: str | Path | Scenario = "history", observed: str | Path | None = None, until: int = 2015,
    population: int = 150, generations: int = 6, scale: float = 0.05, seed: int = 0, workers: int | None = None,
    scheduler: str | None = None, db: str | Path = "nkborder.duckdb", name: str | None = None,
    parameters: list[str] | None = None, fixed: dict[str, float] | None = None, targets: Targets | None = None,
    series: list[str] | None = None, spreads: dict[str, float] | None = None, last: dict[str, int] | None = None,
    early_rejection: bool = True, progress: bool | GenerationHook = False, command: str = "",
    max_seconds: float | None = None, min_fall: float | None = None,
) -> Calibration:
    """Run (or resume) an ABC-SMC calibration and return its posterior.

    Args:
        scenario: scenario name or file; it is run from its start to the end of ``until``.
        observed: folder of CSV files like ``shared/data`` (default: the package's copies).
        until: last year of observations used (inclusive).
        population: accepted particles per generation.
        generations: generations wanted in all (a resumed calibration runs only the missing ones).
        scale: share of the population simulated in each run.
        seed: base of every simulation's seed.
        workers, scheduler: the Dask cluster (see :func:`nkborder.experiments.cluster.dask_client`).
        db: DuckDB results file; pyabc's history goes to ``<db>.pyabc.sqlite``.
        name: calibration id (default: derived from the options, so the same command resumes).
        parameters: names to calibrate (default: every parameter flagged ``calibrate=True``).
        fixed: values for parameters that are not calibrated (override the scenario's).
        targets: observed rows to fit instead of those read from ``observed`` (synthetic truth).
        series: fit only these series (default: all eight; see :mod:`.targets`).
        spreads: replace the tolerance some series is divided by in the distance (:func:`prepare`).
        last: fit some series to another last year (default: the repatriations to 2023; :func:`prepare`).
        early_rejection: stop a run once its partial distance exceeds the generation's tolerance.
        progress: True shows a progress bar, a callable gets each finished generation.
        command: the command line, recorded with the calibration.
        max_seconds: start no generation after this many seconds (wall time) of this call; None: no limit.
        min_fall: stop once a generation's tolerance is less than this share below the one before and its
            effective sample size is not degenerate (:func:`generations_settled`; e.g. 0.05), even before
            ``generations``; None: run them all.
    """
    from nkborder.store import open_store

    if int(generations) != generations or generations < 1:
        raise InputError("--generations", str(generations), "not a positive whole number", "1, 2, ...")
    check_min_fall(min_fall)
    setup = prepare(scenario, observed, until, scale, seed, population, parameters, fixed, targets, series, spreads,
                    last, early_rejection)
    name = name or default_name(setup.definition)
    t0 = time.perf_counter()
    with open_store(db) as store:
        cstore.ensure_tables(store)
        rec = cstore.get(store, name)
        if rec is not None and rec["definition"] != setup.definition:
            raise InputError(str(db), "--name", f"calibration {name!r} exists with other options",
                             "the same options to resume it, or another --name")
        sqlite = pyabc_history_path(db, rec)
        if rec is None:
            history = setup.abc(pyabc.SingleCoreSampler()).new(f"sqlite:///{sqlite}", setup.observed())
            cstore.insert(store, name, setup.definition, sqlite, int(history.id), command)
            rec = cstore.require(store, name)
        rec = {**rec, "pyabc_db": sqlite}
        cstore.set_status(store, name, "running", command)
        try:
            with terminate_as_interrupt():
                _run_generations(store, setup, rec, generations, workers, scheduler, progress, max_seconds,
                                 min_fall)
        except BaseException:
            cstore.set_status(store, name, "interrupted")
            raise
        cstore.set_status(store, name, "finished")
        gens = cstore.generations(store, name)
        particles, weights = cstore.posterior(store, name)
    settled = generations_settled(gens, min_fall)
    return Calibration(name, str(db), setup.definition, gens, Posterior(name, particles, weights, setup.definition),
                       seconds=time.perf_counter() - t0, settled=settled)


@contextlib.contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM (``kill``, a batch system's time limit) raises KeyboardInterrupt like Ctrl-C, so
    the calibration is marked "interrupted" and its finished generations stay; only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def pyabc_history_path(db: str | Path, rec: dict | None) -> str:
    """pyabc's SQLite history of a calibration stored in ``db``: the file ``<db>.pyabc.sqlite`` beside it.

    A copied or moved results file therefore resumes with the history copied beside it, never with the file
    at the path recorded when the calibration started (which belongs to the original); that recorded path is
    used only when no history lies beside ``db``.
    """
    beside = Path(f"{db}.pyabc.sqlite").resolve()
    if rec is None or beside.exists() or not Path(rec["pyabc_db"]).exists():
        return str(beside)
    return str(rec["pyabc_db"])


def _run_generations(store, setup: Setup, rec: dict, wanted: int, workers, scheduler, progress,
                     max_seconds: float | None = None, min_fall: float | None = None) -> None:
    from nkborder.experiments.cluster import dask_client

    t0 = time.perf_counter()
    url, abc_id = f"sqlite:///{rec['pyabc_db']}", int(rec["abc_id"])
    history = pyabc.History(url, _id=abc_id)
    _sync(store, rec["name"], history)
    done = int(history.max_t) + 1

    def settled() -> bool:
        return generations_settled(cstore.generations(store, rec["name"]), min_fall)

    if done >= wanted or settled():
        return
    logging.getLogger("ABC").setLevel(logging.WARNING)
    with GenerationProgress(progress, wanted, done, rec["name"]) as prog, dask_client(scheduler, workers) as client:
        sampler = pyabc.DaskDistributedSampler(CountingClient(client, prog.simulation_done))
        gather_stops(client)  # workers of a shared cluster may hold counts of an earlier job
        for _ in range(done, wanted):
            if (max_seconds is not None and time.perf_counter() - t0 > max_seconds) or settled():
                break
            abc = setup.abc(sampler)
            abc.load(url, abc_id, setup.observed())
            started = time.perf_counter()
            abc.run(max_nr_populations=1)
            t = int(abc.history.max_t)
            info = _copy(store, rec["name"], abc.history, t, time.perf_counter() - started, gather_stops(client))
            prog.generation_done(info)


def gather_stops(client) -> dict[str, int]:
    """The early-stopped runs every worker counted since the last call (:func:`.simulate.take_stops`), summed:
    ``n_stopped_before_start`` and ``n_stopped_after_start``. A run still in flight when a generation ended
    (pyabc cancels it, and does not count it) is counted with the generation it ends in."""
    from nkborder.calibration.simulate import take_stops

    counts = client.run(take_stops).values()
    return {f"n_stopped_{key}": sum(c[key] for c in counts) for key in ("before_start", "after_start")}


def _sync(store, name: str, history: pyabc.History) -> None:
    """Copy into DuckDB every generation pyabc has that the results file lacks (after an interruption)."""
    stored = set(cstore.generations(store, name)["generation"].astype(int))
    for t in range(int(history.max_t) + 1):
        if t not in stored:
            _copy(store, name, history, t, None)


def _copy(store, name: str, history: pyabc.History, t: int, seconds: float | None,
          stops: dict[str, int] | None = None) -> dict[str, Any]:
    pops = history.get_all_populations().set_index("t")
    pop = history.get_population(t)
    particles = pd.DataFrame([dict(p.parameter) for p in pop.particles])
    weights = pd.Series([p.weight for p in pop.particles], dtype=float)
    distances = pd.Series([p.distance for p in pop.particles], dtype=float)
    info = {"generation": t, "epsilon": float(pops.loc[t, "epsilon"]), "n_simulations": int(pops.loc[t, "samples"]),
            "acceptance_rate": float(pops.loc[t, "particles"]) / max(1, int(pops.loc[t, "samples"])),
            "wall_seconds": seconds if seconds is not None else float("nan"), **(stops or {})}  # fmt: skip
    cstore.record_generation(store, name, t, info, particles, weights / weights.sum(), distances)
    return info


def load_calibration(db: str | Path, name: str) -> Calibration:
    """A stored calibration (read-only): definition, generations and last posterior."""
    from nkborder.store import open_store

    with open_store(db, read_only=True) as store:
        rec = cstore.require(store, name)
        gens = cstore.generations(store, name)
        particles, weights = cstore.posterior(store, name)
    d = rec["definition"]
    return Calibration(name, str(db), d, gens, Posterior(name, particles, weights, d))


def _check(until: int, scale: float, seed: int, population: int) -> None:
    if int(until) != until or not 1999 <= until <= 2035:
        raise InputError("--until", str(until), "not a year from 1999 to 2035", "e.g. 2015")
    check_scale(scale, "--scale", MAX_SCALE)
    if int(seed) != seed or seed < 0:
        raise InputError("--seed", str(seed), "not a non-negative whole number", "0, 1, 2, ...")
    if int(population) != population or population < 2:
        raise InputError("--population", str(population), "too small", "a whole number >= 2 (e.g. 100-200)")
