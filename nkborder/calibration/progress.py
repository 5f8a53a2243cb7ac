"""Progress of a calibration: generations done, simulations, acceptance rate and tolerance.

On a terminal a Rich progress bar on stderr (its bar counts generations; the simulations of the running
generation are counted live); elsewhere one plain line per finished generation.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

GenerationHook = Callable[[dict[str, Any]], None]


class GenerationProgress:
    """Shows a calibration's generations; use as a context manager.

    Args:
        mode: True (bar or lines), False (silent) or a callable getting each finished generation's info dict
            (``generation``, ``epsilon``, ``acceptance_rate``, ``n_simulations``, ``wall_seconds``).
        total: generations wanted in all.
        done: generations already stored (resumed calibration).
        label: the calibration name.
    """

    def __init__(self, mode: bool | GenerationHook, total: int, done: int, label: str) -> None:
        self.mode, self.total, self.done, self.label = mode, total, done, label
        self.sims = 0
        self._lock = threading.Lock()
        self._console = Console(stderr=True)
        self._bar: Progress | None = None
        self._task: Any = None
        self._t0 = time.perf_counter()

    def __enter__(self) -> GenerationProgress:
        if self.mode is True:
            self._console.print(f"{self.label}: {self.total} generations wanted, {self.done} already stored",
                                highlight=False)
            if self._console.is_terminal:
                self._bar = Progress(
                    SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("generations | sims {task.fields[sims]} | acceptance {task.fields[acc]} | "
                               "tolerance {task.fields[eps]}"), TimeElapsedColumn(), console=self._console,
                )
                self._bar.start()
                self._task = self._bar.add_task(self.label, total=self.total, completed=self.done, sims=0,
                                                acc="-", eps="-")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def simulation_done(self) -> None:
        """Count one finished simulation of the running generation (called from Dask's callback thread)."""
        with self._lock:
            self.sims += 1
            sims = self.sims
        if self._bar is not None:
            self._bar.update(self._task, sims=sims)

    def generation_done(self, info: dict[str, Any]) -> None:
        """Show one finished generation."""
        self.done += 1
        with self._lock:
            self.sims = 0
        acc, eps = f"{info['acceptance_rate']:.3f}", f"{info['epsilon']:.3g}"
        if callable(self.mode):
            self.mode(info)
        elif self._bar is not None:
            self._bar.update(self._task, completed=self.done, sims=0, acc=acc, eps=eps)
        elif self.mode is True:
            stopped = ("" if info.get("n_stopped_before_start") is None else
                       f" ({info['n_stopped_before_start']} stopped before their first day, "
                       f"{info['n_stopped_after_start']} later)")
            print(f"{self.label}: generation {info['generation']} done ({self.done}/{self.total}): "
                  f"{info['n_simulations']} simulations{stopped}, acceptance {acc}, tolerance {eps}, "
                  f"{info['wall_seconds']:.0f} s", file=sys.stderr, flush=True)


class CountingClient:
    """A Dask client that reports each finished job (one simulation) to ``hook``, and answers ``ncores()`` from a
    copy at most ``refresh_s`` seconds old; everything else passes.

    pyabc's Dask sampler asks ``ncores()`` (a round trip to the scheduler) every 10 ms while a generation runs,
    to know how many jobs to keep submitted: that polling cost the client process about 0.09 CPU s per second
    (BENCHMARKS.md, section 11). A copy refreshed every few seconds still sees workers that join or leave.
    """

    def __init__(self, client: Any, hook: Callable[[], None], refresh_s: float = 5.0) -> None:
        self._client, self._hook, self._refresh_s = client, hook, refresh_s
        self._ncores: dict[str, int] | None = None
        self._asked = 0.0

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        future = self._client.submit(*args, **kwargs)
        future.add_done_callback(lambda _f: self._hook())
        return future

    def ncores(self, *args: Any, **kwargs: Any) -> dict[str, int]:
        """The cores of each worker (``distributed.Client.ncores``), asked again after ``refresh_s`` seconds."""
        if args or kwargs:
            return self._client.ncores(*args, **kwargs)
        now = time.monotonic()
        if self._ncores is None or now - self._asked > self._refresh_s:
            self._ncores, self._asked = self._client.ncores(), now
        return self._ncores

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
