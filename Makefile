# wattshift — developer entry points. `make demo` and `make test` work on a fresh machine:
# they create the virtual environment from the lock file (uv.lock) first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
BOOT := .uvboot
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

# Real data: ../shared/data beside the checkout when it exists (read-only), else whatever the user set.
SHARED_DATA := $(abspath $(CURDIR)/../shared/data)
ifeq ($(wildcard $(SHARED_DATA)/onchain),)
else
export WATTSHIFT_DATA_DIR ?= $(SHARED_DATA)
endif
# The demo's warehouse lives in the checkout (git-ignored), never in the data directory.
export WATTSHIFT_DB ?= $(CURDIR)/.warehouse/wattshift.duckdb
export UV_PYTHON_DOWNLOADS := never
# Compile bytecode at install: every later process then starts without recompiling pandas, scipy, …
# (uv compiles site-packages; the editable src/ is compiled by compileall in the install recipe, because
# PYTHONDONTWRITEBYTECODE=1 would otherwise leave it uncompiled for every run).
export UV_COMPILE_BYTECODE := 1

.PHONY: help install demo test lint format bench browser clean

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	$(BIN)/python -m compileall -q -j 0 src
	@touch $@

install: $(VENV)/.installed  ## Create .venv from uv.lock (idempotent)

browser:  ## Install Debian's headless Chromium for the dashboard tests (needs root or sudo)
	@bash scripts/install-browser.sh

demo: install  ## Ingest the real data, print the mining table, write report/index.html
	@test -n "$$WATTSHIFT_DATA_DIR" || { echo "Set WATTSHIFT_DATA_DIR (or run: $(BIN)/wattshift data fetch --to DIR)"; exit 2; }
	$(BIN)/wattshift data ingest --all
	$(BIN)/wattshift data status
	$(BIN)/wattshift asics --top 5 --power-usd-per-kwh 0.05
	$(BIN)/wattshift report --out report
	@echo
	@echo "Report written to report/index.html. Open the live dashboard with:"
	@echo "  $(BIN)/wattshift serve --db $$WATTSHIFT_DB   # then http://127.0.0.1:8000/"

test: install browser  ## Run the test suite (real data from WATTSHIFT_DATA_DIR)
	$(BIN)/pytest

lint: install  ## ruff (lint + format check), mypy --strict and the import-linter layer contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

bench: install  ## Speed targets: cold CLI commands, ingest, mining history, signals, dispatch, valuation, API, fleet
	@# The editable install's own modules: compiled here too, since PYTHONDONTWRITEBYTECODE may be set.
	$(BIN)/python -m compileall -q -j 0 src
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/pytest benchmarks -q --benchmark-only --benchmark-columns=min,median,max,rounds
	$(BIN)/pytest benchmarks/bench_valuation.py -q -s -k sweep_speedup -p no:cacheprovider
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_dispatch.py
	$(BIN)/python benchmarks/bench_valuation.py
	$(BIN)/python benchmarks/bench_foresight.py
	$(BIN)/python benchmarks/bench_api_load.py
	$(BIN)/python benchmarks/bench_fleet.py
	$(BIN)/python benchmarks/bench_portfolio.py

clean:  ## Remove the venv, caches, the demo warehouse and the report
	rm -rf $(VENV) $(BOOT) .warehouse report .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks
