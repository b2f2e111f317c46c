# ComplaintDesk — the two commands a newcomer needs:
#   make run    set up, migrate, seed the demo (first time) and serve http://127.0.0.1:8000
#   make test   set up and run ruff, mypy and the whole test suite on SQLite, then PostgreSQL

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_TICKETS ?= 5000
PYTEST_WORKERS ?= 2

.PHONY: run test lint typecheck test-sqlite test-postgres serve demo bench clean openapi

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
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

test: lint typecheck test-sqlite test-postgres

openapi: $(STAMP)
	$(BIN)/complaintdesk export_openapi docs/openapi.json

bench: $(STAMP)
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/list.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
