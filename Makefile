# Two commands matter: `make run` and `make test`. Both bootstrap .venv from a bare python3.
#
# Installs come from the lock files in requirements/ (exact versions with hashes, for Python 3.11 and newer
# on any platform), never from the ranges in pyproject.toml, so a new release of a dependency cannot change
# what main installs. `make lock` refreshes them on purpose; commit that on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
LOCKS := requirements
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP := $(VENV)/.installed-test
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8080
# Tests in parallel processes (pytest-xdist); most of the suite waits on servers, not on the processor.
PYTEST_WORKERS ?= 4
PYTEST_ARGS ?=

.PHONY: run test lint venv lock clean system-deps screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# pip and setuptools first (build.txt), then the locked set, then the project itself without dependencies:
# pip's --require-hashes refuses an editable install, and the lock already holds every dependency.
define install_locked
	$(PIP) install --quiet --require-hashes -r $(LOCKS)/build.txt
	$(PIP) install --quiet --require-hashes -r $(1)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
endef

# The runtime set only: what `make run` needs, without pytest, playwright or ruff.
$(RUNTIME_STAMP): pyproject.toml $(LOCKS)/build.txt $(LOCKS)/runtime.txt | $(BIN)/python
	$(call install_locked,$(LOCKS)/runtime.txt)
	touch $@

$(TEST_STAMP): pyproject.toml $(LOCKS)/build.txt $(LOCKS)/test.txt | $(BIN)/python
	$(call install_locked,$(LOCKS)/test.txt)
	touch $@ $(RUNTIME_STAMP)

venv: $(TEST_STAMP)

# PDF documents need pango and a font (tests/support/install_pdf_deps.sh); without apt it warns and the rest runs.
run: $(RUNTIME_STAMP)
	bash tests/support/install_pdf_deps.sh
	$(BIN)/publisher run --demo --host $(HOST) --port $(PORT)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

system-deps: node_modules/axe-core/axe.min.js
	bash tests/support/install_wordpress.sh
	bash tests/support/install_browser.sh
	bash tests/support/install_dovecot.sh
	bash tests/support/install_pdf_deps.sh --tests

# axe-core for the browser tests, pinned by package-lock.json; touched so that it is newer than the lock.
# Without npm the browser tests say so themselves (they skip, or fail with CI=true).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm not found: browser tests cannot run axe-core" >&2; exit 0; }; \
	npm ci --ignore-scripts --no-audit --no-fund && touch $@

test: $(TEST_STAMP) lint system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=25 $(PYTEST_ARGS)

# Every page of tests/web/browser/test_pages.py at 390 and 1366 px in all four languages, as PNGs in
# test-artifacts/screenshots/ (PAGE-LANGUAGE-WIDTH-sqlite.png), for a person to look at; not part of `make test`.
screenshots: $(TEST_STAMP) system-deps
	PUBLISHER_SCREENSHOTS=all $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider \
	    tests/web/browser/test_pages.py -k "test_page_in_browser and not postgresql"

# Refresh the locks from pyproject.toml's ranges (uv resolves for every platform and Python >= 3.11).
# The runtime lock is constrained by the test lock, so both install the same version of what they share.
lock: | $(BIN)/python
	$(PIP) install --quiet 'uv==$(UV_VERSION)'
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --upgrade \
	    $(LOCKS)/build.in -o $(LOCKS)/build.txt
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --upgrade \
	    pyproject.toml --extra test -o $(LOCKS)/test.txt
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	    pyproject.toml -c $(LOCKS)/test.txt -o $(LOCKS)/runtime.txt

clean:
	rm -rf $(VENV) instance .pytest_cache
