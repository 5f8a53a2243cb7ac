"""Fuzzing scenario files: mutated bytes, encodings, nesting, types, dates, events and bases.

Whatever the file, loading it gives a Scenario or an InputError (the documented exception), ``nkborder check``
exits with 0 or 2 without a traceback, an upload to the app never reads a server file, and each input is
answered within the deadline.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from fuzzing import FUZZ, cli, keys, toml_values
from hypothesis import given
from hypothesis import strategies as st

from nkborder.app import state
from nkborder.errors import InputError
from nkborder.scenarios import load_scenario, shipped_dir

SHIPPED = {p.stem: p.read_text(encoding="utf-8") for p in sorted(shipped_dir().glob("*.toml"))}
SMALL = 'name = "s"\ncities = ["Hyesan"]\nstart = 2019-01-01\nend = 2020-12-31\n[params]\ndetect_base = 0.4\n' \
        '[[events]]\nid = "c"\nkind = "border_closure"\nstart = 2020-01-27\nplace = "border"\n'


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """A scenario text with one to four line-level mutations: values replaced, keys added, lines dropped,
    duplicated or swapped."""
    lines = draw(st.sampled_from([*SHIPPED.values(), SMALL])).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["value", "insert", "drop", "duplicate", "swap", "event"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "value" and lines and "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + draw(toml_values)
        elif op == "insert":
            lines.insert(draw(st.integers(0, 3)), f"{draw(keys)} = {draw(toml_values)}")
        elif op == "drop" and lines:
            del lines[i]
        elif op == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "event":
            field = draw(st.sampled_from(["id", "kind", "start", "end", "place", "intensity", "ramp", "x"]))
            lines += ["[[events]]", 'id = "fuzz"', 'kind = "crackdown"', "start = 2001-01-01",
                      f"{field} = {draw(toml_values)}"]
    return "\n".join(lines) + "\n"


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """A scenario file's bytes: a mutated text, maybe in another encoding, with bytes flipped, inserted or cut."""
    data = draw(mutated_text()).encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"])),
                                       errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["flip", "insert", "cut"]))
        i = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif op == "insert":
            data = data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
        else:
            data = data[:i]
    return data


def load_or_error(path: Path) -> str | None:
    """None if ``path`` loads, else the InputError's text (anything else fails the test)."""
    try:
        load_scenario(path)
    except InputError as exc:
        return str(exc)
    return None


@FUZZ
@given(data=mutated_bytes(), sibling=st.sampled_from(["", 'base = "s"\n', 'base = "other"\n', 'name = "o"\n']))
def test_mutated_scenario_file_loads_or_is_refused_clearly(data: bytes, sibling: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.toml").write_bytes(data)
        (folder / "other.toml").write_text(sibling)
        error = load_or_error(folder / "s.toml")
        code, output = cli(["check", "s.toml"], folder)
        assert code == (0 if error is None else 2), output
        assert "Traceback" not in output and len(output) < 5000
        if error is not None:
            assert output.startswith("error: ") and ("s.toml" in output or "other.toml" in output), output


@FUZZ
@given(data=mutated_bytes(), base=st.sampled_from(["", "/etc/hostname", "secret", "../secret", "up", "history"]))
def test_mutated_upload_loads_or_is_refused_without_reading_server_files(data: bytes, base: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        secret = Path(tmp) / "secret.toml"
        secret.write_text('name = "SECRET-CONTENT"\n')
        named = str(Path(tmp) / base) if base == "secret" else base
        if base:
            data = f'base = "{named}"\n'.encode() + data
        try:
            sc = state.load_upload("up.toml", data)
        except InputError as exc:  # may quote the base as written, but tells nothing of the server's files
            said = str(exc).replace(named, "") if named else str(exc)
            assert tmp not in said and "SECRET-CONTENT" not in said, said
            assert exc.source in ("up.toml", "history.toml") or exc.source.endswith(".toml"), exc.source
        else:
            assert sc.name != "SECRET-CONTENT" and "SECRET-CONTENT" not in sc.text


@FUZZ
@given(depth=st.integers(1, 3000), kind=st.sampled_from(["[", "{ a = ", "dotted"]))
def test_deep_nesting_is_refused_not_a_recursion_error(depth: int, kind: str) -> None:
    if kind == "[":
        text = "x = " + "[" * depth + "]" * depth
    elif kind == "dotted":
        text = "a" + ".a" * depth + " = 1"
    else:
        text = "x = " + "{ a = " * depth + "1" + " }" * depth
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "s.toml").write_text(text)
        error = load_or_error(Path(tmp) / "s.toml")
    assert error is not None  # no scenario has such keys; deep ones are refused for their depth
    if depth > 10:
        assert "nested" in error, error


@FUZZ
@given(names=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=6))
def test_chains_and_cycles_of_bases_end(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chain = [*names, "history"]
        bases = dict(itertools.pairwise(chain))  # the last write of a name wins
        for child, parent in bases.items():
            (folder / f"{child}.toml").write_text(f'base = "{parent}"\nname = "{child}"\n')
        error = load_or_error(folder / f"{names[0]}.toml")
    seen, name = [], names[0]
    while name in bases and name not in seen:
        seen.append(name)
        name = bases[name]
    if name == "history":
        assert error is None, error
    else:
        assert error is not None and "cycle" in error, error
