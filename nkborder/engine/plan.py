"""The step order, as data: what runs each month and each day, in this order.

The monthly phases run at the first day of every month (and on the run's first day), called from Python: one
kernel each for the census, remittances and livelihoods, then one compiled pass over people
(:func:`nkborder.engine.monthly.people_month`) that applies demography, information, defection and tracking to
each person in turn, in this order. The daily phases run inside one compiled kernel,
:func:`nkborder.engine.daily.run_days`, for every day of the month; a test checks that the kernel calls them in
this order.
"""

from __future__ import annotations

MONTHLY_PHASES: tuple[tuple[str, str], ...] = (
    ("census", "count household members at home, in China and in South Korea; inminban information"),
    ("remittances", "defectors in South Korea send money home through brokers"),
    ("livelihoods", "household income, food, hardship, spending and saving for the past month"),
    ("demography", "deaths and births"),
    ("information", "outside information and discontent"),
    ("defection", "who attempts a crossing this month, and on which day"),
    ("tracking", "list the smugglers and everyone in China or detained, for the daily phases"),
)

DAILY_PHASES: tuple[tuple[str, str], ...] = (
    ("state", "policy of the day: the guards on duty and the currency reform on its day (other levers are in the "
     "environment)"),
    ("smuggling", "smuggling trips, detection, cuts and arrests"),
    ("defection", "crossings planned for the day: brokers, guards, bribes, arrests"),
    ("china", "people in China: capture, return, onward journey; releases from detention"),
    ("guards", "guards on duty: pay, discharge and rotation"),
    ("markets", "market turnover"),
    ("record", "end-of-day stocks by status and the guards on duty"),
)


def describe_plan() -> str:
    """The step order as printable text."""
    lines = ["Each month (first day):"]
    lines += [f"  {i + 1}. {name}: {what}" for i, (name, what) in enumerate(MONTHLY_PHASES)]
    lines.append("Each day:")
    lines += [f"  {i + 1}. {name}: {what}" for i, (name, what) in enumerate(DAILY_PHASES)]
    return "\n".join(lines)
