# Every target sets up what it needs; running one twice does no extra work.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/bun/bin/bun.exe
SCALE ?= small

export REFLEX_BUN_PATH := $(CURDIR)/$(BUN)
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: setup migrate seed run run-prod run-prod-demo test test-fast lint screenshots bench load mutation clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Reflex cannot download bun here; the npm registry ships it, and axe-core (the accessibility
# engine the browser tests run). One install for both: a second one would prune the first.
TOOLS := .tools/.installed-bun-1.4.5-axe-4.14.1
$(TOOLS):
	npm install --prefix .tools --no-save --no-audit --no-fund bun@1.4.5 axe-core@4.14.1
	touch $@

$(BUN): $(TOOLS)

setup: $(VENV)/.installed $(TOOLS)

migrate: setup
	$(BIN)/python -m admin_app.devtools.prepare_database

seed: migrate
	$(BIN)/python -m admin_app.seed --scale $(SCALE)

run: migrate
	$(BIN)/python -m admin_app.seed --scale small --if-empty
	$(BIN)/python -m admin_app.devtools.run_dev

# Production: PostgreSQL + Redis, several workers, migrations as their own step. Refuses to start with
# the development provider or placeholder secrets: set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
# SESSION_SECRET and APP_URL (see README). No demo data is loaded.
PROD_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/customer_admin
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
WORKERS ?= 2
run-prod run-prod-demo: export DATABASE_URL = $(PROD_DATABASE_URL)
run-prod run-prod-demo: export REDIS_URL = $(PROD_REDIS_URL)
run-prod run-prod-demo: export WORKERS := $(WORKERS)
run-prod: export DEPLOYMENT = production
run-prod: setup
	$(BIN)/python -m admin_app.settings
	$(MAKE) migrate
	$(BIN)/python -m admin_app.devtools.run_dev

# The same production build on this machine, with the local provider, its demo users and demo data.
run-prod-demo: migrate
	$(BIN)/python -m admin_app.seed --scale small --if-empty
	$(BIN)/python -m admin_app.devtools.run_dev

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Both print how long they took: the whole suite should stay within 10 minutes on a 2-core machine, the
# inner loop (no browser) within 3. The browser tests and the rest run side by side, each in two
# processes: a test that waits (a slow download, a timer) leaves the cores to the others. The rest's
# output follows the browser tests'.
test: lint
	@start=$$(date +%s); rest=$$(mktemp); \
	$(BIN)/pytest -m "not e2e" -n 2 > $$rest 2>&1 & others=$$!; \
	$(BIN)/pytest -m e2e -n 2 --dist loadgroup; browser=$$?; wait $$others; status=$$?; cat $$rest; rm -f $$rest; \
	echo "make test: $$(( $$(date +%s) - start )) s"; [ $$browser -eq 0 ] && [ $$status -eq 0 ]

test-fast: lint
	@start=$$(date +%s); $(BIN)/pytest -m "not e2e" -n 2; status=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - start )) s"; exit $$status

# The browser tests, saving what each shows in tests/screenshots/ for a person to look at.
screenshots: setup
	TAKE_SCREENSHOTS=1 $(BIN)/pytest -m e2e -n 2 --dist loadgroup

bench: setup
	$(BIN)/python -m bench

# Signed-in staff over the websocket protocol, both modes, at 10 to 200 sessions: round trips, where
# each action's time went on the server, and the CPU each action costs (docs/performance.md: under load).
load: setup
	$(BIN)/python -m load

# Mutants of the sign-in code and the rule modules against the fast tests that cover each: killed /
# survived / timed out per module, survivors in mutation/results/ (outside CI: about an hour).
mutation: setup
	$(BIN)/python -m mutation

clean:
	rm -rf .web .states tests/screenshots mutants
