"""Results store: runs and their indicator tables in an embedded DuckDB file, readable while it is written.

Typical use::

    with ResultsStore("results.duckdb") as store:
        run_id = store.begin_run(scenario_name="history", scenario_text=text, params=params, seed=1,
                                 scale=0.1, start=date(1995, 1, 1), end=date(2025, 12, 31),
                                 code_version="0.1.0")
        store.write_table(run_id, "yearly", yearly)
        store.finish_run(run_id)
        store.table(run_id, "yearly")          # the same wide DataFrame back

Tables: ``yearly``, ``monthly``, ``daily`` (keys ``year`` or ``date``, and ``city``), ``sectors`` (``date``,
``city``, ``sector``) and ``districts`` (``year``, ``city``, ``district``), one column per indicator, so plain
SQL reads them (``docs/store.md``). Each read or write opens the file only for its own length, so other
processes read a store while an experiment writes to it.
"""

from nkborder.store.connection import LOCK_WAIT_SECONDS, StoreError
from nkborder.store.duckdb_store import ResultsStore, RunRecord, open_store, store_result
from nkborder.store.schema import DEFAULT_DB, FORMATS, FREQS, PARTS, SCHEMA_VERSION, STATUSES

__all__ = [
    "DEFAULT_DB",
    "FORMATS",
    "FREQS",
    "LOCK_WAIT_SECONDS",
    "PARTS",
    "SCHEMA_VERSION",
    "STATUSES",
    "ResultsStore",
    "RunRecord",
    "StoreError",
    "open_store",
    "store_result",
]
