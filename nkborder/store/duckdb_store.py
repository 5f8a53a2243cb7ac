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
from nkborder.store.schema import DDL, DEFAULT_DB, END_STATUSES, FORMATS, FREQS, RUN_COLUMNS, SCHEMA_VERSION, STATUSES


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
class _Long:
    """A wide frame checked and melted for ``indicators``, plus what is needed to rebuild it."""

    columns: list[str]
    dtypes: list[str]
    cities: list[str]
    n_rows: int
    rows: pa.Table  # period (date32), city, indicator (dictionary strings), value (float64, null for NaN)


class ResultsStore:
    """Runs and their yearly/monthly/daily indicator tables in one DuckDB file.

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
        """Store the wide ``freq`` table of a run in one transaction, replacing any earlier one."""
        long = self._to_long(freq, df)
        with self.transaction() as con:
            self._require_run(con, run_id)
            self._replace_table(con, run_id, freq, long)

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
        """Begin, write ``tables`` (``{freq: wide DataFrame}``) and finish a run in ONE transaction.

        For runs that are complete before they are stored (an experiment client storing what a worker
        returned): either the whole run is in the file afterwards or nothing of it is. ``begin_kwargs`` are
        those of :meth:`begin_run`.
        """
        self._check_end_status(status)
        row = self._run_row(**begin_kwargs)
        longs = {freq: self._to_long(freq, df) for freq, df in tables.items()}
        with self.transaction() as con:
            self._insert_run(con, row)
            for freq, long in longs.items():
                self._replace_table(con, row["run_id"], freq, long)
            self._finish(con, row["run_id"], status, message, wall_seconds)
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

        Rows come sorted by period, then city in the order the cities first appeared when written.
        """
        self._check_freq(freq)
        with self._lock:
            con = self.connection()
            self._require_run(con, run_id)
            stored = self._frames(con, [run_id], freq)
            if not stored:
                found = con.execute("SELECT freq FROM frames WHERE run_id = ?", [run_id]).fetchall()
                have = [f for (f,) in found]
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
        with self._lock:
            row = self.connection().execute(
                "SELECT run_id FROM runs WHERE run_key = ? AND status = 'finished' "
                "ORDER BY finished_at DESC, rowid DESC LIMIT 1",
                [run_key],
            ).fetchone()
        return None if row is None else row[0]

    def export(self, run_id: str, fmt: str, path: str | Path, freq: str = "yearly") -> Path:
        """Write the wide ``freq`` table of a run as ``parquet`` or ``csv`` and return the file written.

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
        if not self.read_only:
            with self.transaction() as tx:
                for ddl in DDL:
                    tx.execute(ddl)
                tx.execute(
                    "INSERT INTO meta SELECT 'schema_version', ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM meta WHERE key = 'schema_version')",
                    [str(SCHEMA_VERSION)],
                )
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            row = None
        if row is None:
            raise StoreError(self.path, "not an nkborder results file (no schema version in table meta)")
        if int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                self.path, f"written by a newer nkborder (schema version {row[0]}; this one reads "
                f"{SCHEMA_VERSION})"
            )

    def _check_freq(self, freq: str) -> None:
        if freq not in FREQS:
            raise StoreError(self.path, f"frequency {freq!r} not known", ", ".join(FREQS))

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

    def _replace_table(self, con: duckdb.DuckDBPyConnection, run_id: str, freq: str, long: _Long) -> None:
        """Delete the run's ``freq`` rows and insert the new ones (inside the caller's transaction)."""
        con.execute("DELETE FROM indicators WHERE run_id = ? AND freq = ?", [run_id, freq])
        con.execute("DELETE FROM frames WHERE run_id = ? AND freq = ?", [run_id, freq])
        name = f"_nk_long_{uuid.uuid4().hex[:8]}"
        con.register(name, long.rows)
        try:
            con.execute(
                f"INSERT INTO indicators SELECT ?, ?, period, city, indicator, value FROM {name}",
                [run_id, freq],
            )
        finally:
            con.unregister(name)
        con.execute(
            "INSERT INTO frames VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_id, freq, long.n_rows, json.dumps(long.columns), json.dumps(long.dtypes),
             json.dumps(long.cities), _utcnow()],
        )

    def _to_long(self, freq: str, df: pd.DataFrame) -> _Long:
        """Check a wide frame and melt it into Arrow columns (vectorised: no per-row Python)."""
        self._check_freq(freq)
        if not isinstance(df, pd.DataFrame):
            raise StoreError(self.path, f"the {freq} table is a {type(df).__name__}, not a pandas DataFrame")
        columns = list(df.columns)
        key = FREQS[freq]
        bad = [c for c in columns if not isinstance(c, str)]
        dup = sorted({c for c in columns if columns.count(c) > 1})
        if bad or dup:
            raise StoreError(self.path, f"{freq} table: column names must be unique strings ({bad or dup})")
        if key not in columns or "city" not in columns:
            raise StoreError(self.path, f"{freq} table needs columns {key!r} and 'city' (has {columns[:6]})")
        names = [c for c in columns if c not in (key, "city")]
        if not names:
            raise StoreError(self.path, f"{freq} table has no indicator columns")
        wrong = [c for c in names if not _is_number(df[c])]
        if wrong:
            raise StoreError(self.path, f"{freq} table: indicator columns must be numeric, not {wrong}")
        if df["city"].isna().any():
            raise StoreError(self.path, f"{freq} table: 'city' has missing values")
        periods = self._periods(freq, df[key])
        city_codes, cities = pd.factorize(df["city"].astype(str))
        if pd.DataFrame({"p": periods, "c": city_codes}).duplicated().any():
            raise StoreError(self.path, f"{freq} table: more than one row for the same {key} and city")
        n_rows, n_ind = len(df), len(names)
        values = df[names].to_numpy(dtype=np.float64, na_value=np.nan).ravel()  # row-major: row, indicator
        rows = pa.table({
            "period": pa.array(np.repeat(periods, n_ind)),
            "city": pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(city_codes.astype(np.int32), n_ind)), pa.array(list(cities), pa.string())
            ),
            "indicator": pa.DictionaryArray.from_arrays(
                pa.array(np.tile(np.arange(n_ind, dtype=np.int32), n_rows)), pa.array(names, pa.string())
            ),
            "value": pa.array(values, from_pandas=True),  # NaN -> NULL
        })
        return _Long(columns, [str(df[c].dtype) for c in columns], list(cities), n_rows, rows)

    def _periods(self, freq: str, col: pd.Series) -> np.ndarray:
        """The period of each row as ``datetime64[D]`` (1 January for a year)."""
        if freq == "yearly":
            if not pd.api.types.is_integer_dtype(col) and not (
                pd.api.types.is_float_dtype(col) and col.notna().all() and (col % 1 == 0).all()
            ):
                raise StoreError(self.path, f"yearly table: 'year' must hold whole years (dtype {col.dtype})")
            return (col.to_numpy(dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        dates = pd.to_datetime(col)
        if dates.isna().any() or (dates != dates.dt.normalize()).any():
            raise StoreError(self.path, f"{freq} table: 'date' must be calendar dates without gaps or times")
        return dates.to_numpy().astype("datetime64[D]")

    def _frames(self, con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str) -> dict[str, tuple]:
        rows = con.execute(
            "SELECT run_id, columns_json, dtypes_json, cities_json FROM frames "
            "WHERE freq = ? AND list_contains(?::VARCHAR[], run_id)",
            [freq, run_ids],
        ).fetchall()
        return {r: (json.loads(c), json.loads(d), json.loads(t)) for r, c, d, t in rows}

    @staticmethod
    def _read_wide(
        con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str, stored: dict[str, tuple]
    ) -> pd.DataFrame:
        """Pivot the long rows of ``run_ids`` back to one wide frame, rows sorted by run, period, city."""
        key = FREQS[freq]
        columns: dict[str, str] = {}  # name -> dtype, first run wins, in first-seen order
        cities: dict[str, None] = {}
        for run_id in run_ids:
            if run_id in stored:
                cols, dtypes, city_order = stored[run_id]
                for c, d in zip(cols, dtypes, strict=True):
                    columns.setdefault(c, d)
                cities.update(dict.fromkeys(city_order))
        names = [c for c in columns if c not in (key, "city")]
        if not stored:
            return pd.DataFrame(columns=["run_id", key, "city"])
        # One row per (run, period, city) with its values listed by indicator position, then scattered into
        # a matrix: an order of magnitude faster than one FILTER aggregate per indicator.
        positions = f"_nk_pos_{uuid.uuid4().hex[:8]}"
        con.register(positions, pa.table({"indicator": names, "pos": np.arange(len(names), dtype=np.int32)}))
        try:
            grouped = con.sql(
                "SELECT i.run_id, i.period, i.city, list(p.pos ORDER BY p.pos) AS ps, "
                "list(i.value ORDER BY p.pos) AS vs "
                f"FROM indicators i JOIN {positions} p USING (indicator) "
                "WHERE i.freq = ? AND list_contains(?::VARCHAR[], i.run_id) "
                "GROUP BY i.run_id, i.period, i.city",
                params=[freq, [r for r in run_ids if r in stored]],
            ).to_arrow_table()
        finally:
            con.unregister(positions)
        matrix = np.full((grouped.num_rows, len(names)), np.nan)
        ps, vs = grouped.column("ps").combine_chunks(), grouped.column("vs").combine_chunks()
        matrix[pc.list_parent_indices(ps).to_numpy(), pc.list_flatten(ps).to_numpy()] = (
            pc.list_flatten(vs).to_numpy(zero_copy_only=False)
        )
        keys = grouped.select(["run_id", "period", "city"]).to_pandas()
        run_pos = {r: i for i, r in enumerate(run_ids)}
        city_pos = {c: i for i, c in enumerate(cities)}
        order = np.lexsort((
            keys["city"].map(city_pos).to_numpy(),
            keys["period"].to_numpy(),
            keys["run_id"].map(run_pos).to_numpy(),
        ))
        keys = keys.iloc[order].reset_index(drop=True)
        period = pd.to_datetime(keys["period"])
        wide = pd.concat(
            [
                pd.DataFrame({
                    "run_id": keys["run_id"],
                    key: period.dt.year if freq == "yearly" else period,
                    "city": keys["city"],
                }),
                pd.DataFrame(matrix[order], columns=pd.Index(names, dtype=object)),
            ],
            axis=1,
        )
        wide = wide[["run_id", *columns]]
        for c, dtype in columns.items():
            wide[c] = _restore_dtype(wide[c], dtype)
        return wide


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


def _is_number(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


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

    The daily table is stored only if the run kept it (it is empty otherwise).
    """
    tables = {"yearly": result.yearly, "monthly": result.monthly}
    if len(result.daily):
        tables["daily"] = result.daily
    sc = result.scenario
    with ResultsStore(db) as store:
        return store.record_run(
            tables=tables, wall_seconds=result.wall_seconds, scenario_name=sc.name, scenario_text=sc.text,
            params=result.params.model_dump(), seed=result.seed, scale=result.scale,
            start=sc.start, end=sc.end,
            code_version=result.code_version, experiment=experiment, run_key=run_key,
        )
