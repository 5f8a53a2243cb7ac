"""The results store: runs and their indicator tables in one embedded DuckDB file.

Why DuckDB: one file, no server, fast columnar scans for comparing many runs, and Parquet/CSV export.
Concurrency: DuckDB lets one *process* open a file for writing at a time (readers in other processes are
locked out too while it is open for writing). Experiments therefore write from one client process (workers
return tables, the client stores them); opening a file that another process holds raises :class:`StoreError`.

Durability: every public method that writes runs in one transaction and commits before returning, so a
process killed mid-write leaves either the old rows or the new ones, never half a table. A run whose process
died stays ``running`` until :meth:`ResultsStore.mark_stale_running` marks it ``interrupted``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nkborder.errors import InputError
from nkborder.store.schema import (
    DDL,
    DEFAULT_DB,
    END_STATUSES,
    FORMATS,
    FREQS,
    PARTS,
    ROW_TABLES,
    RUN_COLUMNS,
    SCHEMA_VERSION,
    STATUSES,
    YEARLY,
)


class StoreError(InputError):
    """A results file that cannot be used as asked: names the file, the problem and what is allowed.

    It is bad input like any other (the CLI exits with code 2), so it is an :class:`InputError`.
    """

    def __init__(self, path: str | Path, problem: str, allowed: str = "") -> None:
        self.path = str(path)
        super().__init__(self.path, "", problem, allowed)


@dataclass(frozen=True)
class RunRecord:
    """One row of the ``runs`` table: what ran, where, and how it ended (timestamps in UTC)."""

    run_id: str
    experiment: str | None
    run_key: str | None
    scenario_name: str
    scenario_text: str
    params_json: str
    seed: int
    scale: float
    start_date: dt.date
    end_date: dt.date
    code_version: str
    status: str
    message: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    wall_seconds: float | None
    pid: int | None
    host: str | None

    @property
    def params(self) -> dict[str, Any]:
        """The parameter values of the run, decoded from ``params_json``."""
        return json.loads(self.params_json)


@dataclass(frozen=True)
class _Rows:
    """A wide frame checked and turned into ``frame_rows`` rows, plus what is needed to rebuild it."""

    columns: list[str]
    dtypes: list[str]
    cities: list[str]
    n_rows: int
    rows: pa.Table  # period (date32), city (dictionary strings), part (int64 or null), vals (lists of float64)


class ResultsStore:
    """Runs and their yearly/monthly/daily, per-sector and per-district tables in one DuckDB file.

    Args:
        path: the results file; it and its schema are created if missing (unless ``read_only``).
        read_only: open without write access (still exclusive of a writing process, a DuckDB rule).
    """

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.RLock()
        self._con: duckdb.DuckDBPyConnection | None = None
        if read_only and not self.path.exists():
            raise StoreError(self.path, "no results file here (a read-only store does not create one)")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(self.path, _open_problem(exc)) from None
        self._has_rows = True  # whether the file has the frame_info/frame_rows tables (schema version >= 2)
        try:
            self._init_schema()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection (idempotent); the file stays consistent whenever this is skipped."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"ResultsStore({str(self.path)!r}, {mode}{', closed' if self._con is None else ''})"

    # ---------------------------------------------------------------------------------------------- writes
    def begin_run(
        self, *, scenario_name: str, scenario_text: str, params: Mapping[str, Any], seed: int, scale: float,
        start: dt.date, end: dt.date, code_version: str, experiment: str | None = None,
        run_key: str | None = None,
    ) -> str:
        """Record a new run with status ``running`` (committed at once) and return its id."""
        row = self._run_row(
            scenario_name=scenario_name, scenario_text=scenario_text, params=params, seed=seed, scale=scale,
            start=start, end=end, code_version=code_version, experiment=experiment, run_key=run_key,
        )
        with self.transaction() as con:
            self._insert_run(con, row)
        return row["run_id"]

    def write_table(self, run_id: str, freq: str, df: pd.DataFrame) -> None:
        """Store the wide ``freq`` table of a run in one transaction, replacing any earlier one.

        ``freq`` is ``yearly``, ``monthly`` or ``daily`` (key columns ``year`` or ``date``, and ``city``),
        ``sectors`` (``date``, ``city``, ``sector``) or ``districts`` (``year``, ``city``, ``district``); every
        other column must be numeric. An empty sectors or districts frame stores nothing (and removes an
        earlier one).
        """
        rows = self._to_rows(freq, df)
        with self.transaction() as con:
            self._require_run(con, run_id)
            self._replace_table(con, run_id, freq, rows)

    def finish_run(
        self, run_id: str, status: str = "finished", message: str = "", *, wall_seconds: float | None = None
    ) -> None:
        """End a run as ``finished``, ``failed`` or ``interrupted``; ``wall_seconds`` defaults to the
        time since ``begin_run``."""
        self._check_end_status(status)
        with self.transaction() as con:
            self._require_run(con, run_id)
            self._finish(con, run_id, status, message, wall_seconds)

    def record_run(
        self, *, tables: Mapping[str, pd.DataFrame], status: str = "finished", message: str = "",
        wall_seconds: float | None = None, **begin_kwargs: Any,
    ) -> str:
        """Begin, write ``tables`` (``{freq: wide DataFrame}``, see :meth:`write_table`) and finish a run in ONE
        transaction.

        For runs that are complete before they are stored (an experiment client storing what a worker
        returned): either the whole run is in the file afterwards or nothing of it is. Every table is checked
        before anything is written. ``begin_kwargs`` are those of :meth:`begin_run`; ``wall_seconds``
        defaults to 0 (the run began and ended in this call).
        """
        self._check_end_status(status)
        row = self._run_row(**begin_kwargs)
        converted = {freq: self._to_rows(freq, df) for freq, df in tables.items()}
        row.update(status=status, message=message, finished_at=row["started_at"],
                   wall_seconds=0.0 if wall_seconds is None else float(wall_seconds))
        with self.transaction() as con:
            self._insert_run(con, row)  # the new run, already with its end status: one INSERT, no UPDATE
            for freq, rows in converted.items():
                self._insert_table(con, row["run_id"], freq, rows)  # a new run: nothing to replace
        return row["run_id"]

    def mark_stale_running(self) -> int:
        """Mark ``interrupted`` the runs left ``running`` by a process of this host that no longer exists.

        Runs of other hosts are left alone (their pids mean nothing here). Returns how many were marked.
        A recycled pid (a new process with the dead one's number) keeps its run ``running``.
        """
        host = socket.gethostname()
        with self.transaction() as con:
            rows = con.execute(
                "SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ? AND pid IS NOT NULL",
                [host],
            ).fetchall()
            stale = [(run_id, pid) for run_id, pid in rows if not _pid_alive(pid)]
            for run_id, pid in stale:
                con.execute(
                    "UPDATE runs SET status = 'interrupted', message = ? WHERE run_id = ?",
                    [f"process {pid} on {host} ended before the run finished", run_id],
                )
        return len(stale)

    # ----------------------------------------------------------------------------------------------- reads
    def runs(self, experiment: str | None = None, status: str | None = None) -> pd.DataFrame:
        """The ``runs`` table, newest first, optionally only one experiment and/or one status."""
        if status is not None and status not in STATUSES:
            raise StoreError(self.path, f"status {status!r} not known", ", ".join(STATUSES))
        with self._lock:
            return self.connection().execute(
                "SELECT * FROM runs WHERE (?::VARCHAR IS NULL OR experiment = ?) "
                "AND (?::VARCHAR IS NULL OR status = ?) ORDER BY started_at DESC, rowid DESC",
                [experiment, experiment, status, status],
            ).df()

    def run(self, run_id: str) -> RunRecord:
        """The record of one run; :class:`StoreError` if the id is unknown."""
        with self._lock:
            row = self.connection().execute(
                f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE run_id = ?", [run_id]
            ).fetchone()
        if row is None:
            raise StoreError(self.path, f"no run with id {run_id!r}")
        return RunRecord(*row)

    def table(self, run_id: str, freq: str = "yearly") -> pd.DataFrame:
        """The wide ``freq`` table of a run, with the columns, order and dtypes it was written with.

        Rows come sorted by period, then city in the order the cities first appeared when written, then
        sector or district. A run without a ``sectors`` or ``districts`` table gives an empty frame with the
        key columns; a run without a yearly, monthly or daily table raises :class:`StoreError`.
        """
        self._check_freq(freq)
        with self._lock:
            con = self.connection()
            self._require_run(con, run_id)
            stored = self._frames(con, [run_id], freq)
            if not stored and freq not in PARTS:
                have = self._stored_freqs(con, run_id)
                stored_text = ", ".join(have) or "none yet"
                raise StoreError(self.path, f"run {run_id!r} has no {freq} table (stored: {stored_text})")
            return self._read_wide(con, [run_id], freq, stored).drop(columns="run_id")

    def tables(self, run_ids: list[str], freq: str = "yearly") -> pd.DataFrame:
        """The wide ``freq`` tables of many runs stacked, ``run_id`` first, in the order of ``run_ids``.

        Columns are the union over the runs (NaN where a run lacks one); runs without a ``freq`` table
        contribute no rows. Unknown ids raise :class:`StoreError`.
        """
        self._check_freq(freq)
        run_ids = list(dict.fromkeys(run_ids))
        with self._lock:
            con = self.connection()
            known = {r for (r,) in con.execute(
                "SELECT run_id FROM runs WHERE list_contains(?::VARCHAR[], run_id)", [run_ids]
            ).fetchall()}
            missing = [r for r in run_ids if r not in known]
            if missing:
                raise StoreError(self.path, f"no run with id {', '.join(map(repr, missing))}")
            return self._read_wide(con, run_ids, freq, self._frames(con, run_ids, freq))

    def finished_run_for_key(self, run_key: str) -> str | None:
        """The id of the latest finished run with this ``run_key``, or None (to skip it on resume)."""
        return self.finished_runs_for_keys([run_key]).get(run_key)

    def finished_runs_for_keys(self, run_keys: list[str]) -> dict[str, str]:
        """``{run_key: id of its latest finished run}`` for the keys that have one, in one query."""
        keys = list(dict.fromkeys(run_keys))
        if not keys:
            return {}
        with self._lock:
            rows = self.connection().execute(
                "SELECT run_key, arg_max(run_id, (finished_at, rowid)) FROM runs "
                "WHERE status = 'finished' AND run_key IN (SELECT unnest(?::VARCHAR[])) GROUP BY run_key",
                [keys],
            ).fetchall()
        return dict(rows)

    def export(self, run_id: str, fmt: str, path: str | Path, freq: str = "yearly") -> Path:
        """Write the wide ``freq`` table of a run (see :meth:`table`) as ``parquet`` or ``csv`` and return the
        file written.

        If ``path`` is an existing directory the file is ``<run_id>_<freq>.<fmt>`` inside it. The file is
        written under a temporary name and renamed, so a reader never sees half of it.
        """
        if fmt not in FORMATS:
            raise StoreError(self.path, f"export format {fmt!r} not known", ", ".join(FORMATS))
        df = self.table(run_id, freq)
        target = Path(path)
        if target.is_dir():
            target = target / f"{run_id}_{freq}.{fmt}"
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "parquet":
                df.to_parquet(tmp, index=False)
            else:
                df.to_csv(tmp, index=False)
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(target, f"cannot write the {fmt} export: {exc.strerror or exc}") from exc
        return target

    # ------------------------------------------------------------- connection and transactions (public)
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection, for modules that keep tables of their own in the same file."""
        if self._con is None:
            raise StoreError(self.path, "the store is closed")
        return self._con

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """BEGIN ... COMMIT; ROLLBACK on any exception (DuckDB errors become :class:`StoreError`)."""
        if self.read_only:
            raise StoreError(self.path, "the store was opened read-only")
        with self._lock:
            con = self.connection()
            con.begin()
            try:
                yield con
                con.commit()
            except BaseException as exc:
                with contextlib.suppress(duckdb.Error):
                    con.rollback()
                if isinstance(exc, duckdb.Error):
                    raise StoreError(self.path, f"write failed and was rolled back: {exc}") from exc
                raise

    def _init_schema(self) -> None:
        con = self.connection()
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.Error:  # no such table (a new file, or not a results file)
            row = None
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                self.path, f"written by a newer nkborder (schema version {row[0]}; this one reads "
                f"{SCHEMA_VERSION})"
            )
        if not self.read_only:  # create what is missing; an older file is upgraded to this version
            with self.transaction() as tx:
                for ddl in DDL:
                    tx.execute(ddl)
                tx.execute(
                    "INSERT INTO meta SELECT 'schema_version', ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM meta WHERE key = 'schema_version')",
                    [str(SCHEMA_VERSION)],
                )
                tx.execute("UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
                           [str(SCHEMA_VERSION), SCHEMA_VERSION])
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise StoreError(self.path, "not an nkborder results file (no schema version in table meta)")
        found = {name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()}
        self._has_rows = set(ROW_TABLES) <= found

    def _check_freq(self, freq: str) -> None:
        if freq not in FREQS:
            raise StoreError(self.path, f"table {freq!r} not known", ", ".join(FREQS))

    def _check_end_status(self, status: str) -> None:
        if status not in END_STATUSES:
            raise StoreError(self.path, f"a run cannot end with status {status!r}", ", ".join(END_STATUSES))

    def _require_run(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
            raise StoreError(self.path, f"no run with id {run_id!r}")

    def _run_row(
        self, *, scenario_name: str, scenario_text: str, params: Mapping[str, Any], seed: int, scale: float,
        start: dt.date, end: dt.date, code_version: str, experiment: str | None = None,
        run_key: str | None = None,
    ) -> dict[str, Any]:
        """The ``runs`` row of a new run (status ``running``, this process and host)."""
        return {
            "run_id": uuid.uuid4().hex[:12], "experiment": experiment, "run_key": run_key,
            "scenario_name": scenario_name, "scenario_text": scenario_text,
            "params_json": json.dumps(dict(params), sort_keys=True, default=_json_default),
            "seed": int(seed), "scale": float(scale),
            "start_date": _as_date(start), "end_date": _as_date(end),
            "code_version": code_version, "status": "running", "message": "", "started_at": _utcnow(),
            "finished_at": None, "wall_seconds": None, "pid": os.getpid(), "host": socket.gethostname(),
        }

    @staticmethod
    def _insert_run(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
        con.execute(
            f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})",
            [row[c] for c in RUN_COLUMNS],
        )

    @staticmethod
    def _finish(
        con: duckdb.DuckDBPyConnection, run_id: str, status: str, message: str, wall_seconds: float | None
    ) -> None:
        now = _utcnow()
        if wall_seconds is None:
            (started,) = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [run_id]).fetchone()
            wall_seconds = (now - started).total_seconds()
        con.execute(
            "UPDATE runs SET status = ?, message = ?, finished_at = ?, wall_seconds = ? WHERE run_id = ?",
            [status, message, now, float(wall_seconds), run_id],
        )

    def _replace_table(self, con: duckdb.DuckDBPyConnection, run_id: str, freq: str, rows: _Rows | None) -> None:
        """Delete the run's ``freq`` table and insert the new rows (inside the caller's transaction); ``None``
        (an empty sectors or districts frame) only deletes."""
        self._delete_table(con, run_id, freq)
        self._insert_table(con, run_id, freq, rows)

    def _insert_table(self, con: duckdb.DuckDBPyConnection, run_id: str, freq: str, rows: _Rows | None) -> None:
        """Insert the rows of the run's ``freq`` table, which has none stored (inside the caller's
        transaction); ``None`` inserts nothing."""
        if rows is None:
            return
        name = f"_nk_rows_{uuid.uuid4().hex[:8]}"
        con.register(name, rows.rows)
        try:
            con.execute(f"INSERT INTO frame_rows SELECT ?, ?, period, city, part, vals FROM {name}", [run_id, freq])
        finally:
            con.unregister(name)
        con.execute(
            "INSERT INTO frame_info VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_id, freq, rows.n_rows, json.dumps(rows.columns), json.dumps(rows.dtypes),
             json.dumps(rows.cities), _utcnow()],
        )

    @staticmethod
    def _delete_table(con: duckdb.DuckDBPyConnection, run_id: str, freq: str) -> None:
        """Delete the run's stored ``freq`` table, in whichever layout it was written. The small tables that
        describe the stored frames are asked first: a new run has nothing to delete, and deleting scans the
        rows of every run."""
        for info, rows in (("frame_info", "frame_rows"), ("frames", "indicators")):
            if con.execute(f"SELECT 1 FROM {info} WHERE run_id = ? AND freq = ?", [run_id, freq]).fetchone():
                con.execute(f"DELETE FROM {rows} WHERE run_id = ? AND freq = ?", [run_id, freq])
                con.execute(f"DELETE FROM {info} WHERE run_id = ? AND freq = ?", [run_id, freq])

    def _to_rows(self, freq: str, df: pd.DataFrame) -> _Rows | None:
        """Check a wide frame and turn it into ``frame_rows`` rows (vectorised: no per-row Python); None for
        an empty sectors or districts frame (nothing to store)."""
        self._check_freq(freq)
        if not isinstance(df, pd.DataFrame):
            raise StoreError(self.path, f"the {freq} table is a {type(df).__name__}, not a pandas DataFrame")
        part = PARTS.get(freq)
        if part is not None and len(df) == 0:
            return None
        columns = list(df.columns)
        keys = _keys(freq)
        bad = [c for c in columns if not isinstance(c, str)]
        dup = sorted(c for c, n in pd.Series(columns, dtype=object).value_counts().items() if n > 1)
        if bad or dup:
            raise StoreError(self.path, f"{freq} table: column names must be unique strings ({bad or dup})")
        missing = [k for k in keys if k not in columns]
        if missing:
            raise StoreError(self.path, f"{freq} table needs columns {_and(keys)}; missing {_and(missing)} "
                             f"(has {columns[:6]})")
        names = [c for c in columns if c not in keys]
        if not names:
            raise StoreError(self.path, f"{freq} table has no indicator columns")
        dtypes = list(df.dtypes)
        wrong = [c for c, d in zip(columns, dtypes, strict=True) if c not in keys and not _is_number(d)]
        if wrong:
            raise StoreError(self.path, f"{freq} table: indicator columns must be numeric, not {wrong}")
        if df["city"].isna().any():
            raise StoreError(self.path, f"{freq} table: 'city' has missing values")
        periods = self._periods(freq, df[keys[0]])
        city_codes, cities = pd.factorize(df["city"].astype(str))
        ids = {"p": periods, "c": city_codes}
        if part is not None:
            parts = self._whole(freq, part, df[part])
            ids["s"] = parts
        if _has_duplicates(list(ids.values())):
            raise StoreError(self.path, f"{freq} table: more than one row for the same {_and(keys, quote=False)}")
        n_rows, n_ind = len(df), len(names)
        values = df[names].to_numpy(dtype=np.float64, na_value=np.nan).ravel()  # row-major: row, indicator
        rows = pa.table({
            "period": pa.array(periods),
            "city": pa.DictionaryArray.from_arrays(
                pa.array(city_codes.astype(np.int32)), pa.array(list(cities), pa.string())
            ),
            "part": pa.array(parts) if part is not None else pa.nulls(n_rows, pa.int64()),
            "vals": pa.FixedSizeListArray.from_arrays(pa.array(values, from_pandas=True), n_ind),  # NaN -> NULL
        })
        return _Rows(columns, [str(d) for d in dtypes], list(cities), n_rows, rows)

    def _periods(self, freq: str, col: pd.Series) -> np.ndarray:
        """The period of each row as ``datetime64[D]`` (1 January for a year)."""
        if freq in YEARLY:
            years = self._whole(freq, "year", col)
            return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        dates = pd.to_datetime(col).to_numpy()
        days = dates.astype("datetime64[D]")
        if np.isnat(dates).any() or (days != dates).any():
            raise StoreError(self.path, f"{freq} table: 'date' must be calendar dates without gaps or times")
        return days

    def _whole(self, freq: str, name: str, col: pd.Series) -> np.ndarray:
        """A key column of whole numbers (years, sectors, districts) as int64, or StoreError naming it."""
        ok = (pd.api.types.is_integer_dtype(col) or pd.api.types.is_float_dtype(col)) and col.notna().all()
        if ok and pd.api.types.is_float_dtype(col):
            ok = bool((col % 1 == 0).all())
        if not ok:
            what = "whole years" if name == "year" else "whole numbers"
            raise StoreError(self.path, f"{freq} table: {name!r} must hold {what} (dtype {col.dtype})")
        return col.to_numpy(dtype=np.int64)

    def _frames(self, con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str) -> dict[str, tuple]:
        """``{run_id: (columns, dtypes, cities, layout)}`` of the stored ``freq`` tables of ``run_ids``;
        layout ``rows`` (``frame_rows``) or ``long`` (``indicators``, schema version 1)."""
        sources = [("long", "frames")] + ([("rows", "frame_info")] if self._has_rows else [])
        out: dict[str, tuple] = {}
        for layout, table in sources:
            rows = con.execute(
                f"SELECT run_id, columns_json, dtypes_json, cities_json FROM {table} "
                "WHERE freq = ? AND run_id IN (SELECT unnest(?::VARCHAR[]))",
                [freq, run_ids],
            ).fetchall()
            out.update({r: (json.loads(c), json.loads(d), json.loads(t), layout) for r, c, d, t in rows})
        return out

    def _stored_freqs(self, con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
        """The tables stored for a run, in the order of :data:`FREQS`."""
        tables = ["frames"] + (["frame_info"] if self._has_rows else [])
        found = {f for t in tables for (f,) in con.execute(f"SELECT freq FROM {t} WHERE run_id = ?", [run_id])
                 .fetchall()}
        return [f for f in FREQS if f in found]

    def _read_wide(
        self, con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str, stored: dict[str, tuple]
    ) -> pd.DataFrame:
        """The stored rows of ``run_ids`` as one wide frame, rows sorted by run, period, city, part."""
        keys = _keys(freq)
        if not stored:
            return _empty(freq)
        columns: dict[str, str] = {}  # name -> dtype, first run wins, in first-seen order
        cities: dict[str, None] = {}
        for run_id in run_ids:
            if run_id in stored:
                cols, dtypes, city_order, _ = stored[run_id]
                for c, d in zip(cols, dtypes, strict=True):
                    columns.setdefault(c, d)
                cities.update(dict.fromkeys(city_order))
        names = [c for c in columns if c not in keys]
        pos = {name: i for i, name in enumerate(names)}
        pieces = []
        by_rows = [r for r in run_ids if r in stored and stored[r][3] == "rows"]
        by_long = [r for r in run_ids if r in stored and stored[r][3] == "long"]
        if by_rows:
            pieces.append(self._fetch_rows(con, by_rows, freq, stored, pos))
        if by_long:
            pieces.append(self._fetch_long(con, by_long, freq, names))
        found = pd.concat([k for k, _ in pieces], ignore_index=True) if len(pieces) > 1 else pieces[0][0]
        matrix = np.vstack([m for _, m in pieces]) if len(pieces) > 1 else pieces[0][1]
        run_pos = {r: i for i, r in enumerate(run_ids)}
        city_pos = {c: i for i, c in enumerate(cities)}
        period = pd.to_datetime(found["period"])
        order = np.lexsort((
            found["part"].to_numpy(dtype=np.float64, na_value=0.0),
            found["city"].map(city_pos).to_numpy(),
            period.to_numpy(),
            found["run_id"].map(run_pos).to_numpy(),
        ))
        found, period = found.iloc[order].reset_index(drop=True), period.iloc[order].reset_index(drop=True)
        head = {"run_id": found["run_id"], keys[0]: period.dt.year if freq in YEARLY else period,
                "city": found["city"]}
        if len(keys) > 2:
            head[keys[2]] = found["part"]
        wide = pd.concat(
            [pd.DataFrame(head), pd.DataFrame(matrix[order], columns=pd.Index(names, dtype=object))], axis=1
        )
        restored = {c: _restore_dtype(wide[c], dtype) for c, dtype in columns.items()}
        return pd.concat([wide[["run_id"]], pd.DataFrame(restored)], axis=1)  # one frame, not 100 inserts

    def _fetch_rows(
        self, con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str, stored: dict[str, tuple],
        pos: dict[str, int],
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Keys (run_id, period, city, part) and values (columns as in ``pos``) of ``frame_rows`` rows."""
        got = con.sql(
            "SELECT run_id, period, city, part, vals FROM frame_rows "
            "WHERE freq = ? AND run_id IN (SELECT unnest(?::VARCHAR[]))",
            params=[freq, run_ids],
        ).to_arrow_table()
        vals = got.column("vals").combine_chunks()
        offsets = vals.offsets.to_numpy().astype(np.int64)
        offsets, lengths = offsets[:-1] - offsets[0], np.diff(offsets)
        flat = pc.list_flatten(vals).to_numpy(zero_copy_only=False)  # NULL -> NaN
        found = got.select(["run_id", "period", "city", "part"]).to_pandas(date_as_object=False)
        codes, uniques = pd.factorize(found["run_id"])
        by_run = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[by_run], np.arange(len(uniques) + 1))
        keys = _keys(freq)
        matrix = np.full((got.num_rows, len(pos)), np.nan)
        for i, run_id in enumerate(uniques):
            idx = by_run[bounds[i]:bounds[i + 1]]
            own = [c for c in stored[run_id][0] if c not in keys]
            if (lengths[idx] != len(own)).any():
                raise StoreError(self.path, f"run {run_id!r}: stored {freq} rows do not match its {len(own)} "
                                 "indicator columns (damaged file?)")
            cols = np.array([pos[c] for c in own], dtype=np.intp)
            matrix[idx[:, None], cols[None, :]] = flat[offsets[idx][:, None] + np.arange(len(own))]
        return found, matrix

    @staticmethod
    def _fetch_long(
        con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str, names: list[str]
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Keys (run_id, period, city, part) and values (columns ``names``) of version-1 ``indicators`` rows."""
        # One row per (run, period, city) with its values listed by indicator position, then scattered into
        # a matrix: an order of magnitude faster than one FILTER aggregate per indicator.
        positions = f"_nk_pos_{uuid.uuid4().hex[:8]}"
        con.register(positions, pa.table({"indicator": names, "pos": np.arange(len(names), dtype=np.int32)}))
        try:
            grouped = con.sql(
                "SELECT i.run_id, i.period, i.city, list(p.pos ORDER BY p.pos) AS ps, "
                "list(i.value ORDER BY p.pos) AS vs "
                f"FROM indicators i JOIN {positions} p USING (indicator) "
                "WHERE i.freq = ? AND i.run_id IN (SELECT unnest(?::VARCHAR[])) "
                "GROUP BY i.run_id, i.period, i.city",
                params=[freq, run_ids],
            ).to_arrow_table()
        finally:
            con.unregister(positions)
        matrix = np.full((grouped.num_rows, len(names)), np.nan)
        ps, vs = grouped.column("ps").combine_chunks(), grouped.column("vs").combine_chunks()
        matrix[pc.list_parent_indices(ps).to_numpy(), pc.list_flatten(ps).to_numpy()] = (
            pc.list_flatten(vs).to_numpy(zero_copy_only=False)
        )
        found = grouped.select(["run_id", "period", "city"]).to_pandas(date_as_object=False)
        found["part"] = pd.Series(np.nan, index=found.index)
        return found, matrix


def _has_duplicates(keys: list[np.ndarray]) -> bool:
    """Whether two rows have the same values in all of ``keys`` (arrays of one length)."""
    if len(keys[0]) < 2:
        return False
    order = np.lexsort(keys[::-1])
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        ordered = key[order]
        same &= ordered[1:] == ordered[:-1]
    return bool(same.any())


def _keys(freq: str) -> tuple[str, ...]:
    """Key columns of a ``freq`` table: period, city and, for sectors and districts, the place."""
    part = PARTS.get(freq)
    return (FREQS[freq], "city") if part is None else (FREQS[freq], "city", part)


def _empty(freq: str) -> pd.DataFrame:
    """A ``freq`` table with no rows: ``run_id`` and the key columns."""
    key = FREQS[freq]
    cols = {"run_id": pd.Series(dtype=object),
            key: pd.Series(dtype="int64" if freq in YEARLY else "datetime64[ns]"),
            "city": pd.Series(dtype=object)}
    if freq in PARTS:
        cols[PARTS[freq]] = pd.Series(dtype="int64")
    return pd.DataFrame(cols)


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


def _open_problem(exc: duckdb.Error) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return (
            "the file is in use by another process (DuckDB allows one writing process per file, and no "
            f"readers while it writes; experiments write from one client process). DuckDB says: {text}"
        )
    if "different configuration" in text:
        return "already open in this process with another read_only setting; close that store first"
    return f"cannot open the results file: {text}"


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (a zombie counts as dead)."""
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows: assume alive
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | Path):
        return str(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"parameter value {value!r} is not JSON serialisable")


def store_result(
    db: str | Path, result: Any, experiment: str | None = None, run_key: str | None = None
) -> str:
    """Store a finished :class:`nkborder.api.Result` in ``db`` in one transaction; return its run id.

    The daily, per-sector and per-district tables are stored when not empty (the daily one is empty unless
    the run kept it).
    """
    tables = {"yearly": result.yearly, "monthly": result.monthly}
    for freq in ("daily", *PARTS):
        df = getattr(result, freq, None)
        if df is not None and len(df):
            tables[freq] = df
    sc = result.scenario
    with ResultsStore(db) as store:
        return store.record_run(
            tables=tables, wall_seconds=result.wall_seconds, scenario_name=sc.name, scenario_text=sc.text,
            params=result.params.model_dump(), seed=result.seed, scale=result.scale,
            start=sc.start, end=sc.end,
            code_version=result.code_version, experiment=experiment, run_key=run_key,
        )
