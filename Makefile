# mediamon: every target sets up what it needs (.venv, packages, Chromium) when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-unit lint bench fmt venv clean browser fuzz
# Test workers (pytest-xdist): each has its own temp folders, PostgreSQL schemas and ports.
# Two per core: a third of the suite's time is spent waiting on crawl children, servers and
# databases, so two workers leave a 2-core machine a third idle (tests/feeds, harvest and
# press: 541 s with 2 workers at 63% CPU, 366 s with 4 at 94%; #13).
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian's Chromium, for the digest screenshot test (skipped nowhere: installed when missing).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (for the digest screenshot test)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium; the browser test will fail"; }

demo: $(STAMP)
	$(BIN)/mediamon demo

# The project's own modules are compiled once first: with PYTHONDONTWRITEBYTECODE (above) and
# a fresh checkout, every child process of the suite (crawl children, CLI, daemon and worker
# subprocesses) would otherwise compile them from source again: 0.6 s of CPU more per start
# (`import scheduler.cli, crawler.runs.crawl`: 2.9 s from source, 2.4-2.6 s compiled; #13).
test: $(STAMP) browser
	$(BIN)/python -m compileall -q -j 0 crawler scheduler reports sampleweb
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# The pure and in-process tests only: feedback in well under a minute.
test-unit: $(STAMP)
	$(BIN)/python -m pytest -m unit -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The receiver's request parsers, fuzzed far longer than `make test` does (FUZZ_EXAMPLES each).
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	MEDIAMON_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/receiver/test_fuzz.py \
	  -p no:cacheprovider -o timeout=7200 -q

lint: $(STAMP)
	$(BIN)/ruff check crawler scheduler reports sampleweb tests bench
	$(BIN)/ruff format --check crawler scheduler reports sampleweb tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/vulture

fmt: $(STAMP)
	$(BIN)/ruff format crawler scheduler reports sampleweb tests bench
	$(BIN)/ruff check --fix crawler scheduler reports sampleweb tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
