"""Live runs in a real browser, at 1280x800 and 1920x1080: the chart changes before a run has finished, Stop
ends an ensemble and leaves its finished runs stored, and the map plays.

Nothing waits on the clock: the run starts paused and moves a simulated year per click on "Step a year", so the
page is checked while no run has finished on any machine; the map's player is checked by its date changing.
The app runs in a subprocess as in ``test_app_browser.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_app_browser import ARGS, CHROMIUM, serve

from nkborder.app import storage

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

WAIT = 240_000  # ms: the first run waits for the Dask workers to start and load the kernels on a busy machine
SIZES = [(1280, 800), (1920, 1080)]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("app-live")
    with serve(tmp, tmp / "live.duckdb") as url:
        yield url, tmp / "live.duckdb", tmp


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_live_chart_stop_and_map_player(app, width: int, height: int) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db, tmp = app
    expect.set_options(timeout=90_000)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.set_default_timeout(90_000)
        try:
            _walk(page, url, db, seed=width)
        except Exception:
            page.screenshot(path=str(tmp / f"failure-{width}.png"), full_page=True)
            print(f"page at the failure: {tmp / f'failure-{width}.png'}")
            raise
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


def _fill(page, label: str, value: str, shown: str) -> None:
    """Type ``value`` into the box ``label`` until the run summary shows ``shown`` (a box typed into while the
    side bar is redrawn loses its value: it is typed again, at most three times)."""
    from playwright.sync_api import expect

    summary = page.locator(".nk-run-summary")
    for attempt in range(3):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
        try:
            expect(summary).to_contain_text(shown, timeout=WAIT if attempt == 2 else 10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def _walk(page, url: str, db: Path, seed: int) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_text("Policy timeline").first).to_be_visible(timeout=WAIT)
    _fill(page, "scale (share of the population, 0-1]", "0.01", "at scale 0.01")
    _fill(page, "seeds (replicate runs)", "3", "3 run(s)")
    _fill(page, "base seed", str(seed), f"(seeds {seed}-")
    _fill(page, "last year", "1997", "-1997")
    expect(page.locator(".nk-run-summary")).to_contain_text(f"3 run(s) (seeds {seed}-{seed + 2}) at scale 0.01, "
                                                            "1995-1997")
    # start paused, then one simulated year per step: the chart grows while no run has finished
    page.locator(".nk-pause").click()
    expect(page.get_by_text("the next run starts paused")).to_be_visible()
    page.get_by_role("button", name="Run scenario").click()
    progress = page.locator(".nk-progress")
    expect(progress).to_contain_text("paused", timeout=WAIT)
    expect(progress).to_contain_text("simulating 1995-01-31", timeout=WAIT)
    page.locator(".nk-step").click()
    live = page.locator(".nk-live")
    expect(live).to_contain_text("through 1995-12-31", timeout=WAIT)
    figure = page.locator(".nk-results-figure")
    expect(figure.locator("img, svg, canvas").first).to_be_attached()
    first = figure.inner_html()
    expect(progress).to_contain_text("0 of 3 runs computed")
    page.locator(".nk-step").click()
    expect(live).to_contain_text("through 1996-12-31", timeout=WAIT)
    page.wait_for_function("(old) => document.querySelector('.nk-results-figure').innerHTML !== old", arg=first)
    expect(progress).to_contain_text("0 of 3 runs computed")  # the chart changed and no run has finished

    # the runs in progress finish; runs that start after the step wait at their first month; then Stop
    page.locator(".nk-step").click()
    expect(progress).to_contain_text(re.compile(r"[12] of 3 runs computed.*paused"), timeout=WAIT)
    page.locator(".nk-stop").click()
    stopped = page.locator(".nk-progress-stopped")
    expect(stopped).to_contain_text("stopped:", timeout=WAIT)
    done = int(re.search(r"stopped: (\d) of 3 runs stored", stopped.inner_text()).group(1))
    assert 1 <= done <= 2
    message = page.get_by_text(re.compile(r"Stopped experiment (app-ensemble-\S+):")).first
    expect(message).to_be_visible()
    name = re.search(r"Stopped experiment (app-ensemble-\S+):", message.inner_text()).group(1)
    runs = storage.stored_runs(db)
    mine = runs.loc[runs["experiment"] == name]
    assert len(mine) == done and set(mine["status"]) == {"finished"}  # the runs in progress were not stored
    page.get_by_role("tab", name="Stored runs").click()
    expect(page.get_by_text(name).first).to_be_visible()

    # the map of the stored runs plays: its date moves on by itself, then stays when paused
    page.get_by_role("tab", name="City map").click()
    date = page.locator(".nk-map-date")
    expect(date).to_have_text(re.compile(r"[A-Z][a-z]+ \d{4}"), timeout=WAIT)
    page.locator(".nk-map-play").click()
    start = date.inner_text()
    page.wait_for_function("(old) => document.querySelector('.nk-map-date').innerText !== old", arg=start)
    moved = date.inner_text()
    page.wait_for_function("(old) => document.querySelector('.nk-map-date').innerText !== old", arg=moved)
    page.locator(".nk-map-pause").click()
    expect(page.locator(".nk-map-play")).to_be_visible()
    assert re.fullmatch(r"[A-Z][a-z]+ \d{4}", date.inner_text())
