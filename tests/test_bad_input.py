"""Bad input from outside ends in exit code 2 (CLI) or an InputError (API) naming the file or option, the field
and what is allowed: no traceback, no hang, nothing written to the store."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import nkborder
from nkborder.cli import app
from nkborder.errors import InputError
from nkborder.inputs.checks import check_scheduler, check_seed
from nkborder.params import Params, parameter_info
from nkborder.reading import MAX_SCENARIO_BYTES, bracket_depth, parse_toml
from nkborder.scenarios import load_scenario
from nkborder.scenarios.scenario import load_scenario_text


def cli(*args: str, cwd: Path) -> tuple[int, str]:
    """Exit code and stderr of ``nkborder ARGS`` run in this process, in ``cwd``."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        done = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)
    assert not isinstance(done.exception, Exception) or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.stderr


SCENARIO_FILES = [  # (file bytes, what the message must contain)
    (b"\xff\xfe\x00b", "not UTF-8"),
    (b"", "no settings"),
    (b"# only a comment\n", "no settings"),
    (b"x = " + b"[" * 5000 + b"]" * 5000, "nested"),
    (b"a." * 3000 + b"b = 1", "nested"),
    (b"base = 5\n", "base"),
    (b'base = "history"\nparams = "x"\n', "[params] table"),
    (b'base = "history"\ndrop_events = "famine"\n', 'drop_events = ["famine"]'),
    (b'base = "history"\nevents = 3\n', "[[events]]"),
    (b'base = "history"\nend = "soon"\n', "end"),
    (b'base = "history"\ncities = 5\n', "cities"),
    (b'base = "history"\npath = "x"\n', "unknown key"),
    (b'name = "' + b"x" * 500_000 + b'"\n', "at most 120 characters"),
    (b'name = "a:b:c [bold]x[/]"\nstart = 1995-01-01\nend = 1994-01-01\n', "start"),
]


@pytest.mark.parametrize(("data", "said"), SCENARIO_FILES)
def test_bad_scenario_file_exits_2_naming_the_file(tmp_path: Path, data: bytes, said: str) -> None:
    (tmp_path / "s.toml").write_bytes(data)
    code, err = cli("check", "s.toml", cwd=tmp_path)
    assert code == 2 and "s.toml" in err and said in err, err[:500]
    assert len(err) < 2000


def test_base_cycles_and_chains_are_refused(tmp_path: Path) -> None:
    (tmp_path / "self.toml").write_text('base = "self"\n')
    (tmp_path / "a.toml").write_text('base = "b"\n')
    (tmp_path / "b.toml").write_text('base = "a"\n')
    for name in ("self.toml", "a.toml"):
        code, err = cli("check", name, cwd=tmp_path)
        assert code == 2 and "cycle" in err, err
    for i in range(12):  # c0 <- c1 <- ... <- c11, c0 extends history
        (tmp_path / f"c{i}.toml").write_text(f'base = "{"history" if i == 0 else f"c{i - 1}"}"\nname = "c{i}"\n')
    assert load_scenario(tmp_path / "c5.toml").name == "c5"
    with pytest.raises(InputError, match="bases in a chain"):
        load_scenario(tmp_path / "c11.toml")


def test_uploaded_scenario_base_is_shipped_or_uploaded_never_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text('name = "secret"\n')
    for base in (str(secret), str(tmp_path / "secret"), "../scenarios/history", "/etc/passwd"):
        with pytest.raises(InputError, match="no shipped scenario or uploaded file") as info:
            load_scenario_text(f'base = "{base}"\n', "up.toml")
        assert "secret\"" not in str(info.value) and info.value.source == "up.toml"
    history = len(load_scenario("history").events)
    assert len(load_scenario_text('base = "history"\nname = "u"\n', "up.toml").events) == history
    mine = load_scenario_text('base = "mine"\nname = "u"\n', "up.toml", {"mine.toml": 'base = "history"\n'})
    assert mine.name == "u" and len(mine.events) == history
    with pytest.raises(InputError, match="cycle"):
        load_scenario_text('base = "up"\n', "up.toml", {"up.toml": 'base = "up"\n'})


def test_drop_events_names_the_event_not_its_first_letter(tmp_path: Path) -> None:
    (tmp_path / "d.toml").write_text('base = "history"\ndrop_events = ["no-such-event"]\n')
    code, err = cli("check", "d.toml", cwd=tmp_path)
    assert code == 2 and "'no-such-event'" in err


def test_scenario_size_limit_reads_only_up_to_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (MAX_SCENARIO_BYTES + 10))
    with pytest.raises(InputError, match="too large"):
        load_scenario(big)


def test_bracket_depth_ignores_strings_and_comments() -> None:
    text = 'a = "[[[[[[[["\nb = \'{{{{{{{{\'\nc = """\n[[[[[[[[\n"""\n# [[[[[[[[[[\nd = [[1], [2]]\n'
    assert bracket_depth(text) == (2, 7)
    assert parse_toml(text, "x")["d"] == [[1], [2]]
    with pytest.raises(InputError, match="line 2"):
        parse_toml('a = 1\nb = [[[[[[[[[[1]]]]]]]]]]\n', "x.toml")


