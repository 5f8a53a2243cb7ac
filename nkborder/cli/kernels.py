"""Before a command's progress bar: compile the model's kernels if numba's cache is cold, and say so."""

from __future__ import annotations

from rich.console import Console

NOTICE = ("compiling the model's kernels: the first run after an install or an update waits for them (about half a "
          "minute to a minute; later runs load them from numba's cache)")


def compile_kernels(console: Console, scheduler: str | None = None) -> bool:
    """Compile the kernels here (in two processes) if the cache is cold, after printing :data:`NOTICE`.

    Nothing is compiled for work sent to a remote Dask ``scheduler``: its workers have their own caches. Returns
    whether it compiled.
    """
    from nkborder.engine.warmup import ensure_compiled, kernels_cached
    from nkborder.experiments.cluster import scheduler_address

    if scheduler_address(scheduler) is not None or kernels_cached():
        return False
    console.print(NOTICE)
    return ensure_compiled()
