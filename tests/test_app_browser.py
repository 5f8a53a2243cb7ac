"""The web app in a real browser: Playwright drives Debian's Chromium against ``nkborder app`` in a subprocess.

One walk through the page: change a parameter slider and an event (with a bad value first), run a short,
small scenario and see the chart change, run a what-if comparison, download a CSV, move the map's time
slider, and check that the browser logged no error. A screenshot of the results goes to the test's temporary
folder, or to the path in ``$NKBORDER_SCREENSHOT`` (``NKBORDER_SCREENSHOT=docs/screenshot.png`` refreshes the
README's picture), so that running the tests leaves the work tree as it was.
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

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
SCREENSHOT_ENV = "NKBORDER_SCREENSHOT"
WAIT = 180_000  # ms: a run on a busy 2-core machine, the first one waiting for the Dask workers to warm up


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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("app")
    with serve(tmp, tmp / "app.duckdb") as url:
        yield url, tmp


def _img_src(page, selector: str) -> str:
    page.locator(f"{selector} img").first.wait_for(timeout=WAIT)
    return page.locator(f"{selector} img").first.get_attribute("src") or ""


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def _expect_next_run(page, text: str) -> None:
    """Wait until the page's state (not only the input boxes) holds the run options: a click on Run sent before
    the box's value reached the server would run the options it held before (e.g. 2 runs instead of 3)."""
    from playwright.sync_api import expect

    expect(page.locator(".nk-run-summary")).to_contain_text(f"next run: {text}")


def test_app_in_browser(app_url) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, tmp = app_url
    shot = Path(os.environ.get(SCREENSHOT_ENV) or tmp / "screenshot.png")
    expect.set_options(timeout=60_000)  # a busy 2-core machine renders slowly
    problems: list[str] = []
    t0 = time.monotonic()

    def mark(what: str) -> None:
        print(f"{time.monotonic() - t0:6.1f} s  {what}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.set_default_timeout(60_000)
        try:
            _walk(page, url, mark, shot)
        except Exception:
            page.screenshot(path=str(tmp / "failure.png"), full_page=True)
            print(f"page at the failure: {tmp / 'failure.png'}; messages: "
                  f"{page.locator('.v-alert').all_inner_texts()}")
            raise
        mark("stored runs downloaded, one deleted")
        browser.close()
    assert not problems, "\n".join(problems)
    assert shot.stat().st_size > 20_000  # a rendered page, not an empty image


def _walk(page, url: str, mark, shot: Path) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_text("Policy timeline").first).to_be_visible(timeout=WAIT)

    mark("page loaded")
    # a parameter slider: keyboard steps on the thumb
    thumb = page.locator(".nk-param-detect_base [role=slider]").first
    thumb.focus()
    for _ in range(5):
        thumb.press("ArrowRight")
    expect(page.get_by_text("1 changed from the loaded scenario", exact=False)).to_be_visible()
    expect(page.locator(".nk-param-detect_base")).to_contain_text("0.375")

    mark("slider moved")
    # the shipped calibration in one click: every calibrated parameter takes its posterior median
    from nkborder.calibration import calibrated_params

    page.locator(".nk-use-calibrated").click()
    expect(page.get_by_text("Set the shipped calibrated parameters", exact=False).first).to_be_visible()
    expect(page.locator(".nk-param-detect_base")).to_contain_text(f"{calibrated_params()['detect_base']:g}")

    mark("calibrated values set")
    # an event: a value out of range is refused with a clear message, then a good one is saved
    page.locator(".nk-edit-border-closure").click()
    expect(page.get_by_text("Change event 'border-closure'")).to_be_visible()
    _fill(page, "intensity (0 to 1; blank = 1)", "5")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".nk-msg-error").first).to_contain_text("out of range")
    _fill(page, "intensity (0 to 1; blank = 1)", "0.5")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changed event 'border-closure'")).to_be_visible()
    expect(page.locator(".nk-event", has=page.locator(".nk-edit-border-closure"))).to_contain_text("intensity 0.5")
    page.locator(".nk-dismiss-error").first.click()  # errors stay until dismissed
    expect(page.locator(".nk-msg-error")).to_have_count(0)

    mark("event changed")
    # run: tiny scale, short period, two seeds; the chart appears and changes with the next run
    _fill(page, "scale (share of the population, 0-1]", "0.01")
    _fill(page, "simulate from", "2016")
    _fill(page, "last year", "2021")
    _expect_next_run(page, "2 run(s) (seeds 0-1) at scale 0.01, 2016-2021")
    page.get_by_role("button", name="Run scenario").click()
    expect(page.locator(".nk-progress-done")).to_contain_text("ensemble finished", timeout=WAIT)
    first = _img_src(page, ".nk-results-figure")
    expect(page.get_by_text("2 run(s) of history-edited")).to_be_visible()
    _fill(page, "seeds (replicate runs)", "3")
    _expect_next_run(page, "3 run(s) (seeds 0-2) at scale 0.01, 2016-2021")
    page.get_by_role("button", name="Run scenario").click()
    expect(page.get_by_text("3 run(s) of history-edited")).to_be_visible(timeout=WAIT)
    expect(page.locator(".nk-progress-done")).to_contain_text("ensemble finished", timeout=WAIT)
    assert _img_src(page, ".nk-results-figure") != first, "the chart did not change with the new runs"
    mark("two runs drawn")

    # what-if: history (A) against no-closure (B), same seeds; download the difference as CSV
    page.get_by_role("tab", name="What-if").click()
    _fill(page, "seeds (replicate runs)", "2")
    _fill(page, "simulate from", "2012")
    _fill(page, "last year", "2025")
    _expect_next_run(page, "2 run(s) (seeds 0-1) at scale 0.01, 2012-2025")
    page.get_by_role("button", name="Run comparison").click()
    expect(page.locator(".nk-progress-done")).to_contain_text("compare finished", timeout=WAIT)
    expect(page.get_by_text("runs of experiment app-compare-history-vs-no-closure")).to_be_visible()
    _img_src(page, ".nk-compare-difference")
    expect(page.get_by_text("A = history, B = no-closure")).to_be_visible()
    page.locator(".nk-compare-levels img").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot))
    with page.expect_download() as download:
        page.get_by_role("button", name="difference bands CSV").click()
    csv = Path(download.value.path()).read_text()
    assert csv.startswith("year,city,indicator,"), csv[:200]
    assert "arrivals_south_korea_full" in csv

    mark("comparison downloaded")
    # the schematic map and its time slider
    page.get_by_role("tab", name="City map").click()
    before = _img_src(page, ".nk-map")
    expect(page.get_by_text("SCHEMATIC", exact=False).first).to_be_attached()
    slider = page.locator("[role=slider]").first
    slider.focus()
    slider.press("Home")
    page.wait_for_function(
        "(old) => { const i = document.querySelector('.nk-map img'); return i && i.src !== old; }",
        arg=before, timeout=WAIT)

    mark("map slider moved")
    # stored runs: the experiments are listed, a run's table downloads
    page.get_by_role("tab", name="Stored runs").click()
    expect(page.get_by_text("app-compare-history-vs-no-closure", exact=False).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="yearly CSV").first.click()
    assert Path(download.value.path()).read_text().startswith("year,city,")
    # deleting asks first: the run stays until the deletion is confirmed
    page.get_by_role("button", name="Delete...").last.click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Delete run")).to_have_count(0)
    page.get_by_role("button", name="Delete...").last.click()
    page.get_by_role("button", name="Delete run").click()
    expect(page.get_by_text("Deleted run", exact=False).first).to_be_visible()
