"""The app for the browser tests: ``nkborder app`` in a subprocess on a free port, and how Chromium is started.

The fixture ``app_server`` (tests/conftest.py) starts it once for every browser test module.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serving(url: str, proc: subprocess.Popen, timeout: float = 150.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the app did not serve {url} within {timeout:.0f} s")


@contextlib.contextmanager
def serve(tmp: Path, db: Path) -> Iterator[str]:
    """``nkborder app`` on a free port with results file ``db`` (log in ``tmp``): its address, until the end of
    the block; skips the test without Chromium, Playwright or the page's front end."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (`make browser`)")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    from nkborder.app import assets

    try:
        assets.ensure()  # Solara's front end from the npm registry, if not installed yet
    except Exception as exc:
        pytest.skip(f"the page's front end is not installed and could not be fetched: {exc}")
    port = _free_port()
    log = (tmp / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nkborder", "app", "--port", str(port), "--db", str(db)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _serving(url, proc)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the app and the Dask workers it started
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()
        print((tmp / "app.log").read_text()[-3000:])
