"""The Python API: ``nkborder.run(...)`` returns a :class:`Result` with DataFrames; ``nkborder.live(...)`` yields
the tables of a run while it is simulated (:class:`~nkborder.engine.live.Partial`), the last one with the result."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nkborder.engine.live import EVERY, LiveTables, Partial
from nkborder.engine.record import build_tables
from nkborder.engine.sim import Progress, Simulation
from nkborder.errors import InputError, shorten
from nkborder.inputs.checks import check_date, check_db_path, check_scale, check_seed
from nkborder.params import Params
from nkborder.scenarios import Scenario, load_scenario
from nkborder.version import __version__


@dataclass
class Result:
    """What one run produced and exactly what ran.

    ``yearly`` and ``monthly`` have one row per period and city; ``daily`` one row per day and city (empty when
    the run was made with ``daily=False``); ``sectors`` one row per month, city and river sector (crossings,
    arrests, smuggling and guards' bribes there); ``districts`` one row per year, city and district (members
    by status at the end of the year, residents' mean hardship, discontent and information). Counts are in
    persons of the simulated population; ``*_full`` columns rescale counts and money totals to the full
    population.
    """

    scenario: Scenario
    params: Params
    seed: int
    scale: float
    yearly: pd.DataFrame
    monthly: pd.DataFrame
    daily: pd.DataFrame
    wall_seconds: float
    run_id: str | None = None
    code_version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)
    sectors: pd.DataFrame = field(default_factory=pd.DataFrame)
    districts: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_polars(self, freq: str = "yearly"):
        """The ``freq`` table (yearly, monthly, daily, sectors or districts) as a Polars DataFrame."""
        import polars as pl

        return pl.from_pandas(self.table(freq))

    def table(self, freq: str = "yearly") -> pd.DataFrame:
        """One table: ``yearly``, ``monthly``, ``daily``, ``sectors`` (one row per month, city and river sector)
        or ``districts`` (one row per year, city and district)."""
        tables = {"yearly": self.yearly, "monthly": self.monthly, "daily": self.daily, "sectors": self.sectors,
                  "districts": self.districts}
        if freq not in tables:
            raise ValueError(f"freq {freq!r} not one of: {', '.join(tables)}")
        return tables[freq]


def resolve(
    scenario: str | Path | Scenario,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    overrides: dict[str, Any] | None = None,
) -> tuple[Scenario, Params]:
    """The scenario (with run dates applied) and its validated parameters (with overrides applied)."""
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InputError("overrides", "overrides", f"not a mapping (got {shorten(overrides)})",
                         'a dict of parameter names and values, e.g. {"detect_base": 0.5}')
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = sc.with_dates(check_date(start, "start"), check_date(end, "end"))
    return sc, sc.parameters(dict(overrides) if overrides is not None else None)


def run(
    scenario: str | Path | Scenario = "history",
    seed: int = 0,
    scale: float = 1.0,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    overrides: dict[str, Any] | None = None,
    daily: bool = True,
    progress: Progress | None = None,
    polars: bool = False,
    db: str | Path | None = None,
    on_partial: Callable[[Partial], None] | None = None,
    every: str = "year",
) -> Result:
    """Run a scenario once and return its tables.

    Args:
        scenario: a shipped scenario name (``"history"``), a path to a TOML file, or a :class:`Scenario`.
        seed: the run's seed; the same seed gives bit-identical results.
        scale: share of the population simulated (1.0 = one agent per person).
        start, end: run dates (default: the scenario's).
        overrides: parameter values replacing the scenario's, e.g. ``{"detect_base": 0.5}``.
        daily: keep the daily table (about 23,000 rows for two cities over 31 years).
        progress: called as ``progress(date, days_done, n_days)`` after each simulated month.
        polars: return Polars DataFrames instead of pandas ones.
        db: if given, store the run in this DuckDB results file.
        on_partial: called with the tables simulated so far (a :class:`~nkborder.engine.live.Partial`) every
            simulated year or month (``every``); results are the same with or without it.
        every: ``"year"`` or ``"month"``: how often ``on_partial`` is called.

    Raises:
        InputError: (a ``ValueError``) for any bad argument or scenario file, before the simulation starts.
    """
    result = None
    for part in _simulate(scenario, seed, scale, start, end, overrides, daily, progress, db, on_partial is not None,
                          every):
        if on_partial is not None:
            on_partial(part)
        result = part.result
    assert result is not None
    if polars:
        import polars as pl

        for freq in ("yearly", "monthly", "daily", "sectors", "districts"):
            setattr(result, freq, pl.from_pandas(getattr(result, freq)))
    return result


def live(
    scenario: str | Path | Scenario = "history",
    seed: int = 0,
    scale: float = 1.0,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    overrides: dict[str, Any] | None = None,
    every: str = "year",
    daily: bool = False,
    db: str | Path | None = None,
    progress: Progress | None = None,
) -> Iterator[Partial]:
    """Run a scenario and yield its tables while it is simulated, every simulated year (or month).

    Each item is a :class:`~nkborder.engine.live.Partial` with ``yearly`` and ``monthly`` DataFrames of the
    months simulated so far; the last one also has ``result`` (the :class:`Result` that :func:`run` returns,
    stored in ``db`` if given). Stop iterating (``break``) to stop the run: nothing is stored then. Arguments
    are those of :func:`run` (``progress`` is called after each simulated month, after that month's partial
    tables are yielded); input is checked before the first simulated month.

    Example::

        for part in nkborder.live("history", scale=0.02):
            print(part.date, part.yearly["arrivals_south_korea_full"].sum())
    """
    yield from _simulate(scenario, seed, scale, start, end, overrides, daily, progress, db, True, every)


def _simulate(
    scenario: str | Path | Scenario, seed: int, scale: float, start: dt.date | str | None,
    end: dt.date | str | None, overrides: dict[str, Any] | None, daily: bool, progress: Progress | None,
    db: str | Path | None, partials: bool, every: str,
) -> Iterator[Partial]:
    """The run as a sequence of partial tables (only the last one, with the result, unless ``partials``)."""
    seed, scale = check_seed(seed, "seed"), check_scale(scale, "scale")
    if every not in EVERY:
        raise InputError("every", "every", f"{shorten(every)} is not allowed", " or ".join(EVERY))
    if db is not None:
        check_db_path(db, "db")
    sc, params = resolve(scenario, start, end, overrides)
    t0 = time.perf_counter()
    sim = Simulation(sc, params, seed=seed, scale=scale)
    tables_so_far = LiveTables(sim, scale, every, sc.report_start) if partials else None
    last: Partial | None = None
    for date, days_done in sim.steps():
        part = tables_so_far.after_month(date, days_done) if tables_so_far is not None else None
        if part is not None and days_done < sim.n_days:
            yield part
        last = part or last
        if progress is not None:  # after the partial tables: a progress callback that waits leaves them shown
            progress(date, days_done, sim.n_days)
    tables = build_tables(sim.raw(), scale, with_daily=daily).since(sc.report_start)
    result = Result(sc, params, seed, scale, tables.yearly, tables.monthly, tables.daily,
                    wall_seconds=time.perf_counter() - t0, sectors=tables.sectors, districts=tables.districts)
    if db is not None:
        from nkborder.store import store_result

        result.run_id = store_result(db, result)
    if last is None or last.days_done < sim.n_days:
        last = Partial(sc.end, sim.n_days, sim.n_days, result.yearly, result.monthly, complete=True)
    last.result = result
    yield last
