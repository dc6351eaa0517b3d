# hireflow — `make run` serves the demo, `make test` runs every check. Both set up what they need
# (virtualenv, pinned packages, front-end bundle, embedded PostgreSQL, migrations) and are
# re-runnable: a second run only does what changed.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
PYTEST_WORKERS ?= 2

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_LINK_MODE := copy

.PHONY: run test lint typecheck runtime-imports pytest bench assets install install-dev clean help

help:
	@echo "make run    – start hireflow with demo data on the embedded PostgreSQL"
	@echo "make test   – lint, type check and the whole test suite (browser tests included)"
	@echo "make bench  – benchmarks (print figures)"

run: install assets
	$(BIN)/hireflow serve --migrate --demo

test: install-dev assets
	@$(MAKE) --no-print-directory lint typecheck runtime-imports pytest

lint:
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

typecheck:
	$(BIN)/mypy

# `make run` installs no development packages: prove the app does not need any.
runtime-imports: $(UV)
	@UV_PROJECT_ENVIRONMENT=$(CURDIR)/.hireflow/runtime-venv $(UV) sync --frozen --no-dev --quiet
	@.hireflow/runtime-venv/bin/python -W ignore scripts/check_runtime_imports.py

pytest:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "NOTE: $(CHROMIUM) not found: browser tests will be SKIPPED (apt-get install chromium)."; fi
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

bench: install-dev assets
	$(BIN)/python -m bench.run

# --- set-up --------------------------------------------------------------------------------

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hireflow needs Python >= 3.11 (set PYTHON=python3.x)")'
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --inexact
	@touch $@

$(VENV)/.installed-dev: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	@command -v node >/dev/null || { echo "hireflow needs Node.js >= 20 to bundle its front-end"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ASSET_SOURCES := $(shell find src/hireflow/web/assets -type f) scripts/build-assets.mjs
src/hireflow/web/static/dist/.built: node_modules/.installed $(ASSET_SOURCES)
	node scripts/build-assets.mjs

assets: src/hireflow/web/static/dist/.built

clean:
	rm -rf $(VENV) .uv node_modules src/hireflow/web/static/dist .mypy_cache .ruff_cache .pytest_cache
