"""Scenarios and their policy timelines (TOML files)."""

from nkborder.scenarios.events import CHINA_KINDS, CITIES, EVENT_KINDS, PLACES, EventKind, PolicyEvent
from nkborder.scenarios.scenario import Scenario, list_scenarios, load_scenario, shipped_dir

__all__ = [
    "CHINA_KINDS",
    "CITIES",
    "EVENT_KINDS",
    "PLACES",
    "EventKind",
    "PolicyEvent",
    "Scenario",
    "list_scenarios",
    "load_scenario",
    "shipped_dir",
]
