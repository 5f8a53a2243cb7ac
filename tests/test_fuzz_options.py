"""Fuzzing the commands' option values: every bad value exits with code 2 and one message, without a traceback,
without touching the results file, within the deadline.

Each command gets the fuzzed option together with one known-bad option that is checked after it (a run window
that ends before it starts, a results file that does not exist, ...), so a fuzzed value that happens to be
valid cannot start a simulation: the exit code must be 2 either way.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzzing import FUZZ, cli
from hypothesis import assume, given
from hypothesis import strategies as st

from nkborder.errors import InputError
from nkborder.inputs.checks import check_scheduler, check_seed
from nkborder.store import ResultsStore

shell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
values = st.one_of(
    shell_text,
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["-1", "0", "1e999", "nan", "2.5", "9223372036854775808", "http://x:1", "tcp://", "tls://h:0",
                     "a:b:c", "0:1:2", "[bold]x[/]", ":smile:", "../../etc/passwd", "/", ".", "x.csv", "x.parquet",
                     "f.txt/y.csv", "f.txt", "ro/x.csv", "/proc/1/x.csv", "", " ", "inminban_households=25.5",
                     "detect_base=2", "=", "x=", "districts=1e9", "history", "no-such", "s.toml", "2020:2019"]),
)

BAD_WINDOW = ["--start", "2000-01-01", "--end", "1999-01-01"]  # refused after every option of run
COMMANDS = {  # command -> (its arguments, the options fuzzed, the known-bad option checked last)
    "run": (["run", "history"], ["--seed", "--scale", "--out", "--set", "--db"], BAD_WINDOW),
    "ensemble": (["ensemble", "history"], ["--seed", "--scale", "--set", "--reps", "--workers", "--name"],
                 ["--start", "not-a-date"]),
    "sweep": (["sweep", "history"], ["--seed", "--scale", "--vary", "--design", "--samples"],
              ["--start", "not-a-date"]),
    "compare": (["compare", "history", "no-closure"], ["--seed", "--scale", "--period", "--output"],
                ["--start", "not-a-date"]),
    "sensitivity": (["sensitivity", "history"], ["--seed", "--scale", "--method", "--params", "--samples"],
                    ["--start", "not-a-date"]),
    "export": (["export", "no-such-run"], ["--format", "--out", "--table"], []),
    "delete": (["delete", "no-such-run"], ["--experiment", "--db"], []),
    "runs": (["runs"], ["--format", "--experiment"], ["--db", "missing.duckdb"]),
    "plot": (["plot", "no-such-experiment"], ["--format", "--out", "--indicators"], []),
    "calibrate": (["calibrate", "history"], ["--seed", "--observed", "--parameters", "--fix", "--last"],
                  ["--scheduler", "http://bad"]),
    "validate": (["validate", "history"], ["--seed", "--observed", "--holdout", "--out", "--figure"],
                 ["--scheduler", "http://bad"]),
    "posterior": (["posterior", "no-such-calibration"], ["--toml"], []),
    "app": (["app"], ["--port", "--db", "--allow-host"], ["--backend", "bogus"]),
}


@pytest.fixture(scope="module")
def workdir() -> Path:
    """A folder with an empty results file, a plain file, a read-only folder and a scenario file (and the
    commands' modules imported, so that no example pays for the first import of pyabc or Dask)."""
    import nkborder.calibration
    import nkborder.experiments  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ResultsStore(folder / "r.duckdb").close()
        (folder / "f.txt").write_text("a file")
        (folder / "s.toml").write_text('base = "history"\nname = "s"\n')
        (folder / "ro").mkdir()
        (folder / "ro").chmod(0o500)
        yield folder
        (folder / "ro").chmod(0o700)


def fingerprint(path: Path) -> tuple[int, bytes]:
    data = path.read_bytes()
    return len(data), data[-4096:]


@FUZZ
@given(command=st.sampled_from(sorted(COMMANDS)), data=st.data())
def test_fuzzed_option_exits_2_without_traceback_or_store_change(workdir: Path, command: str,
                                                                 data: st.DataObject) -> None:
    base, options, known_bad = COMMANDS[command]
    chosen = data.draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
    args = list(base)
    for option in chosen:
        args += [option, data.draw(values)]
    db = [] if "--db" in chosen or command in ("runs", "app") else ["--db", "r.duckdb"]
    before = fingerprint(workdir / "r.duckdb")
    code, output = cli([*args, *known_bad, *db], workdir)
    assert code == 2, (args, output)
    assert "Traceback" not in output and len(output) < 20_000, output[-2000:]
    assert fingerprint(workdir / "r.duckdb") == before


@FUZZ
@given(seed=st.one_of(st.integers(min_value=-(2**80), max_value=2**80), st.floats(), st.text(max_size=5),
                      st.booleans(), st.none()))
def test_seed_is_accepted_exactly_in_range(seed: object) -> None:
    ok = type(seed) is int and 0 <= seed < 2**63
    try:
        assert check_seed(seed) == seed and ok
    except InputError:
        assert not ok


@FUZZ
@given(address=st.one_of(shell_text, st.builds(lambda s, h, p: f"{s}://{h}:{p}",
                                               st.sampled_from(["tcp", "tls", "http", "ws", "inproc", ""]),
                                               shell_text, st.integers(-5, 70000))))
def test_scheduler_address_is_tcp_or_tls_or_refused(address: str) -> None:
    try:
        checked = check_scheduler(address)
    except InputError as exc:
        assert "tcp://HOST:PORT" in str(exc)
        return
    assert checked.split("://")[0] in ("tcp", "tls")


@FUZZ
@given(address=shell_text.filter(lambda a: not a.startswith(("tcp://", "tls://"))))
def test_ensemble_refuses_a_bad_scheduler_at_once(workdir: Path, address: str) -> None:
    assume(address.strip())
    code, output = cli(["ensemble", "history", "--scheduler", address, "--db", "r.duckdb"], workdir)
    assert code == 2 and "--scheduler" in output and "Traceback" not in output
