"""Live runs in a real browser, at 1280x800 and then 1920x1080 in one page: at each size the chart changes before
a run has finished, Stop ends an ensemble and leaves its finished runs stored, and the map plays. Values typed into
the side bar while a running job redraws the page are kept and committed.

Nothing waits on the clock: each ensemble starts paused and moves a simulated year per click on "Step a year", so
the page is checked while no run has finished on any machine; the map's player is checked by its date changing.
The app (fixture ``app_server``) is the one ``test_app_browser.py`` uses: one server and Dask cluster for both.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser_app import ARGS, CHROMIUM

from nkborder.app import storage

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

WAIT = 240_000  # ms: the first run waits for the Dask workers to start and load the kernels on a busy machine
SIZES = [(1280, 800), (1920, 1080)]


def test_live_chart_stop_and_map_player_at_both_window_sizes(app_server) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, tmp, db = app_server
    expect.set_options(timeout=90_000)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.set_default_timeout(90_000)
        try:
            page.goto(url)
            expect(page.get_by_text("Policy timeline").first).to_be_visible(timeout=WAIT)
            _fill(page, "scale (share of the population, 0-1]", "0.01", "at scale 0.01")
            _fill(page, "seeds (replicate runs)", "3", "3 run(s)")
            _fill(page, "last year", "1997", "-1997")
            stopped: set[str] = set()
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                stopped.add(_live_run_stopped(page, db, seed=width, before=stopped))
                _map_plays(page)
        except Exception:
            page.screenshot(path=str(tmp / "failure-live.png"), full_page=True)
            print(f"page at the failure: {tmp / 'failure-live.png'}")
            raise
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


def _fill(page, label: str, value: str, shown: str) -> None:
    """Type ``value`` into the box ``label`` once, press Enter, and wait until the run summary shows ``shown``."""
    from playwright.sync_api import expect

    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    expect(page.locator(".nk-run-summary")).to_contain_text(shown, timeout=WAIT)


def _run_paused(page):
    """Click Run with the next run set to start paused, and wait until its runs wait at their first month; the
    progress box."""
    from playwright.sync_api import expect

    if page.locator(".nk-pause").count():  # after a stopped run the next one starts paused already
        page.locator(".nk-pause").click()
    expect(page.get_by_text("the next run starts paused")).to_be_visible()
    page.get_by_role("button", name="Run scenario").click()
    progress = page.locator(".nk-progress")
    expect(progress).to_contain_text("paused", timeout=WAIT)
    expect(progress).to_contain_text("simulating 1995-01-31", timeout=WAIT)
    return progress


def test_values_typed_while_a_job_redraws_the_page_are_kept(app_server) -> None:
    """Text typed into the side bar's boxes stays in them while a running job's progress redraws the page, and
    Enter then commits it: each value is typed once, and a redraw comes between the typing and the Enter. The job
    starts paused and each redraw is a step of a simulated year, clicked without taking the focus from the box
    (a click would leave the box, which commits it), so the job is still running however fast the machine is."""
    from playwright.sync_api import expect, sync_playwright

    url, tmp, _ = app_server
    expect.set_options(timeout=90_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
        page.set_default_timeout(90_000)
        try:
            page.goto(url)
            expect(page.get_by_text("Policy timeline").first).to_be_visible(timeout=WAIT)
            _fill(page, "scale (share of the population, 0-1]", "0.01", "at scale 0.01")
            _fill(page, "seeds (replicate runs)", "4", "4 run(s)")
            _fill(page, "last year", "2010", "-2010")
            progress = _run_paused(page)
            for label, value, shown in (("seeds (replicate runs)", "7", "7 run(s) (seeds 0-6)"),
                                        ("report from", "2001", "reported from 2001"),
                                        ("base seed", "40", "(seeds 40-46)")):
                box = page.get_by_label(label, exact=True)
                box.fill(value)
                before = progress.inner_text()
                page.locator(".nk-step").dispatch_event("click")  # a step redraws the page; the box keeps the focus
                page.wait_for_function("(old) => { const p = document.querySelector('.nk-progress');"
                                       " return p !== null && p.innerText !== old; }", arg=before, timeout=WAIT)
                assert box.input_value() == value, f"{label}: the redraw replaced {value!r}"
                box.press("Enter")
                expect(page.locator(".nk-run-summary")).to_contain_text(shown)
            expect(page.locator(".nk-run-summary")).to_contain_text(
                "next run: 7 run(s) (seeds 40-46) at scale 0.01, 1995-2010, reported from 2001")
            page.locator(".nk-stop").click()
            expect(page.locator(".nk-progress-stopped")).to_contain_text("stopped:", timeout=WAIT)
        except Exception:
            page.screenshot(path=str(tmp / "failure-typing.png"), full_page=True)
            print(f"page at the failure: {tmp / 'failure-typing.png'}")
            raise
        finally:
            browser.close()


def _live_run_stopped(page, db: Path, seed: int, before: set[str]) -> str:
    """Run three seeds from ``seed`` paused, a simulated year per step: the chart changes while no run has
    finished; Stop keeps the finished runs only. The stopped experiment's name (not one of ``before``)."""
    from playwright.sync_api import expect

    _fill(page, "base seed", str(seed), f"(seeds {seed}-")
    expect(page.locator(".nk-run-summary")).to_contain_text(f"3 run(s) (seeds {seed}-{seed + 2}) at scale 0.01, "
                                                            "1995-1997")
    # start paused, then one simulated year per step: the chart grows while no run has finished
    progress = _run_paused(page)
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
    pattern = re.compile(r"Stopped experiment (app-ensemble-\S+):")
    name = _new_stopped(page, pattern, before)
    runs = storage.stored_runs(db)
    mine = runs.loc[runs["experiment"] == name]
    assert len(mine) == done and set(mine["status"]) == {"finished"}  # the runs in progress were not stored
    page.get_by_role("tab", name="Stored runs").click()
    expect(page.get_by_text(name).first).to_be_visible()
    return name


def _new_stopped(page, pattern: re.Pattern, before: set[str], timeout: float = 90.0) -> str:
    """The experiment named by the page's "Stopped experiment" message once it is not one of ``before`` (the
    page shows its latest message: the one of the run stopped before stays until this one replaces it)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        names = {pattern.search(t).group(1) for t in page.get_by_text(pattern).all_inner_texts()} - before
        if names:
            return names.pop()
        page.wait_for_timeout(200)
    raise AssertionError(f"no new 'Stopped experiment' message within {timeout:.0f} s")


def _map_plays(page) -> None:
    """The map of the stored runs plays: its date moves on by itself, then stays when paused."""
    from playwright.sync_api import expect

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
