"""The web app in a real browser: Playwright drives Debian's Chromium against ``nkborder app`` in a subprocess.

One walk through the page at 1280x800: upload a scenario by the button, pick parameters by submodel and see the
changes from the baseline, change a parameter slider and an event (with a bad value first; the form stays below the
app bar with its buttons inside it), run a short, small scenario and see the chart change, run a named what-if
comparison (simulated from the scenario's start, reported from 2012 to 2014, or to 2025 for the README's
screenshot: no cold start), download its table (a zip with metadata and the scenario) and run the command the page
copies, run a sweep, move the map's time slider, and check that the browser logged no error. With the results of a
run, a comparison and a sweep shown, every tab fits windows of 1280x800 and 1920x1080 without horizontal scrolling,
and no chart's toolbar overlaps its title. The app and its Dask cluster are started once for this module and
``test_app_browser_live.py`` (fixture ``app_server``). A screenshot of the results goes to the
test's temporary folder, or to the path in ``$NKBORDER_SCREENSHOT`` (``NKBORDER_SCREENSHOT=docs/screenshot.png``
refreshes the README's picture), so that running the tests leaves the work tree as it was.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from browser_app import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]  # a walk of several minutes on a busy machine

SCREENSHOT_ENV = "NKBORDER_SCREENSHOT"
WAIT = 180_000  # ms: a run on a busy 2-core machine, the first one waiting for the Dask workers to warm up
WINDOWS = ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080})
#: The comparison's last year: to 2025 for the README's screenshot, else a few years after it reports from 2012.
COMPARED_TO = 2025 if os.environ.get(SCREENSHOT_ENV) else 2014


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def _chart(page, selector: str) -> str:
    """The drawn content of a chart (Plotly or image) once it is there."""
    page.locator(f"{selector} :is(img, .main-svg)").first.wait_for(timeout=WAIT)
    return page.locator(selector).first.inner_html()


#: Images drawn more than this much larger than they are shown would print their text too small.
SHRUNK = 1.15


def _fits(page) -> None:
    """Every tab at both window sizes: the page is never wider than the window, interactive charts are no wider
    than their box, and no image is drawn much larger than it is shown (its text would be tiny). Ends at
    1280x800 on the tab it started from."""

    from nkborder.app.session import TABS

    start = next(t for t in TABS if page.get_by_role("tab", name=t).get_attribute("aria-selected") == "true")
    for window in WINDOWS:
        page.set_viewport_size(window)
        for tab in TABS:
            _open_tab(page, tab)
            page.wait_for_timeout(500)  # images load
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= window["width"], f"{tab} is {width} px wide in a {window['width']} px window"
            body = page.evaluate("document.body.scrollWidth")
            assert body <= window["width"], f"{tab}: body {body} px in a {window['width']} px window"
            charts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(
                e => [e.getBoundingClientRect().width, e.parentElement.getBoundingClientRect().width])""")
            assert all(w <= box + 1 for w, box in charts), f"{tab}: a chart is wider than its box: {charts}"
            overlaps = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(e => {
                const bar = e.querySelector('.modebar'), title = e.querySelector('.gtitle');
                if (!bar || !title) return null;
                const b = bar.getBoundingClientRect(), t = title.getBoundingClientRect();
                return (b.left < t.right && t.left < b.right && b.top < t.bottom && t.top < b.bottom)
                    ? [b.left, b.top, b.right, b.bottom, t.left, t.top, t.right, t.bottom] : null;
            }).filter(x => x)""")
            assert not overlaps, f"{tab}: a chart's toolbar overlaps its title: {overlaps}"
            images = page.evaluate("""() => [...document.querySelectorAll('.v-main img')].filter(
                i => i.complete && i.clientWidth > 0).map(i => [i.naturalWidth, i.clientWidth])""")
            assert all(n <= c * SHRUNK for n, c in images), f"{tab}: images shrunk to show: {images}"
    page.set_viewport_size(WINDOWS[0])
    _open_tab(page, start)


def _open_tab(page, tab: str) -> None:
    """Click a tab and wait until its panel is drawn (a busy server draws it some seconds later)."""
    page.get_by_role("tab", name=tab).click()
    page.locator(f".nk-panel-{tab.lower().replace(' ', '-')}").wait_for(timeout=WAIT)


def _unzip(path: str, into: Path) -> dict:
    """Extract a downloaded zip into ``into``; its metadata."""
    with zipfile.ZipFile(path) as z:
        z.extractall(into)
        return json.loads(z.read("metadata.json"))


def _options(page, seeds: int, first: int, last: int, expected: str) -> None:
    """Set the side bar's seeds and years, then wait until the page's state holds them."""
    _fill(page, "seeds (replicate runs)", str(seeds))
    _fill(page, "simulate from", str(first))
    _fill(page, "last year", str(last))
    _expect_next_run(page, expected)


def _expect_next_run(page, text: str) -> None:
    """Wait until the page's state (not only the input boxes) holds the run options: a click on Run sent before
    the box's value reached the server would run the options it held before (e.g. 2 runs instead of 3)."""
    from playwright.sync_api import expect

    expect(page.locator(".nk-run-summary")).to_contain_text(f"next run: {text}")


