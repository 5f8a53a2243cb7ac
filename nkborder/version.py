"""The package's version, and a digest of the code and data that decide a run's results.

In a module of its own so that any module can read them without importing the API.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"

_PACKAGE = Path(__file__).resolve().parent
RESULT_SOURCES = ("core/*.py", "model/*.py", "engine/*.py", "data/*.csv")  # what a run's tables depend on,
# besides the scenario, the parameter values, the seed and the scale


@functools.lru_cache(maxsize=1)
def results_digest() -> str:
    """SHA-256 (hex) of the names and contents of the files in :data:`RESULT_SOURCES`: a stored run whose
    digest differs was made by other rules or data, and an experiment does not reuse it."""
    digest = hashlib.sha256()
    for pattern in RESULT_SOURCES:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(f"{path.relative_to(_PACKAGE).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
