"""Burn-in: a run that starts later than its scenario starts with none of the state the earlier years build up.

A run starts on its first day with nobody in China, in South Korea or detained, no kin abroad and no outside
information (docs/odd.md, section 5 Initialisation). A scenario's own start (1995 for ``history``) lets them build up; a
later ``--start`` (or the app's "simulate from") starts them cold, so crossings and arrivals of the first years
are far too low. Showing later years only is what ``report_start`` (the app's "report from") is for.
"""

from __future__ import annotations

import datetime as dt

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
