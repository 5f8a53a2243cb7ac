"""Numba's threads for the parallel kernels: how many, and a threading layer two Python threads can share.

The monthly person pass runs its per-person rules in a numba ``prange`` (:mod:`nkborder.engine.monthly`). How
many threads it uses is numba's setting for the calling thread: ``NUMBA_NUM_THREADS`` (default: every core),
or :func:`numba.set_num_threads`. A single run therefore uses every core. A run inside a Dask worker (the
experiments, the calibration, the app's jobs: one simulation per worker thread, as many worker threads as
cores) uses one: each worker starting a thread per core would oversubscribe the machine. This holds on any
cluster, local or given by its scheduler's address, and needs no setting in the workers' environment (an
environment variable set for local workers would also be copied into this process by Dask's nannies, and numba
refuses a new ``NUMBA_NUM_THREADS`` once its threads run).

numba's own fallback threading layer, ``workqueue``, aborts the process when two Python threads launch
parallel work at once (the app runs its jobs in threads). :func:`install_threading_layer` asks numba for a
thread-safe layer instead: TBB if the ``tbb`` package is installed, else OpenMP (GNU ``libgomp.so.1``, Debian's
``libgomp1``). When neither loads, :func:`person_pass_threads` returns 1 and the person pass runs in the
calling thread, with the same results. A ``NUMBA_THREADING_LAYER`` set in the environment is left as it is, and
so is an ``OMP_WAIT_POLICY`` (``PASSIVE`` otherwise: OpenMP's threads sleep as soon as a parallel loop ends).
"""

from __future__ import annotations

import functools
import os
import sys

import numba
from numba.core import config

#: numba's name for "a layer that is safe with several Python threads" (TBB or OpenMP, in numba's order).
THREAD_SAFE = "threadsafe"


def install_threading_layer() -> None:
    """Have numba pick a thread-safe threading layer, unless ``NUMBA_THREADING_LAYER`` is set.

    Takes effect at numba's first parallel launch in this process; :mod:`nkborder.core` calls it on import.
    """
    # before OpenMP's library loads (it reads the setting once): its threads otherwise spin for a while after each
    # parallel loop, on cores that the rest of the run (one thread) or other processes need (BENCHMARKS.md,
    # section 2); TBB does not read it
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if "NUMBA_THREADING_LAYER" not in os.environ and thread_safe_layer() is not None:
        config.THREADING_LAYER = THREAD_SAFE


@functools.lru_cache(maxsize=1)
def thread_safe_layer() -> str | None:
    """The thread-safe layer numba can load here (``"tbb"`` or ``"omp"``), or None."""
    from numba.np.ufunc import parallel

    try:
        parallel._check_tbb_version_compatible()
        from numba.np.ufunc import tbbpool  # noqa: F401

        return "tbb"
    except ImportError:
        pass
    try:
        from numba.np.ufunc import omppool  # noqa: F401

        return "omp"
    except ImportError:
        return None


def person_pass_threads() -> int:
    """Threads for the person pass of a run in this thread: numba's setting for the thread; 1 in a Dask worker's
    task, or without a thread-safe layer (or with a ``NUMBA_THREADING_LAYER`` that is not one)."""
    chosen = str(config.THREADING_LAYER).lower()
    safe = chosen in (THREAD_SAFE, "safe", "tbb", "omp") and thread_safe_layer() is not None
    return numba.get_num_threads() if safe and not in_dask_worker() else 1


def in_dask_worker() -> bool:
    """Whether this thread runs a task of a Dask worker (never imports Dask: without it, no worker)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:  # "No worker found": not in a worker's task
        return False
    return True
