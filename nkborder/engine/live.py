"""Tables of a run while it is simulated: the yearly and monthly rows of the months done so far.

:class:`LiveTables` follows a :class:`~nkborder.engine.sim.Simulation` through :meth:`~Simulation.steps`. After
each simulated month (``every="month"``) or each simulated year (``every="year"``) it gives a :class:`Partial`:
the finished years' rows, and the current year's row over its months done so far. It builds only the current
year's window of records (at most 366 days), so following a run costs about one table build per simulated year.

A finished year's row equals the row of the same year in the run's final table (the same days, aggregated the
same way), so charts drawn from partial tables settle on the final ones. Only a year in progress differs:
its flows are summed over the months done, and its stocks are the values of the last day done.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from nkborder.engine.record import Tables, build_tables
from nkborder.engine.sim import RawRecords, Simulation

EVERY = ("month", "year")


@dataclasses.dataclass
class Partial:
    """The tables of a run up to ``date`` (the last simulated day).

    ``yearly`` and ``monthly`` have the columns of the final tables, from the scenario's ``report_start`` on;
    ``complete`` is False while the last year (``yearly``'s last rows) is only partly simulated. ``result`` is
    set on the last partial of :func:`nkborder.live`: the run's :class:`~nkborder.api.Result`.
    """

    date: dt.date
    days_done: int
    n_days: int
    yearly: pd.DataFrame
    monthly: pd.DataFrame
    complete: bool = False
    result: Any = None

    @property
    def share(self) -> float:
        """Share of the run's days simulated, 0-1."""
        return self.days_done / max(self.n_days, 1)


class LiveTables:
    """The partial tables of one simulation, built after every month or every year.

    Args:
        sim: the simulation followed (its records are read between its steps).
        scale: the run's scale (for the ``*_full`` columns).
        every: ``"month"`` or ``"year"``: how often :meth:`after_month` returns a :class:`Partial`.
        report_from: first day shown (the scenario's ``report_start``); None shows every day.
    """

    def __init__(self, sim: Simulation, scale: float, every: str = "year",
                 report_from: dt.date | None = None) -> None:
        if every not in EVERY:
            raise ValueError(f"every={every!r} is not one of {', '.join(EVERY)}")
        self.sim, self.scale, self.every, self.report_from = sim, scale, every, report_from
        self._done_years: list[pd.DataFrame] = []
        self._done_months: list[pd.DataFrame] = []
        self._year_first_day = 0

    def after_month(self, date: dt.date, days_done: int) -> Partial | None:
        """Call after each simulated month (``date``: its last simulated day): a :class:`Partial` when one is
        due (every month, or at the end of each year and of the run), else None."""
        year_ends = days_done >= self.sim.n_days or (date + dt.timedelta(days=1)).year != date.year
        if self.every == "year" and not year_ends:
            return None
        tables = self._window(self._year_first_day, days_done, date.year)
        yearly = pd.concat([*self._done_years, tables.yearly], ignore_index=True)
        monthly = pd.concat([*self._done_months, tables.monthly], ignore_index=True)
        if year_ends:
            self._done_years.append(tables.yearly)
            self._done_months.append(tables.monthly)
            self._year_first_day = days_done
        return Partial(date, days_done, self.sim.n_days, yearly, monthly, complete=year_ends)

    def _window(self, first: int, end: int, year: int) -> Tables:
        """The tables of days ``first`` to ``end - 1`` (within one calendar year)."""
        sim = self.sim
        starts = sim.month_starts
        m0, m1 = int(np.searchsorted(starts, first)), int(np.searchsorted(starts, end))
        env = sim.env._replace(**{name: values[first:end] for name, values in sim.env._asdict().items()
                                  if isinstance(values, np.ndarray) and values.shape[:1] == (sim.n_days,)})
        raw = RawRecords(
            sim.scenario.start + dt.timedelta(days=first), sim.scenario.cities, sim.daily[first:end],
            sim.monthly[m0:m1], starts[m0:m1] - first, {year: sim._income_gini()}, env, sim.lost_births,
            sim.sectors[m0:m1], sim.pop.guards.sector_start, {}, sim.pop.cities.n_districts,
        )
        tables = build_tables(raw, self.scale, with_daily=False)
        return tables.since(pd.Timestamp(self.report_from)) if self.report_from is not None else tables
