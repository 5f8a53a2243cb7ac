"""The results store: runs and their indicator tables in one embedded DuckDB file, readable while written.

Why DuckDB: one file, no server, fast columnar scans for comparing many runs, plain SQL on named columns
(``docs/store.md``), and Parquet/CSV export.

Concurrency: DuckDB lets one process hold a file read-write, and that locks out every other process. The store
holds no connection between calls: every read opens the file read-only and every write opens it read-write,
does its work in one transaction, and closes it (:mod:`nkborder.store.connection`), waiting a bounded time
while another process has it. So ``nkborder runs``, ``export`` and the app read a file while an experiment or
a calibration stores runs into it.

Durability: every public method that writes runs in one transaction and commits before returning, so a process
killed mid-write leaves either the old rows or the new ones, never half a table. Opening a store marks
``interrupted`` the runs and calibrations left ``running`` by a process of this host that no longer exists
(:meth:`ResultsStore.mark_stale_running`), and ``incomplete`` such experiments.
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

from nkborder.store import deletion, migrate
from nkborder.store.connection import LOCK_WAIT_SECONDS, StoreError, connect
from nkborder.store.frames import Frame, empty, keys, quote, rebuild, to_frame
from nkborder.store.schema import (
    DEFAULT_DB,
    END_STATUSES,
    FORMATS,
    FREQS,
    PARTS,
    RUN_COLUMNS,
    SCHEMA_VERSION,
    STATUSES,
)
from nkborder.store.statuses import STALE_STATUS, mark_stale, stale_rows


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


class ResultsStore:
    """Runs and their yearly/monthly/daily, per-sector and per-district tables in one DuckDB file.

    Opening checks the schema version (a file written by an older nkborder is migrated, one by a newer one
    refused) and repairs the statuses of runs and experiments whose process died. Each method then opens the
    file for as long as it reads or writes.

    Args:
        path: the results file; it and its tables are created if missing (unless ``read_only``).
        read_only: this object never writes runs or tables (``transaction`` raises); opening may still
            migrate an older file or repair statuses, when the file can be written.
        wait: seconds a read or write waits while another process holds the file.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False,
                 wait: float = LOCK_WAIT_SECONDS) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.wait = wait
        self._lock = threading.RLock()
        self._con: duckdb.DuckDBPyConnection | None = None  # open only inside a read or write
        self._con_writes = False
        self._closed = False
        if read_only and not self.path.exists():
            raise StoreError(self.path, "no results file here (a read-only store does not create one)")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._prepare()

    # ------------------------------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Mark the store closed (idempotent); no connection is held between calls."""
        self._closed = True

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"ResultsStore({str(self.path)!r}, {mode}{', closed' if self._closed else ''})"

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
        rows = to_frame(self.path, freq, df)
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
        converted = {freq: to_frame(self.path, freq, df) for freq, df in tables.items()}
        row.update(status=status, message=message, finished_at=row["started_at"],
                   wall_seconds=0.0 if wall_seconds is None else float(wall_seconds))
        with self.transaction() as con:
            self._insert_run(con, row)  # the new run, already with its end status: one INSERT, no UPDATE
            for freq, rows in converted.items():
                self._insert_table(con, row["run_id"], freq, rows)  # a new run: nothing to replace
        return row["run_id"]

    def mark_stale_running(self) -> int:
        """Mark ``interrupted`` the runs left ``running`` by a process of this host that no longer exists
        (``incomplete`` such experiments, ``interrupted`` such calibrations).

        Runs of other hosts are left alone (their pids mean nothing here). Returns how many runs were marked.
        A recycled pid (a new process with the dead one's number) keeps its run ``running``.
        """
        with self.transaction() as con:
            return mark_stale(con)

    def delete_run(self, run_id: str) -> dict[str, int]:
        """Delete a run from every table in one transaction; ``{table: rows deleted}``.

        A ``running`` run is refused with :class:`StoreError` (its process would write into rows that no
        longer exist), as is an unknown id.
        """
        with self.transaction() as con:
            return deletion.delete_runs(con, self.path, [run_id])

    def delete_experiment(self, name: str) -> dict[str, int]:
        """Delete an experiment, its planned runs and the runs it computed that no other experiment plans, in
        one transaction; ``{table: rows deleted}``. A ``running`` experiment is refused (:class:`StoreError`)."""
        with self.transaction() as con:
            return deletion.delete_experiment(con, self.path, name)

    # ----------------------------------------------------------------------------------------------- reads
    def runs(self, experiment: str | None = None, status: str | None = None) -> pd.DataFrame:
        """The ``runs`` table, newest first, optionally only one experiment and/or one status."""
        if status is not None and status not in STATUSES:
            raise StoreError(self.path, f"status {status!r} not known", ", ".join(STATUSES))
        with self.reading() as con:
            return con.execute(
                "SELECT * FROM runs WHERE (?::VARCHAR IS NULL OR experiment = ?) "
                "AND (?::VARCHAR IS NULL OR status = ?) ORDER BY started_at DESC, rowid DESC",
                [experiment, experiment, status, status],
            ).df()

    def run(self, run_id: str) -> RunRecord:
        """The record of one run; :class:`StoreError` if the id is unknown."""
        with self.reading() as con:
            row = con.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if row is None:
            raise StoreError(self.path, f"no run with id {run_id!r}")
        return RunRecord(*row)

    def stored_tables(self, run_id: str) -> list[str]:
        """The tables stored for a run, in the order of :data:`FREQS`."""
        with self.reading() as con:
            self._require_run(con, run_id)
            found = {f for (f,) in con.execute("SELECT freq FROM frame_info WHERE run_id = ?", [run_id]).fetchall()}
        return [f for f in FREQS if f in found]

    def table(self, run_id: str, freq: str = "yearly") -> pd.DataFrame:
        """The wide ``freq`` table of a run, with the columns, order and dtypes it was written with.

        Rows come sorted by period, then city in the order the cities first appeared when written, then
        sector or district. A run without a ``sectors`` or ``districts`` table gives an empty frame with the
        key columns; a run without a yearly, monthly or daily table raises :class:`StoreError`.
        """
        self._check_freq(freq)
        with self.reading() as con:
            self._require_run(con, run_id)
            infos = self._infos(con, [run_id], freq)
            if not infos and freq not in PARTS:
                have = self.stored_tables(run_id)
                raise StoreError(self.path, f"run {run_id!r} has no {freq} table (stored: "
                                 f"{', '.join(have) or 'none yet'})")
            return self._read(con, [run_id], freq, infos).drop(columns="run_id")

    def tables(self, run_ids: list[str], freq: str = "yearly") -> pd.DataFrame:
        """The wide ``freq`` tables of many runs stacked, ``run_id`` first, in the order of ``run_ids``.

        Columns are the union over the runs (NaN where a run lacks one); runs without a ``freq`` table
        contribute no rows. Unknown ids raise :class:`StoreError`.
        """
        self._check_freq(freq)
        run_ids = list(dict.fromkeys(run_ids))
        with self.reading() as con:
            known = {r for (r,) in con.execute(
                "SELECT run_id FROM runs WHERE list_contains(?::VARCHAR[], run_id)", [run_ids]
            ).fetchall()}
            missing = [r for r in run_ids if r not in known]
            if missing:
                raise StoreError(self.path, f"no run with id {', '.join(map(repr, missing))}")
            return self._read(con, run_ids, freq, self._infos(con, run_ids, freq))

    def finished_run_for_key(self, run_key: str) -> str | None:
        """The id of the latest finished run with this ``run_key``, or None (to skip it on resume)."""
        return self.finished_runs_for_keys([run_key]).get(run_key)

    def finished_runs_for_keys(self, run_keys: list[str]) -> dict[str, str]:
        """``{run_key: id of its latest finished run}`` for the keys that have one, in one query."""
        run_keys = list(dict.fromkeys(run_keys))
        if not run_keys:
            return {}
        with self.reading() as con:
            rows = con.execute(
                "SELECT run_key, arg_max(run_id, (finished_at, rowid)) FROM runs "
                "WHERE status = 'finished' AND run_key IN (SELECT unnest(?::VARCHAR[])) GROUP BY run_key",
                [run_keys],
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
    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reads (read-only unless a write of this store is in progress), closed after."""
        with self._session(write=False) as con:
            yield con

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the file for writing, BEGIN ... COMMIT, close; ROLLBACK on any exception (DuckDB errors
        become :class:`StoreError`)."""
        if self.read_only:
            raise StoreError(self.path, "the store was opened read-only")
        with self._writing() as con:
            yield con

    @contextlib.contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on the file opened for writing (also for a read-only store's housekeeping)."""
        with self._session(write=True) as con:
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

    @contextlib.contextmanager
    def _session(self, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """The file opened for one read or write (reused by reads nested in it), closed at the end."""
        with self._lock:
            if self._closed:
                raise StoreError(self.path, "the store is closed")
            if self._con is not None:
                if write and not self._con_writes:
                    raise StoreError(self.path, "cannot write while reading the same store")
                yield self._con
                return
            con = connect(self.path, write, self.wait)
            self._con, self._con_writes = con, write
            try:
                yield con
            finally:
                self._con = None
                con.close()

    # --------------------------------------------------------------------------------------------- helpers
    def _prepare(self) -> None:
        """Create the tables of a new file, migrate one of an older schema version, refuse anything else, and
        mark the runs and experiments of dead processes of this host (one read, and a write only if needed)."""
        if not self.path.exists():
            with self._writing() as con:
                migrate.create(con)
            return
        host = socket.gethostname()
        with self.reading() as con:
            found, tables = migrate.version(con), migrate.tables(con)
            stale = found == SCHEMA_VERSION and any(
                stale_rows(con, table, id_column, host) for table, (id_column, _) in STALE_STATUS.items())
        if found is None:
            if tables or self.read_only:
                raise StoreError(self.path, "not an nkborder results file (no schema version in table meta)")
            with self._writing() as con:  # an empty DuckDB file
                migrate.create(con)
        elif found > SCHEMA_VERSION:
            raise StoreError(self.path, f"written by a newer nkborder (schema version {found}; this one reads "
                             f"{SCHEMA_VERSION})", "the nkborder version that wrote it")
        elif found < SCHEMA_VERSION:
            try:
                with self._writing() as con:
                    if migrate.version(con) < SCHEMA_VERSION:  # not migrated meanwhile by another process
                        migrate.upgrade(con)
                    mark_stale(con)
            except StoreError as exc:
                raise StoreError(
                    self.path, f"written by an older nkborder (schema version {found}); it is migrated to "
                    f"version {SCHEMA_VERSION} when opened, and that failed: {exc.problem}",
                    "open a writable copy of the file once, or use the nkborder version that wrote it",
                ) from None
        elif stale:
            try:
                with self._writing() as con:
                    mark_stale(con)
            except StoreError:
                if not self.read_only:  # a reader of a file it cannot write still reads it
                    raise

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

    def _replace_table(self, con: duckdb.DuckDBPyConnection, run_id: str, freq: str, rows: Frame | None) -> None:
        """Delete the run's ``freq`` table and insert the new rows (inside the caller's transaction); ``None``
        (an empty sectors or districts frame) only deletes."""
        if con.execute("SELECT 1 FROM frame_info WHERE run_id = ? AND freq = ?", [run_id, freq]).fetchone():
            con.execute(f"DELETE FROM {freq} WHERE run_id = ?", [run_id])
            con.execute("DELETE FROM frame_info WHERE run_id = ? AND freq = ?", [run_id, freq])
        self._insert_table(con, run_id, freq, rows)

    def _insert_table(self, con: duckdb.DuckDBPyConnection, run_id: str, freq: str, rows: Frame | None) -> None:
        """Insert the rows of the run's ``freq`` table, which has none stored (inside the caller's
        transaction), adding the indicator columns the table lacks; ``None`` inserts nothing."""
        if rows is None:
            return
        migrate.add_columns(con, freq, rows.indicators)
        name = f"_nk_rows_{uuid.uuid4().hex[:8]}"
        con.register(name, rows.rows)
        try:
            names = ", ".join(quote(c) for c in rows.rows.column_names)
            con.execute(f"INSERT INTO {freq} (run_id, {names}) SELECT ?, {names} FROM {name}", [run_id])
        finally:
            con.unregister(name)
        con.execute(
            "INSERT INTO frame_info VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_id, freq, rows.n_rows, json.dumps(rows.columns), json.dumps(rows.dtypes),
             json.dumps(rows.cities), _utcnow()],
        )

    @staticmethod
    def _infos(con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str) -> dict[str, tuple]:
        """``{run_id: (columns, dtypes, cities)}`` of the stored ``freq`` tables of ``run_ids``."""
        rows = con.execute(
            "SELECT run_id, columns_json, dtypes_json, cities_json FROM frame_info "
            "WHERE freq = ? AND run_id IN (SELECT unnest(?::VARCHAR[]))",
            [freq, run_ids],
        ).fetchall()
        return {r: (json.loads(c), json.loads(d), json.loads(t)) for r, c, d, t in rows}

    @staticmethod
    def _read(con: duckdb.DuckDBPyConnection, run_ids: list[str], freq: str, infos: dict[str, tuple]) -> pd.DataFrame:
        """The stored rows of ``run_ids`` in table ``freq`` as one wide frame (see :func:`frames.rebuild`)."""
        if not infos:
            return empty(freq)
        key_cols = keys(freq)
        names = list(dict.fromkeys(c for r in run_ids if r in infos for c in infos[r][0] if c not in key_cols))
        select = ", ".join(quote(c) for c in ("run_id", *key_cols, *names))
        found = con.sql(
            f"SELECT {select} FROM {freq} WHERE run_id IN (SELECT unnest(?::VARCHAR[]))", params=[run_ids]
        ).to_arrow_table().to_pandas(date_as_object=False)
        return rebuild(found, freq, run_ids, infos)


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


@contextlib.contextmanager
def open_store(db: str | Path, read_only: bool = False, option: str = "--db") -> Iterator[ResultsStore]:
    """The results store at ``db`` for a command or API call; a file that cannot be used raises
    :class:`StoreError` (an InputError: exit code 2) naming ``option`` and the file."""
    try:
        store = ResultsStore(db, read_only=read_only)
    except StoreError as exc:
        raise StoreError(db, f"{option}: {exc.problem}", exc.allowed) from None
    try:
        yield store
    finally:
        store.close()


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
    with open_store(db) as store:
        return store.record_run(
            tables=tables, wall_seconds=result.wall_seconds, scenario_name=sc.name, scenario_text=sc.text,
            params=result.params.model_dump(), seed=result.seed, scale=result.scale,
            start=sc.start, end=sc.end,
            code_version=result.code_version, experiment=experiment, run_key=run_key,
        )
