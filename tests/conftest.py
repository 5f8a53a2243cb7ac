"""Fixtures shared by the test modules: the command line in a child process, scenario files in a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIZE_ENV = "NKBORDER_TEST_SIZE"  # full or reduced: the size of the tests marked slow


@pytest.fixture(scope="session")
def reduced_size() -> bool:
    """Whether the tests marked ``slow`` run at their reduced size, as CI runs them (pyproject.toml).

    ``NKBORDER_TEST_SIZE=reduced`` or ``full`` chooses; without it, CI (``CI=true``) runs them reduced.
    """
    size = os.environ.get(SIZE_ENV) or ("reduced" if os.environ.get("CI", "").lower() in ("1", "true") else "full")
    if size not in ("full", "reduced"):
        raise pytest.UsageError(f"{SIZE_ENV}={size!r}: allowed full or reduced")
    return size == "reduced"


def _run_nkborder(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nkborder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="session")
def nkb() -> Callable[..., subprocess.CompletedProcess]:
    """``nkb(*args, cwd=..., timeout=300)`` runs ``python -m nkborder ARGS`` in ``cwd`` as users run it (a child
    process of this checkout, 200 columns wide) and returns the completed process."""
    return _run_nkborder


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[..., Path]:
    """``write_toml(text, name="scenario")`` writes ``text`` (dedented) to ``tmp_path/<name>.toml``."""

    def write(text: str, name: str = "scenario") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory):
    """One ``nkborder app`` (and its Dask cluster) for every browser test (tests/browser_app.py): its address,
    folder and results file; the test is skipped without Chromium, Playwright or the page's front end."""
    from browser_app import serve

    tmp = tmp_path_factory.mktemp("app")
    with serve(tmp, tmp / "app.duckdb") as url:
        yield url, tmp, tmp / "app.duckdb"
