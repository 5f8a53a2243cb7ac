# nkborder: `make run` runs the default scenario, `make test` runs every test.
# Both install what they need into ./.venv on a fresh machine with python3, make and git.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint bench fuzz screenshot install install-test browser assets clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $(STAMP)

$(TSTAMP): pyproject.toml $(STAMP)
	$(PIP) install --quiet -e ".[test]"
	touch $(TSTAMP)

install: $(STAMP)

install-test: $(TSTAMP) browser assets

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Solara's front end from the npm registry (the app's page stays blank on a machine without internet otherwise).
assets: $(STAMP)
	$(PY) -m nkborder.app.assets

run: $(STAMP)
	$(VENV)/bin/nkborder run history --calibrated

test: install-test
	$(VENV)/bin/ruff check nkborder tests reference benchmarks
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

bench: install-test fuzz
	$(PY) -m benchmarks

# The fuzz tests with many random examples (CI runs 60 fixed ones per test).
fuzz: install-test
	NKBORDER_FUZZ_EXAMPLES=1000 $(PY) -m pytest -q tests/test_fuzz_*.py

# The README's picture of the app (docs/screenshot.png), taken by the browser test at the end of its walk.
screenshot: install-test
	NKBORDER_SCREENSHOT=$(CURDIR)/docs/screenshot.png $(PY) -m pytest -q tests/test_app_browser.py -k test_app_in_browser

lint: $(TSTAMP)
	$(VENV)/bin/ruff check nkborder tests reference benchmarks

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
