"""Benchmarks of the nkborder engine: ``python -m benchmarks`` (or ``make bench``) writes BENCHMARKS.md.

Every measurement runs in its own child process (``python -m benchmarks.child JOB SPEC``) so that peak memory
(``ru_maxrss``) belongs to one run and the numba cache can be made cold with a fresh ``NUMBA_CACHE_DIR``.
The parent (:mod:`benchmarks.suite`) only starts children, derives ratios and fits, and
:mod:`benchmarks.report` writes the Markdown.

Modules:

- :mod:`benchmarks.child`: the jobs measured inside a child process (``tiny``, ``engine``, ``reference``).
- :mod:`benchmarks.suite`: the sizes of the full, quick and tiny modes and the orchestration.
- :mod:`benchmarks.machine`: what machine the numbers were taken on.
- :mod:`benchmarks.report`: the Markdown writer.
- :mod:`benchmarks.bench_experiments` (optional, written for the experiments issue): ``run(quick) -> dict``.
- :mod:`benchmarks.patterns`: the pattern table of docs/patterns.md (``python -m benchmarks --patterns``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (children run there, with it first on ``PYTHONPATH``)."""