def test_non_utf8_observed_csv_is_an_input_error(tmp_path: Path) -> None:
    from nkborder.inputs import arrivals_south_korea

    (tmp_path / "defector_arrivals.csv").write_bytes(b"year,total\n\x89PNG\x00\xff\n")
    with pytest.raises(InputError, match=r"defector_arrivals\.csv.*not UTF-8"):
        arrivals_south_korea(tmp_path)


BAD_OPTIONS = [  # (arguments, words the message must contain)
    (["run", "history", "--seed", "-1"], "--seed"),
    (["run", "history", "--seed", str(2**70)], "--seed"),
    (["run", "history", "--out", "."], "existing folder"),
    (["run", "history", "--out", "f.txt/y.csv"], "is a file"),
    (["run", "history", "--set", "inminban_households=25.5"], "whole number"),
    (["run", "history", "--set", "districts=2.5"], "whole number"),
    (["ensemble", "history", "--scheduler", "http://127.0.0.1:1"], "tcp://"),
    (["ensemble", "history", "--scheduler", "tcp://"], "tcp://"),
    (["ensemble", "history", "--seed", "-5"], "--seed"),
    (["export", "r1", "--format", "csv", "--out", "x.parquet"], ".csv file"),
    (["export", "r1", "--out", "f.txt/sub"], "is a file"),
    (["plot", "e", "--out", "f.txt"], "is a file"),
    (["sweep", "history", "--vary", "detect_base=a:b:c"], "a:b:c"),
    (["app", "--host", "999.1.1.1"], "--host"),
]


@pytest.mark.parametrize(("args", "said"), BAD_OPTIONS)
def test_bad_option_exits_2_before_any_work(tmp_path: Path, args: list[str], said: str) -> None:
    (tmp_path / "f.txt").write_text("a file")
    code, err = cli(*args, "--db", "r.duckdb", cwd=tmp_path) if args[0] != "app" else cli(*args, cwd=tmp_path)
    assert code == 2 and said in err, err
    assert not (tmp_path / "r.duckdb").exists()  # nothing was stored, not even a failed run


def test_read_only_out_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        code, err = cli("run", "history", "--out", "locked/y.csv", "--db", "r.duckdb", cwd=tmp_path)
        assert code == 2 and "permission denied" in err
        code, err = cli("export", "r1", "--out", "locked", "--db", "r.duckdb", cwd=tmp_path)
        assert code == 2 and "permission denied" in err
    finally:
        locked.chmod(0o700)


def test_integer_parameters_are_typed_int() -> None:
    integer = [n for n in Params.model_fields if parameter_info(n)["integer"]]
    assert integer and all(Params.model_fields[n].annotation is int for n in integer)
    assert Params(inminban_households=25.0).inminban_households == 25
    assert isinstance(Params().districts, int)


def test_checks_of_seeds_and_schedulers() -> None:
    assert check_seed(2**63 - 1) == 2**63 - 1 and check_seed(np.int64(3)) == 3
    for bad in (-1, 2**63, 1.5, 3.0, True, "3", None):
        with pytest.raises(InputError):
            check_seed(bad)
    assert check_scheduler("tls://sched.example:8786") == "tls://sched.example:8786"
    for bad in ("http://x:1", "tcp://", "x:8786", "tcp://h:99999", "tcp://h:1/path"):
        with pytest.raises(InputError, match="tcp://HOST:PORT"):
            check_scheduler(bad)


def test_api_raises_input_error_before_simulating(tmp_path: Path) -> None:
    (tmp_path / "cycle.toml").write_text('base = "cycle"\n')
    calls = [
        {"scenario": 5}, {"scenario": tmp_path / "cycle.toml"}, {"seed": -1}, {"seed": 2**64}, {"scale": "1"},
        {"start": "1995-02-30"}, {"start": 1995}, {"overrides": "detect_base=1"}, {"overrides": {"x": 1}},
        {"db": tmp_path}, {"db": tmp_path / "cycle.toml" / "r.duckdb"},
    ]
    for kwargs in calls:
        with pytest.raises(InputError):
            nkborder.run(**{"scale": 0.01, **kwargs})


def test_thousands_of_events_are_refused_and_timelines_stay_small(tmp_path: Path) -> None:
    from nkborder.app import charts
    from nkborder.scenarios.scenario import MAX_EVENTS

    def events(n: int) -> str:
        return "".join(f'[[events]]\nid = "e{i}"\nkind = "crackdown"\nstart = 2001-01-01\nintensity = 0.5\n'
                       for i in range(n))

    (tmp_path / "many.toml").write_text('name = "many"\n' + events(3000))
    code, err = cli("check", "many.toml", cwd=tmp_path)
    assert code == 2 and "3000 events" in err and f"at most {MAX_EVENTS}" in err
    (tmp_path / "some.toml").write_text('name = "some"\n' + events(100))
    fig = charts.timeline_figure(load_scenario(tmp_path / "some.toml"))
    assert len(fig.axes[0].get_yticklabels()) == charts.TIMELINE_ROWS < 100
    assert "first 60 of 100 events" in fig.axes[0].get_title()
    assert len(charts.png(fig)) < 1_000_000
