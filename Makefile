# Each target bootstraps .venv from pyproject.toml when it is missing or stale.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export RAY_USAGE_STATS_ENABLED := 0

.PHONY: run test lint bench load clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/clientsvia run

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check runtime tenancy analytics loadtest tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m loadtest.bench

load: $(STAMP)
	$(BIN)/python -m loadtest.run_load

clean:
	rm -rf $(VENV) var/ray var/redis
