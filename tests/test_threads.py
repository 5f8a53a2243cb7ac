"""The person pass on several numba threads gives the same tables as on one, also with runs in several Python
threads at once, and runs on one thread inside a Dask worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numba
import pandas as pd
import pytest

import nkborder
from nkborder.core.threads import person_pass_threads, thread_safe_layer
from nkborder.engine import month as month_module
from nkborder.engine import monthly

TABLES = ("yearly", "monthly", "sectors", "districts")
#: Five years of both cities: deaths, births, crossings, people in China and back.
RUN = {"scenario": "history", "seed": 5, "scale": 0.02, "end": "1999-12-31", "daily": False}

needs_two_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2 or thread_safe_layer() is None,
                                       reason="numba has one thread here, or no thread-safe threading layer")


@pytest.fixture
def numba_threads() -> Iterator[None]:
    """Restores this thread's numba thread count after the test (the setting is per Python thread)."""
    before = numba.get_num_threads()
    yield
    numba.set_num_threads(before)


def tables(result: nkborder.Result) -> dict[str, pd.DataFrame]:
    return {name: result.table(name) for name in TABLES}


def assert_same_tables(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame], what: str) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True, obj=f"{what}: {name}")


@needs_two_threads
def test_one_and_two_threads_give_identical_tables(numba_threads: None, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []  # the threads each month's person pass was given

    def person_pass(*args: object) -> tuple[int, int, int]:
        asked.append(args[-1])
        return monthly.people_month(*args)

    monkeypatch.setattr(month_module, "people_month", person_pass)
    numba.set_num_threads(1)
    one = tables(nkborder.run(**RUN))
    assert set(asked) == {1}
    asked.clear()
    numba.set_num_threads(2)
    two = tables(nkborder.run(**RUN))
    assert set(asked) == {2}  # people_month runs person_rules in parallel, then the pass in person order
    assert_same_tables(one, two, "1 thread against 2")


@needs_two_threads
def test_runs_in_two_python_threads_at_once_match_runs_one_at_a_time(numba_threads: None) -> None:
    numba.set_num_threads(2)
    alone = [tables(nkborder.run(**{**RUN, "seed": seed})) for seed in (5, 6)]
    together: dict[int, dict[str, pd.DataFrame]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(seed: int) -> None:
        try:
            numba.set_num_threads(2)  # a new Python thread starts with numba's default
            start.wait()
            together[seed] = tables(nkborder.run(**{**RUN, "seed": seed}))
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(seed,)) for seed in (5, 6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    assert not errors, errors
    assert numba.threading_layer() in ("tbb", "omp")
    for seed, expected in zip((5, 6), alone, strict=True):
        assert_same_tables(expected, together[seed], f"seed {seed} in two Python threads at once")


def test_a_dask_worker_runs_the_person_pass_on_one_thread() -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        assert client.submit(person_pass_threads, pure=False).result() == 1
    assert person_pass_threads() == (numba.get_num_threads() if thread_safe_layer() else 1)
