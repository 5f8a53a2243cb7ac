"""The shipped examples run (Mesa's habit: examples are tested)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_what_if_no_closure_gives_more_arrivals() -> None:
    diff = _load("what_if_no_closure").main(scale=0.03, seeds=2)
    assert list(diff.columns) == ["Hoeryong", "Hyesan"]
    assert len(diff) == 2
    # without the closure, onward journeys and crossings continue: more arrivals, summed over both cities
    assert diff.to_numpy().sum() > 0


def test_follow_a_run_sees_each_year_and_stops_early() -> None:
    seen = _load("follow_a_run").main(scale=0.01, until=1999)
    assert [year for year, _ in seen] == [1995, 1996, 1997, 1998, 1999]
    assert seen[-1][1] > seen[0][1]  # people leave for China during the famine years
