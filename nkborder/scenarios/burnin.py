"""Burn-in: a run that starts later than its scenario starts with none of the state the earlier years build up.

A run starts on its first day with nobody in China, in South Korea or detained, no kin abroad and no outside
information (docs/odd.md, section 5 Initialisation). A scenario's own start (1995 for ``history``) lets them build up; a
later ``--start`` (or the app's "simulate from") starts them cold, so crossings and arrivals of the first years
are far too low. Showing later years only is what ``report_start`` is for: the app's "report from" and the CLI's
``--report-from`` both set it with :func:`report_from`.
"""

from __future__ import annotations

import datetime as dt

from nkborder.errors import InputError
from nkborder.scenarios.scenario import Scenario


def cold_start_warning(sc: Scenario, first: dt.date, option: str, instead: str) -> str | None:
    """The warning for a run of ``sc`` from ``first`` (None unless ``first`` is later than the scenario's start).

    Args:
        sc: the scenario as loaded (its own dates).
        first: the run's first day.
        option: how the user set ``first`` (e.g. ``--start``), named in the warning.
        instead: what to do instead, ending the warning.
    """
    if first <= sc.start:
        return None
    return (f"{option} {first} is later than the start of scenario {sc.name!r} ({sc.start}): the simulation "
            f"starts cold in {first.year}, with nobody in China, in South Korea or detained, no kin abroad and no "
            f"outside information, so its first years understate crossings and arrivals. To show {first.year} on with "
            f"the state built up since {sc.start.year}, {instead}.")


def report_from(sc: Scenario, year: int | None, option: str, source: str | None = None) -> Scenario:
    """``sc`` (with its run dates applied) simulated from its start but reporting only from 1 January of ``year``:
    its tables, and everything drawn or stored from them, leave the earlier years out. ``sc`` itself when
    ``year`` is None; no ``report_start`` when ``year`` is the first simulated year (every year is reported).

    Raises:
        InputError: naming ``source`` (default ``option``) and ``option``, unless ``year`` is a whole year from the
            run's first to its last.
    """
    if year is None:
        return sc
    if isinstance(year, bool) or int(year) != year or not sc.start.year <= int(year) <= sc.end.year:
        raise InputError(source or option, option, f"{year} is outside the simulated years "
                         f"({sc.start} to {sc.end})", f"a year from {sc.start.year} to {sc.end.year}")
    day = dt.date(int(year), 1, 1)
    return sc.model_copy(update={"report_start": day if day > sc.start else None})