def test_app_in_browser(app_server) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, tmp, _ = app_server
    shot = Path(os.environ.get(SCREENSHOT_ENV) or tmp / "screenshot.png")
    expect.set_options(timeout=60_000)  # a busy 2-core machine renders slowly
    problems: list[str] = []
    t0 = time.monotonic()

    def mark(what: str) -> None:
        print(f"{time.monotonic() - t0:6.1f} s  {what}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport=WINDOWS[0], accept_downloads=True,
                                      permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.set_default_timeout(60_000)
        try:
            _walk(page, url, mark, shot, tmp)
        except Exception:
            page.screenshot(path=str(tmp / "failure.png"), full_page=True)
            print(f"page at the failure: {tmp / 'failure.png'}; messages: "
                  f"{page.locator('.v-alert').all_inner_texts()}")
            raise
        mark("stored runs downloaded, one deleted")
        browser.close()
    assert not problems, "\n".join(problems)
    assert shot.stat().st_size > 20_000  # a rendered page, not an empty image


def _walk(page, url: str, mark, shot: Path, tmp: Path) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_text("Policy timeline").first).to_be_visible(timeout=WAIT)

    mark("page loaded")
    # upload by the button: it opens the browser's file picker; the scenario is checked and loaded
    upload = tmp / "mine.toml"
    upload.write_text('base = "history"\nname = "mine"\ndrop_events = ["famine"]\n')
    with page.expect_file_chooser() as chooser:
        page.locator(".nk-upload-button").click()
    chooser.value.set_files(str(upload))
    expect(page.locator(".nk-scenario-picker")).to_contain_text("mine (uploaded)")
    expect(page.get_by_text("mine: Hoeryong, Hyesan", exact=False)).to_be_visible()
    page.locator(".nk-scenario-picker").click()
    page.get_by_role("option", name="history", exact=True).click()
    expect(page.get_by_text("history: Hoeryong, Hyesan", exact=False)).to_be_visible()

    mark("uploaded by the button")
    # parameters by submodel: plain labels with their meaning in view
    page.locator(".nk-parameters .v-select").first.click()
    page.get_by_role("option", name="submodel: Brokers").click()
    expect(page.locator(".nk-param-broker_fee_base_cny")).to_contain_text("Broker fee for a crossing")
    expect(page.locator(".nk-param-broker_fee_base_cny .nk-param-meaning")).to_contain_text(
        "broker fee for a crossing at reference risk")
    page.locator(".nk-parameters .v-select").first.click()
    page.get_by_role("option", name="estimated by calibration").click()
    # a parameter slider: five keyboard steps on the thumb
    from nkborder.app.state import slider_step
    from nkborder.params import parameter_info

    info = parameter_info("detect_base")
    step = slider_step(info["lo"], info["hi"], False)
    thumb = page.locator(".nk-param-detect_base [role=slider]").first
    for k in range(1, 3):  # each step once the page shows the one before (a busy server redraws the slider)
        thumb.focus()
        thumb.press("ArrowRight")
        expect(page.locator(".nk-param-detect_base")).to_contain_text(f"{info['default'] + k * step:g} probability")
    moved = f"{info['default'] + 2 * step:g}"
    expect(page.get_by_text("1 changed from the baseline", exact=False)).to_be_visible()
    expect(page.locator(".nk-param-detect_base")).to_contain_text(f"{moved} probability")
    expect(page.locator(".nk-scenario-picker")).to_contain_text("history (edited)")
    page.locator(".nk-parameters .v-select").first.click()
    page.get_by_role("option", name="changed from the baseline").click()
    expect(page.locator(".nk-changed-detect_base")).to_contain_text(f"{info['default']:g} -> {moved} probability")
    page.locator(".nk-parameters .v-select").first.click()
    page.get_by_role("option", name="estimated by calibration").click()

    mark("slider moved")
    # the shipped calibration in one click: every calibrated parameter takes its posterior median
    from nkborder.calibration import calibrated_params

    page.locator(".nk-use-calibrated").click()
    expect(page.get_by_text("Set the shipped calibrated parameters", exact=False).first).to_be_visible()
    expect(page.locator(".nk-param-detect_base")).to_contain_text(f"{calibrated_params()['detect_base']:g}")

    mark("calibrated values set")
    # an event: a value out of range is refused with a clear message, then a good one is saved; the form is in
    # view below the fixed app bar, its buttons inside it
    page.locator(".nk-edit-border-closure").click()
    expect(page.get_by_text("Change event 'border-closure'")).to_be_visible()
    form = page.locator(".nk-event-editor")
    form.scroll_into_view_if_needed()
    bar = page.locator("header").first.bounding_box()
    box, clear = form.bounding_box(), page.locator(".nk-event-clear").bounding_box()
    assert box["y"] >= bar["y"] + bar["height"] - 1, (box, bar)
    assert clear["x"] + clear["width"] <= box["x"] + box["width"] + 0.5, (clear, box)
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
    _options(page, 2, 2016, 2021, "2 run(s) (seeds 0-1) at scale 0.01, 2016-2021")
    page.get_by_role("button", name="Run scenario").click()
    expect(page.locator(".nk-progress-done")).to_contain_text("ensemble finished", timeout=WAIT)
    first = _chart(page, ".nk-results-figure")
    expect(page.get_by_text("2 run(s) of history-edited")).to_be_visible()
    _fill(page, "seeds (replicate runs)", "3")
    _expect_next_run(page, "3 run(s) (seeds 0-2) at scale 0.01, 2016-2021")
    page.get_by_role("button", name="Run scenario").click()
    expect(page.get_by_text("3 run(s) of history-edited")).to_be_visible(timeout=WAIT)
    expect(page.locator(".nk-progress-done")).to_contain_text("ensemble finished", timeout=WAIT)
    assert _chart(page, ".nk-results-figure") != first, "the chart did not change with the new runs"
    mark("two runs drawn")
    # the download carries the metadata and the edited scenario's TOML; the command in it reruns the experiment
    # from the shell (every run is found stored: the same scenario, parameters, seeds and scale)
    with page.expect_download() as download:
        page.get_by_role("button", name="bands CSV").first.click()
    unpacked = tmp / "ensemble-download"
    meta = _unzip(download.value.path(), unpacked)
    assert meta["seeds"] and meta["scale"] == 0.01 and meta["scenarios"][0]["file"] == "history-edited.toml"
    assert (unpacked / "history-edited.toml").exists() and meta["command"].startswith("nkborder ensemble "
                                                                                       "history-edited.toml")
    done = subprocess.run([sys.executable, "-m", "nkborder", *shlex.split(meta["command"])[1:]], cwd=unpacked,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 runs computed, 3 already stored" in " ".join(done.stdout.split()), done.stdout
    mark("the downloaded command reran the experiment")

    # what-if: history (A) against no-closure (B), same seeds; download the difference as CSV
    # simulated from the scenario's start (no cold start), shown from 2012
    _open_tab(page, "What-if")
    _fill(page, "seeds (replicate runs)", "2")
    expect(page.locator(".nk-run-summary")).to_contain_text("next run: 2 run(s)")
    _fill(page, "simulate from", "")
    expect(page.locator(".nk-run-summary")).to_contain_text(", 1995-")
    _fill(page, "last year", str(COMPARED_TO))
    _fill(page, "report from", "2012")
    _expect_next_run(page, f"2 run(s) (seeds 0-1) at scale 0.01, 1995-{COMPARED_TO}, reported from 2012")
    expect(page.locator(".nk-cold-start")).to_have_count(0)
    page.locator(".nk-experiment-name input").last.fill("my-what-if")
    page.get_by_role("button", name="Run comparison").click()
    # four runs from 1995 (the burn-in): twice a short run's wait on a busy machine
    expect(page.locator(".nk-progress-done")).to_contain_text("compare finished", timeout=2 * WAIT)
    expect(page.get_by_text("runs of experiment my-what-if")).to_be_visible()
    _chart(page, ".nk-compare-difference")
    expect(page.get_by_text("A = history, B = no-closure")).to_be_visible()
    page.locator(".nk-compare-levels").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot))
    with page.expect_download() as download:
        page.get_by_role("button", name="difference bands CSV").click()
    meta = _unzip(download.value.path(), tmp / "compare-download")
    csv = (tmp / "compare-download" / "my-what-if-difference-bands.csv").read_text()
    assert csv.startswith("year,city,indicator,"), csv[:200]
    assert "arrivals_south_korea_full" in csv
    # the copy button puts the same command on the clipboard
    copy = page.locator(".nk-panel-what-if .nk-copy-command").first
    copy.click()
    expect(copy).to_contain_text("copied")
    assert page.evaluate("navigator.clipboard.readText()") == meta["command"]
    assert meta["command"].startswith("nkborder compare history no-closure ")
    mark("comparison run")
    # a sweep from the page: planned before it starts, drawn with how many runs each value rests on
    _fill(page, "report from", "")
    expect(page.locator(".nk-run-summary")).not_to_contain_text("reported from")
    _options(page, 1, 2016, 2017, "1 run(s) (seed 0) at scale 0.01, 2016-2017")
    _open_tab(page, "Sweeps")
    _fill(page, "values", "2")
    expect(page.locator(".nk-study-plan")).to_contain_text("2 runs planned (1 seed(s) per value)")
    page.locator(".nk-run-study").click()
    expect(page.locator(".nk-study-progress")).to_contain_text("finished, 2 runs stored", timeout=WAIT)
    expect(page.locator(".nk-few-runs")).to_contain_text("Each value rests on 1 run(s)")
    _chart(page, ".nk-study-figure")
    mark("sweep drawn")
    _fits(page)  # the Results tab still shows the ensemble run above: every tab after a run and a comparison
    mark("every tab fits after a run, a comparison and a sweep")

    # the schematic map and its time slider
    _open_tab(page, "City map")
    _chart(page, ".nk-map")
    title = page.locator(".nk-map .gtitle").first
    before = title.text_content()
    expect(page.get_by_text("SCHEMATIC", exact=False).first).to_be_attached()
    slider = page.locator("[role=slider]").first
    slider.focus()
    slider.press("Home")  # the first month: the map's title names it
    expect(title).not_to_have_text(before, timeout=WAIT)

    mark("map slider moved")
    # stored runs: the experiments are listed, a run's table downloads
    _open_tab(page, "Stored runs")
    expect(page.get_by_text("my-what-if", exact=False).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="yearly CSV").first.click()
    meta = _unzip(download.value.path(), tmp / "run-download")
    assert meta["command"].startswith("nkborder run ") and meta["parameters"]
    assert (tmp / "run-download" / f"{meta['run_id']}_yearly.csv").read_text().startswith("year,city,")
    # deleting asks first: the run stays until the deletion is confirmed
    page.get_by_role("button", name="Delete...").last.click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Delete run")).to_have_count(0)
    page.get_by_role("button", name="Delete...").last.click()
    page.get_by_role("button", name="Delete run").click()
    expect(page.get_by_text("Deleted run", exact=False).first).to_be_visible()
