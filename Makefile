# Two commands matter: `make run` and `make test`. Both bootstrap .venv from a bare python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test lint venv clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/publisher run --demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

system-deps: node_modules/axe-core/axe.min.js
	bash tests/support/install_wordpress.sh
	bash tests/support/install_browser.sh

# axe-core for the browser tests, pinned by package-lock.json; touched so that it is newer than the lock.
# Without npm the browser tests say so themselves (they skip, or fail with CI=true).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm not found: browser tests cannot run axe-core" >&2; exit 0; }; \
	npm ci --ignore-scripts --no-audit --no-fund && touch $@

test: $(STAMP) lint system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
