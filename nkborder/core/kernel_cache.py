"""Numba's on-disk cache of the kernels, invalidated by an edit of any kernel source file.

numba compiles a kernel together with the kernels it calls, which live in other modules, but keys its cache on
the source of the kernel's own file only: after an edit of ``model/defection.py`` the cached
:func:`~nkborder.engine.daily.run_days` (``engine/daily.py``) would still run the old ``cross``. The kernels of
this package are therefore cached under a stamp of all the source files of ``core/``, ``model/`` and ``engine/``
together (:func:`sources_digest`): an edit of any of them recompiles every kernel, and results never come from
code that is no longer there. The cache stays where numba puts it (``__pycache__``, or ``NUMBA_CACHE_DIR``), in a
sub-folder named after that stamp.

:func:`install` must run before the first kernel is decorated; :mod:`nkborder.core` calls it on import, and every
kernel module imports from :mod:`nkborder.core` first.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from numba.core import caching

PACKAGE = Path(__file__).resolve().parents[1]
KERNEL_PACKAGES = ("core", "model", "engine")
# numba renamed these from private names (0.60) to public ones (0.61 on)
_CACHE_IMPL = getattr(caching, "CacheImpl", None) or caching._CacheImpl
_USER_PROVIDED = getattr(caching, "UserProvidedCacheLocator", None) or caching._UserProvidedCacheLocator
_IN_TREE = getattr(caching, "InTreeCacheLocator", None) or caching._InTreeCacheLocator


@functools.lru_cache(maxsize=1)
def sources_digest() -> bytes:
    """SHA-256 of the names and contents of every ``.py`` file in the kernel packages."""
    digest = hashlib.sha256()
    for package in KERNEL_PACKAGES:
        for path in sorted((PACKAGE / package).glob("*.py")):
            digest.update(f"{package}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.digest()


class _KernelSourcesStamp:
    """Locator mixin: applies to this package's files only, stamped with :func:`sources_digest`."""

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if not Path(py_file).resolve().is_relative_to(PACKAGE):
            return None
        return super().from_function(py_func, py_file)  # type: ignore[misc]

    def get_source_stamp(self) -> bytes:
        return sources_digest()

    def ensure_cache_path(self) -> None:
        """Create this version's folder; the first process to do so removes the folders of other versions."""
        path = self.get_cache_path()
        if not os.path.isdir(path):
            for other in Path(path).parent.glob("kernels-*"):
                if other.name != Path(path).name:  # another process of this version may just have made it
                    shutil.rmtree(other, ignore_errors=True)
        super().ensure_cache_path()  # type: ignore[misc]

    def get_cache_path(self) -> str:
        """A folder per version of the kernel sources, inside numba's usual one.

        numba unpickles a cache index before it compares stamps, and an index written by other sources can name
        modules that no longer exist (``ModuleNotFoundError`` instead of a recompile). Files of other versions are
        therefore never opened.
        """
        return os.path.join(super().get_cache_path(), f"kernels-{sources_digest().hex()[:16]}")  # type: ignore[misc]


class KernelUserProvidedLocator(_KernelSourcesStamp, _USER_PROVIDED):
    """``NUMBA_CACHE_DIR`` set: the cache in that folder."""


class KernelInTreeLocator(_KernelSourcesStamp, _IN_TREE):
    """The cache in the ``__pycache__`` folder beside the source file."""


def install() -> None:
    """Put the two locators first in numba's list (once per process)."""
    classes = _CACHE_IMPL._locator_classes
    if KernelInTreeLocator not in classes:
        classes[:0] = [KernelUserProvidedLocator, KernelInTreeLocator]
