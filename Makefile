# Every target sets up what it needs; running one twice does no extra work.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/bun/bin/bun.exe
SCALE ?= small

export REFLEX_BUN_PATH := $(CURDIR)/$(BUN)
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: setup migrate seed run test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Reflex cannot download bun here; the npm registry ships it.
$(BUN):
	npm install --prefix .tools --no-save --no-audit --no-fund bun@1.4.5

setup: $(VENV)/.installed $(BUN)

migrate: setup
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/python -m admin_app.seed --scale $(SCALE)

run: migrate
	$(BIN)/python -m admin_app.seed --scale small --if-empty
	$(BIN)/python -m admin_app.devtools.run_dev

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf .web .states tests/screenshots
