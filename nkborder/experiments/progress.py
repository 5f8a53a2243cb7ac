"""Progress of an experiment: runs done, failed and remaining, and the estimated time left.

On a terminal this is a Rich progress bar on stderr; elsewhere (a log, a pipe) one plain line per finished
run, so that a supervisor can follow it. A callable gets ``(done, failed, total)`` after each run instead.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

ProgressHook = Callable[[int, int, int], None]


class Reporter:
    """Counts finished runs and shows them; use as a context manager around the experiment loop.

    Args:
        mode: True (bar or lines), False (silent) or a callable ``hook(done, failed, total)``.
        total: runs to compute now.
        label: the experiment name, shown first.
        reused: runs found already stored (shown once at the start).
    """

    def __init__(self, mode: bool | ProgressHook, total: int, label: str, reused: int = 0) -> None:
        self.mode, self.total, self.label, self.reused = mode, total, label, reused
        self.done = self.failed = 0
        self._t0 = time.perf_counter()
        self._console = Console(stderr=True)
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> Reporter:
        self._t0 = time.perf_counter()
        if self.mode is True:
            self._console.print(f"{self.label}: {self.total} runs to compute, {self.reused} already stored",
                                highlight=False)
            if self._console.is_terminal:
                self._bar = Progress(
                    TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("done {task.fields[done]}"), TextColumn("[red]failed {task.fields[failed]}"),
                    TextColumn("remaining {task.fields[remaining]}"), TextColumn("elapsed"), TimeElapsedColumn(),
                    TextColumn("left"),
                    TimeRemainingColumn(), console=self._console, refresh_per_second=2,  # runs take seconds
                )
                self._bar.start()
                self._task = self._bar.add_task(self.label, total=self.total, done=0, failed=0,
                                                remaining=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def note(self, line: str) -> None:
        """Show one line of information (e.g. the runtime estimate) when progress is shown."""
        if self.mode is not True:
            return
        if self._bar is not None:
            self._bar.console.print(line, highlight=False)
        else:
            print(f"{self.label}: {line}", file=sys.stderr, flush=True)

    @property
    def remaining(self) -> int:
        """Runs neither stored nor failed yet."""
        return self.total - self.done - self.failed

    def eta_seconds(self) -> float | None:
        """Estimated seconds left, from the mean time per finished run so far (None before the first)."""
        finished = self.done + self.failed
        if finished == 0:
            return None
        return (time.perf_counter() - self._t0) / finished * self.remaining

    def advance(self, ok: bool, note: str = "") -> None:
        """Count one finished run (``ok``: stored as finished; else failed) and show it."""
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if callable(self.mode):
            self.mode(self.done, self.failed, self.total)
        elif self._bar is not None:
            self._bar.update(self._task, completed=self.done + self.failed, done=self.done, failed=self.failed,
                             remaining=self.remaining)
            if note and not ok:
                self._bar.console.print(f"[red]run failed:[/] {note}", highlight=False)
        elif self.mode is True:
            eta = self.eta_seconds()
            left = f", about {eta:,.0f} s left" if eta is not None and self.remaining else ""
            what = "stored" if ok else f"FAILED ({note})"
            print(f"{self.label}: run {self.done + self.failed}/{self.total} {what}; done {self.done}, "
                  f"failed {self.failed}, remaining {self.remaining}{left}", file=sys.stderr, flush=True)
