"""Regression baseline: four small runs must give exactly the stored yearly, monthly, sectors and districts tables.

A change of code that is not meant to change results (a refactor, a faster kernel) keeps these tables
bit-identical. A change of the model's rules changes them on purpose; regenerate the baseline then, and commit
the new files with the rule change::

    PYTHONPATH=$PWD python tests/test_regression.py --update

The baseline lives in ``tests/baseline/<configuration>-<table>.parquet``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import nkborder

BASELINE_DIR = Path(__file__).parent / "baseline"
TABLES = ("yearly", "monthly", "sectors", "districts")

#: name -> keyword arguments of :func:`nkborder.run`: both cities, one city, a counterfactual, one agent per person.
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "history": {"scenario": "history", "seed": 1, "scale": 0.02},
    "hyesan-2020": {"scenario": "hyesan-2020", "seed": 2, "scale": 0.02},
    "no-closure": {"scenario": "no-closure", "seed": 3, "scale": 0.02, "start": "2014-01-01"},
    "full-scale": {"scenario": "history", "seed": 4, "scale": 1.0, "end": "1995-03-31"},
}


def run_tables(name: str) -> dict[str, pd.DataFrame]:
    """The four tables of configuration ``name``, computed now."""
    result = nkborder.run(**CONFIGURATIONS[name], daily=False)
    return {table: result.table(table) for table in TABLES}


def baseline_path(name: str, table: str) -> Path:
    return BASELINE_DIR / f"{name}-{table}.parquet"


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_tables_match_the_stored_baseline(name: str) -> None:
    missing = [str(baseline_path(name, t)) for t in TABLES if not baseline_path(name, t).exists()]
    assert not missing, f"no baseline {missing}; create it with: python tests/test_regression.py --update"
    for table, frame in run_tables(name).items():
        stored = pd.read_parquet(baseline_path(name, table))
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), stored, check_exact=True,
                                      obj=f"{name} {table}")


def update(names: list[str]) -> None:
    """Run the configurations ``names`` and overwrite their stored tables."""
    BASELINE_DIR.mkdir(exist_ok=True)
    for name in names:
        for table, frame in run_tables(name).items():
            frame.reset_index(drop=True).to_parquet(baseline_path(name, table), index=False)
        print(f"wrote {name}: {', '.join(TABLES)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the regression baseline in tests/baseline.")
    parser.add_argument("--update", action="store_true", help="run the configurations and overwrite the baseline")
    parser.add_argument("names", nargs="*",
                        help=f"configurations to update: {', '.join(CONFIGURATIONS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(CONFIGURATIONS))
    if unknown or not args.update:
        parser.error(f"unknown configurations {unknown}" if unknown else "pass --update to overwrite the baseline")
    update(args.names or list(CONFIGURATIONS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
