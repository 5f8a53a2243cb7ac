"""Fuzzing the observed CSVs of ``--observed``: a folder of the shipped files with one of them mutated (cells,
bytes, encodings, header) gives calibration targets or an InputError naming the file, never another exception,
within the deadline."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path

from fuzzing import FUZZ
from hypothesis import given
from hypothesis import strategies as st

from nkborder.calibration.targets import FILES, load_targets
from nkborder.errors import InputError
from nkborder.observation.model import city_weights

DATA = Path(str(files("nkborder") / "data"))
cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "nan", "-1", "1e999", "0", "1,000", "210-240", "~200", "1000->820", "2016 (c.Mar)",
                     "c.1999 / c.2013", "before 2014", "2010s", "99999", "-2000", "same", "%", "share", "CNY", "USD",
                     "KPW", "persons", "% women", "cross broker fee", "bribe to border guards", "remittance commission",
                     "Hoeryong", "North Hamgyong province"]),
)


@st.composite
def mutated_csv(draw: st.DrawFn, name: str) -> bytes:
    """The shipped ``name`` with cells replaced, rows or columns dropped, then maybe bytes flipped or re-encoded."""
    rows = list(csv.reader(io.StringIO((DATA / name).read_text(encoding="utf-8-sig"), newline="")))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["cell", "cell", "header", "drop_row", "drop_column", "extra_cells"]))
        r = draw(st.integers(0, len(rows) - 1))
        if op == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(cells)
        elif op == "header" and rows[0]:
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(cells)
        elif op == "drop_row" and len(rows) > 1:
            del rows[r]
        elif op == "drop_column" and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif op == "extra_cells":
            rows[r] = rows[r] + draw(st.lists(cells, max_size=3))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"])), errors="replace")
    if draw(st.booleans()):
        i = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:i] + draw(st.binary(max_size=6)) + data[i + draw(st.integers(0, 4)) :]
    return data


@FUZZ
@given(data=st.data(), name=st.sampled_from(FILES))
def test_mutated_observed_csv_gives_targets_or_input_error(data: st.DataObject, name: str) -> None:
    content = data.draw(mutated_csv(name))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for other in FILES:
            shutil.copy(DATA / other, folder / other)
        (folder / name).write_bytes(content)
        for read in (load_targets, city_weights):
            try:
                read(folder)
            except InputError as exc:
                assert tmp in exc.source or exc.source in FILES or "--observed" in (exc.field, exc.source), exc
