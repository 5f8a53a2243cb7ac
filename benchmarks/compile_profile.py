"""Where a cold compile spends its CPU time: per kernel and per numba pass (BENCHMARKS.md, section 2).

``NUMBA_CACHE_DIR=$(mktemp -d) python -m benchmarks.compile_profile daily`` (or ``monthly``) compiles one group of
kernels as :mod:`nkborder.engine.warmup` does (a tiny run with the other group's kernels as stand-ins) and prints,
from numba's compile events (``numba.core.event``), the CPU seconds of each compiled function without the functions
it compiled in turn, how often it was compiled (more than once: one compile per distinct argument types), and the
CPU seconds of each numba pass. Run it with a fresh ``NUMBA_CACHE_DIR``: kernels loaded from the cache are not
compiled.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import Any

from numba.core import event

GROUPS = ("daily", "monthly")


class _ExclusiveTimer(event.Listener):
    """CPU seconds between the start and end events of a kind, less those of the same kind nested inside."""

    def __init__(self, name_of: Any) -> None:
        self.name_of = name_of
        self.stack: list[list[Any]] = []  # [name, start, CPU seconds of nested events]
        self.seconds: Counter[str] = Counter()
        self.count: Counter[str] = Counter()

    def on_start(self, event: event.Event) -> None:
        self.stack.append([self.name_of(event.data), time.process_time(), 0.0])

    def on_end(self, event: event.Event) -> None:
        name, start, nested = self.stack.pop()
        spent = time.process_time() - start
        self.seconds[name] += spent - nested
        self.count[name] += 1
        if self.stack:
            self.stack[-1][2] += spent


def _function_name(data: dict[str, Any]) -> str:
    func = data["dispatcher"].py_func
    return f"{func.__module__}.{func.__qualname__}"


def _pass_name(data: dict[str, Any]) -> str:
    return str(data["name"]).split(" [")[0]


def profile(group: str) -> tuple[float, _ExclusiveTimer, _ExclusiveTimer]:
    """Compile ``group`` with a tiny run; the CPU seconds of the run and the timers per function and per pass."""
    import nkborder.engine.warmup as warmup  # imports numba's kernels: only when profiling

    warmup._checked = True  # compile here, in this process
    standins = warmup.MONTHLY_STANDINS if group == "daily" else warmup.DAILY_STANDINS
    functions, passes = _ExclusiveTimer(_function_name), _ExclusiveTimer(_pass_name)
    start = time.process_time()
    with (event.install_listener("numba:compile", functions), event.install_listener("numba:run_pass", passes),
          warmup._standins(standins)):
        warmup._tiny_run()
    return time.process_time() - start, functions, passes


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in GROUPS:
        print(f"usage: python -m benchmarks.compile_profile {{{'|'.join(GROUPS)}}}", file=sys.stderr)
        return 2
    total, functions, passes = profile(args[0])
    print(f"{args[0]} group: {total:.2f} s CPU (compile and tiny run)")
    print("\nCPU s  compiles  function (without the functions it compiled)")
    for name, seconds in functions.seconds.most_common(25):
        print(f"{seconds:6.2f}  {functions.count[name]:8d}  {name}")
    print("\nCPU s  numba pass")
    for name, seconds in passes.seconds.most_common(8):
        print(f"{seconds:6.2f}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
