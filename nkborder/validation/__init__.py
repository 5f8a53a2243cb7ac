"""Pattern-oriented validation: the catalogue of patterns from the reports and the cited data, and its judge.

::

    from nkborder.validation import run_patterns
    res = run_patterns("history", calibrated=True, reps=10, scale=0.25, db="results.duckdb")
    res.table        # one row per pattern: criterion, median and 90 % band over runs, pass/fail/missing

See ``docs/patterns.md`` for the catalogue and the measured table.
"""

from nkborder.validation.evaluate import COLUMNS, PatternsResult, evaluate, run_patterns
from nkborder.validation.patterns import CATALOGUE, EXPECTED_INDICATORS, Pattern, catalogue

__all__ = [
    "CATALOGUE",
    "COLUMNS",
    "EXPECTED_INDICATORS",
    "Pattern",
    "PatternsResult",
    "catalogue",
    "evaluate",
    "run_patterns",
]
