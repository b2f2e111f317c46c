# ComplaintDesk — the two commands a newcomer needs:
#   make run    set up, migrate, seed the demo (first time) and serve http://127.0.0.1:8000
#   make test   set up and run ruff, mypy, the front end's checks and build, and the whole test suite
#               (browser tests included) on SQLite, then PostgreSQL

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_TICKETS ?= 5000
PYTEST_WORKERS ?= 2

.PHONY: run test lint typecheck test-sqlite test-postgres serve demo bench clean openapi \
        frontend frontend-if-possible frontend-test frontend-api

# --- the web front end (frontend/ -> complaintdesk/static/app/, docs/ui.md) -------------------
FRONTEND_DEPS := frontend/node_modules/.installed
FRONTEND_BUILD := complaintdesk/static/app/index.html
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/package.json \
                    frontend/vite.config.ts frontend/tsconfig.json
HAVE_NODE := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo yes)
NODE_MISSING := Node.js 20+ and npm are needed to build the web front end (https://nodejs.org or your package manager)

# `npm install` with the committed lock file installs exactly its versions. Not `npm ci`: npm 11 refuses this
# lock file ("Missing: @rollup/rollup-android-arm-eabi@") because of vitest's nested rollup and its optional
# per-platform packages, although `npm install` leaves the lock unchanged.
$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm install --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_BUILD): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build -- --logLevel warn

# Build the front end (needs Node.js).
frontend:
	@test -n "$(HAVE_NODE)" || { echo "$(NODE_MISSING)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FRONTEND_BUILD)

# For `make run`: rebuild when Node.js is there and the build is stale; otherwise serve the last build.
frontend-if-possible:
ifeq ($(HAVE_NODE),yes)
	@$(MAKE) --no-print-directory $(FRONTEND_BUILD)
else
	@if [ -f $(FRONTEND_BUILD) ]; then echo "Node.js not found: serving the last build of the web front end" >&2; \
	else echo "$(NODE_MISSING); until then http://$(HOST):$(PORT) explains this and the API works" >&2; fi
endif

# The front end's own checks: generated API types current, type check, unit tests, build.
frontend-test:
	@test -n "$(HAVE_NODE)" || { echo "$(NODE_MISSING)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FRONTEND_DEPS)
	cd frontend && npm run --silent check:api && npm run --silent typecheck && npm run --silent test -- --reporter=dot
	@$(MAKE) --no-print-directory $(FRONTEND_BUILD)

# Regenerate the API client's types after docs/openapi.json changed.
frontend-api: $(FRONTEND_DEPS)
	cd frontend && npm run --silent gen:api

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP) frontend-if-possible
	$(BIN)/complaintdesk migrate --verbosity 0
	$(BIN)/complaintdesk demo --if-empty --tickets $(DEMO_TICKETS)
	$(BIN)/complaintdesk serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check complaintdesk tests bench conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy complaintdesk

test-sqlite: $(STAMP)
	CD_DATA_DIR=$(CURDIR)/data/test-sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres: $(STAMP)
	CD_DATA_DIR=$(CURDIR)/data/test-postgres CD_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test: lint typecheck frontend-test test-sqlite test-postgres

openapi: $(STAMP)
	$(BIN)/complaintdesk export_openapi docs/openapi.json

bench: $(STAMP)
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/list.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache frontend/node_modules complaintdesk/static/app
