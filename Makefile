# Kickoff: `make demo` runs the product, `make test` runs the tests. Both set themselves up.

# The first Python >= 3.11 on PATH (override with `make PYTHON=/path/to/python3.12 ...`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install chromium demo test lint format bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kickoff needs Python 3.11 or newer on PATH (or PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/kickoff demo $(if $(PORT),--port $(PORT))

# The browser tests drive a real headless Chromium: KICKOFF_CHROMIUM or one on PATH; failing
# that, Debian's package when we are root (containers, CI), else Playwright's own download.
CHROMIUM := $(or $(KICKOFF_CHROMIUM),$(shell for b in chromium chromium-browser google-chrome \
	google-chrome-stable; do command -v $$b 2>/dev/null && break; done))

chromium: install
ifeq ($(CHROMIUM),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium >/dev/null; }; \
	else \
		$(BIN)/python -m playwright install chromium; \
	fi
endif

# Two test processes (pytest-xdist): most tests wait on a database, a worker, a browser or an
# SMTP retry, so two share the two cores well. Tests marked with one xdist_group (those that
# start `kickoff demo`, which listens on the machine's default mail port) run in one process.
TEST_WORKERS ?= 2

test: install chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy kickoff matching service workers bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .kickoff-test .pytest_cache .mypy_cache .ruff_cache
