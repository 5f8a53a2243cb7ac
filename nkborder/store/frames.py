"""Wide DataFrames to rows of the named run tables and back, with the same columns, order and dtypes.

A frame is checked before anything is written (unique string column names, the table's key columns, numeric
indicators, no duplicate keys) and becomes an Arrow table: ``run_id``, the key columns, then one ``float64``
column per indicator (NaN stored as NULL). Reading selects a run's own columns and restores the dtypes that
``frame_info`` recorded, so values come back bit for bit (integers up to 2**53, as in any float64 column).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from nkborder.store.connection import StoreError
from nkborder.store.schema import FREQS, PARTS, YEARLY


@dataclass(frozen=True)
class Frame:
    """A wide frame checked and turned into rows of its table, plus what is needed to rebuild it."""

    columns: list[str]
    dtypes: list[str]
    cities: list[str]
    indicators: list[str]
    rows: pa.Table  # key columns as in the table, then the indicators as float64 (NaN -> null)

    @property
    def n_rows(self) -> int:
        return self.rows.num_rows


def keys(freq: str) -> tuple[str, ...]:
    """Key columns of a ``freq`` table: period, city and, for sectors and districts, the place."""
    part = PARTS.get(freq)
    return (FREQS[freq], "city") if part is None else (FREQS[freq], "city", part)


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def to_frame(path: Path, freq: str, df: Any) -> Frame | None:
    """Check a wide frame and turn it into rows (vectorised); None for an empty sectors or districts frame."""
    if freq not in FREQS:
        raise StoreError(path, f"table {freq!r} not known", ", ".join(FREQS))
    if not isinstance(df, pd.DataFrame):
        raise StoreError(path, f"the {freq} table is a {type(df).__name__}, not a pandas DataFrame")
    part = PARTS.get(freq)
    if part is not None and len(df) == 0:
        return None
    columns = list(df.columns)
    key_cols = keys(freq)
    bad = [c for c in columns if not isinstance(c, str)]
    counts = Counter(str(c).lower() for c in columns)
    dup = sorted(c for c in columns if isinstance(c, str) and counts[c.lower()] > 1)
    if bad or dup:
        raise StoreError(path, f"{freq} table: column names must be unique strings, also ignoring case "
                         f"({bad or dup})")
    missing = [k for k in key_cols if k not in columns]
    if missing:
        raise StoreError(path, f"{freq} table needs columns {_and(key_cols)}; missing {_and(missing)} "
                         f"(has {columns[:6]})")
    names = [c for c in columns if c not in key_cols]
    if not names:
        raise StoreError(path, f"{freq} table has no indicator columns")
    if "run_id" in [c.lower() for c in names]:
        raise StoreError(path, f"{freq} table: 'run_id' is the store's own column, not an indicator name")
    dtypes = list(df.dtypes)
    wrong = [c for c, d in zip(columns, dtypes, strict=True) if c not in key_cols and not _is_number(d)]
    if wrong:
        raise StoreError(path, f"{freq} table: indicator columns must be numeric, not {wrong}")
    if df["city"].isna().any():
        raise StoreError(path, f"{freq} table: 'city' has missing values")
    periods = _periods(path, freq, df[key_cols[0]])
    city_codes, cities = pd.factorize(df["city"].astype(str))
    ids = [periods, city_codes]
    arrays: dict[str, pa.Array] = {
        key_cols[0]: pa.array(_whole(path, freq, "year", df["year"]) if freq in YEARLY else periods),
        "city": pa.DictionaryArray.from_arrays(pa.array(city_codes.astype(np.int32)),
                                               pa.array(list(cities), pa.string())),
    }
    if part is not None:
        places = _whole(path, freq, part, df[part])
        ids.append(places)
        arrays[part] = pa.array(places)
    if _has_duplicates(ids):
        raise StoreError(path, f"{freq} table: more than one row for the same {_and(key_cols, quote=False)}")
    for name in names:
        arrays[name] = pa.array(df[name].to_numpy(dtype=np.float64, na_value=np.nan), from_pandas=True)
    return Frame(columns, [str(d) for d in dtypes], list(cities), names, pa.table(arrays))


def rebuild(found: pd.DataFrame, freq: str, run_ids: list[str], infos: dict[str, tuple]) -> pd.DataFrame:
    """The rows of ``run_ids`` read from table ``freq`` as one wide frame, ``run_id`` first, with the columns
    and dtypes recorded in ``infos`` (``{run_id: (columns, dtypes, cities)}``; the first run wins a dtype).

    Rows are sorted by run (order of ``run_ids``), period, city (order of first appearance when written),
    then sector or district.
    """
    key_cols = keys(freq)
    columns: dict[str, str] = {}
    cities: dict[str, None] = {}
    for run_id in run_ids:
        if run_id in infos:
            cols, dtypes, city_order = infos[run_id]
            for c, d in zip(cols, dtypes, strict=True):
                columns.setdefault(c, d)
            cities.update(dict.fromkeys(city_order))
    run_pos = {r: i for i, r in enumerate(run_ids)}
    city_pos = {c: i for i, c in enumerate(cities)}
    part = found[key_cols[2]].to_numpy(dtype=np.int64) if len(key_cols) > 2 else np.zeros(len(found), np.int64)
    order = np.lexsort((
        part,
        found["city"].map(city_pos).to_numpy(),
        pd.to_datetime(found[key_cols[0]]).to_numpy() if freq not in YEARLY else found[key_cols[0]].to_numpy(),
        found["run_id"].map(run_pos).to_numpy(),
    ))
    found = found.iloc[order].reset_index(drop=True)
    restored = {c: _restore_dtype(found[c], dtype) for c, dtype in columns.items()}
    return pd.concat([found[["run_id"]], pd.DataFrame(restored)], axis=1)


def empty(freq: str) -> pd.DataFrame:
    """A ``freq`` table with no rows: ``run_id`` and the key columns."""
    key = FREQS[freq]
    cols = {"run_id": pd.Series(dtype=object),
            key: pd.Series(dtype="int64" if freq in YEARLY else "datetime64[ns]"),
            "city": pd.Series(dtype=object)}
    if freq in PARTS:
        cols[PARTS[freq]] = pd.Series(dtype="int64")
    return pd.DataFrame(cols)


def _periods(path: Path, freq: str, col: pd.Series) -> np.ndarray:
    """The period of each row as ``datetime64[D]`` (1 January for a year), to find duplicate keys."""
    if freq in YEARLY:
        years = _whole(path, freq, "year", col)
        return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    dates = pd.to_datetime(col).to_numpy()
    days = dates.astype("datetime64[D]")
    if np.isnat(dates).any() or (days != dates).any():
        raise StoreError(path, f"{freq} table: 'date' must be calendar dates without gaps or times")
    return days


def _whole(path: Path, freq: str, name: str, col: pd.Series) -> np.ndarray:
    """A key column of whole numbers (years, sectors, districts) as int64, or StoreError naming it."""
    ok = (pd.api.types.is_integer_dtype(col) or pd.api.types.is_float_dtype(col)) and col.notna().all()
    if ok and pd.api.types.is_float_dtype(col):
        ok = bool((col % 1 == 0).all())
    if ok:
        ok = bool(((col >= -(2**31)) & (col < 2**31)).all())
    if not ok:
        what = "whole years" if name == "year" else "whole numbers"
        raise StoreError(path, f"{freq} table: {name!r} must hold {what} within 32 bits (dtype {col.dtype})")
    return col.to_numpy(dtype=np.int64)


def _has_duplicates(ids: list[np.ndarray]) -> bool:
    """Whether two rows have the same values in all of ``ids`` (arrays of one length)."""
    if len(ids[0]) < 2:
        return False
    order = np.lexsort(ids[::-1])
    same = np.ones(len(order) - 1, dtype=bool)
    for key in ids:
        ordered = key[order]
        same &= ordered[1:] == ordered[:-1]
    return bool(same.any())


def _and(names: tuple[str, ...] | list[str], quote: bool = True) -> str:
    """``'a', 'b' and 'c'``."""
    items = [repr(n) if quote else str(n) for n in names]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _restore_dtype(col: pd.Series, dtype: str) -> pd.Series:
    """``col`` as the dtype it was written with, when that is possible without losing values."""
    if str(col.dtype) == dtype:
        return col
    try:
        target = pd.api.types.pandas_dtype(dtype)
        if col.isna().any() and (pd.api.types.is_integer_dtype(target) or pd.api.types.is_bool_dtype(target)):
            return col  # NaN from a run lacking this column: stay float
        return col.astype(target)
    except (TypeError, ValueError):
        return col


def _is_number(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
