"""Fuzzing the Python API's arguments: any value of any type for one argument of ``run``, ``ensemble``,
``sweep``, ``compare`` or ``sensitivity`` raises :class:`~nkborder.errors.InputError` (the documented exception for
bad input) or nothing, never ``TypeError``, ``ValueError`` or ``RecursionError``, and computes nothing.

Every call also gets a start date that is not a date, checked after the other arguments, so a fuzzed value that
happens to be valid ends in that InputError instead of a simulation.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzzing import FUZZ
from hypothesis import given
from hypothesis import strategies as st

import nkborder
from nkborder import experiments
from nkborder.errors import InputError

anything = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80), st.floats(), st.text(max_size=20),
    st.binary(max_size=8), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.floats(),
                                                                                   max_size=2),
    st.sampled_from(["history", "no-closure", "detect_base", "detect_base=0:1:3", "2020:2019", "sum", "sobol",
                     "lhs", "tcp://", "http://x", Path("/"), Path("x.toml")]),
)
CALLS = {  # function -> arguments fuzzed
    "run": (nkborder.run, ["scenario", "seed", "scale", "overrides", "db"]),
    "ensemble": (experiments.ensemble, ["scenario", "reps", "seed", "scale", "overrides", "name"]),
    "sweep": (experiments.sweep, ["scenario", "vary", "reps", "design", "samples", "seed", "scale"]),
    "compare": (experiments.compare, ["scenario_a", "scenario_b", "reps", "seed", "scale"]),
    "sensitivity": (experiments.sensitivity, ["scenario", "method", "samples", "reps", "seed", "scale"]),
}
NEEDED = {"sweep": {"vary": ["detect_base=0.1:0.5:2"]}, "compare": {"scenario_a": "history", "scenario_b": "history"}}


@pytest.fixture(scope="module")
def db() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp) / "api.duckdb"


@FUZZ
@given(call=st.sampled_from(sorted(CALLS)), data=st.data())
def test_fuzzed_api_argument_raises_input_error_only(db: Path, call: str, data: st.DataObject) -> None:
    func, names = CALLS[call]
    name = data.draw(st.sampled_from(names))
    kwargs = {**NEEDED.get(call, {}), name: data.draw(anything), "start": "not-a-date"}
    if name != "db":
        kwargs["db"] = db
    with pytest.raises(InputError):
        func(**kwargs)
    assert not db.exists()  # nothing was stored
