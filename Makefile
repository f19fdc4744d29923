# Each target bootstraps .venv from pyproject.toml when it is missing or stale.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export RAY_USAGE_STATS_ENABLED := 0

.PHONY: run test lint eval bench bench-console load clean chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/clientsvia run

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest

# The console's browser tests (tests/console/) drive Debian's Chromium; Playwright never
# downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# The scenario evals (tests/evals/): the real policy and embedding model, offline; prints the
# pass rate by category and every failure. `make test` enforces a floor (test_eval_floor.py).
eval: $(STAMP)
	$(BIN)/python -m tests.evals.run_evals

lint: $(STAMP)
	$(BIN)/ruff check runtime tenancy analytics loadtest tests
	$(BIN)/mypy

# Measures `make run`'s own pool layout (CALLS_PER_ACTOR, WARM_POOL_SIZE defaults);
# BENCH_ARGS="--quick" for a short run, "--calls-per-actor 50" for another layout.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m loadtest.bench $(BENCH_ARGS)

# Console pages' server time for a company with 10,000 calls (no Ray; ~2 min on 2 cores).
bench-console: $(STAMP)
	$(BIN)/python -m loadtest.bench_console $(BENCH_ARGS)

# Starts the app with offline provider doubles, seeds tenants, runs Locust headless (CSV in
# var/load/), stops the app. Tune with USERS, SPAWN_RATE, RUN_TIME, PACING (paced|unpaced).
USERS ?= 50
SPAWN_RATE ?= 5
RUN_TIME ?= 60s
PACING ?= paced
load: $(STAMP)
	@mkdir -p var/load
	@PROVIDER_MODE=doubles $(BIN)/clientsvia run > var/load/server.log 2>&1 & pid=$$!; \
	trap "kill $$pid; wait $$pid" EXIT; \
	for i in $$(seq 1 120); do curl -sf http://127.0.0.1:8000/health >/dev/null && break; sleep 1; done; \
	set -a; . var/dev.env; set +a; \
	CLIENTSVIA_ADMIN_TOKEN=$$($(BIN)/clientsvia mint-token) \
	CLIENTSVIA_TWILIO_AUTH_TOKEN=$$TWILIO_AUTH_TOKEN \
	$(BIN)/python -m loadtest.run_load --host http://127.0.0.1:8000 --users $(USERS) \
	  --spawn-rate $(SPAWN_RATE) --run-time $(RUN_TIME) --pacing $(PACING) --csv var/load/run

clean:
	rm -rf $(VENV) var/ray var/redis
