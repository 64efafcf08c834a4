# Setpoint: `make demo` evaluates the bundled example; `make test` runs ruff and the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,11) <= sys.version_info[:2] < (3,13))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
AS_OF ?= 2026-11-21

.PHONY: demo test lint bench bench-service bench-batch bench-fhir valgrind clean venv manifest

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or 3.12 is required (durable-rules does not import on 3.13)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEVSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/setpoint evaluate examples/perimenopause-and-lithium.yaml --as-of $(AS_OF)

lint: $(DEVSTAMP)
	$(BIN)/ruff check conftest.py engine tests features bench

test: $(DEVSTAMP)
	$(BIN)/ruff check conftest.py engine tests features bench
	$(BIN)/python -m pytest

# Rewrite rules/MANIFEST.sha256.json after any change to rules/ (tests fail while it is stale).
manifest: $(STAMP)
	$(BIN)/setpoint rules manifest

bench: $(DEVSTAMP)
	$(BIN)/python bench/bench_engine.py

# The CDS Hooks service: patient-view latency with a 200-entry prefetch, 1 and 16 concurrent clients.
bench-service: $(DEVSTAMP)
	$(BIN)/python bench/bench_service.py

# FHIR input: CPU ms to map a fresh 200-entry prefetch and the largest Synthea record, fast path against strict.
bench-fhir: $(DEVSTAMP)
	$(BIN)/python bench/bench_fhir.py

# `setpoint batch`: patients/s per core on fresh synthetic patients and the 1-million-patient projection.
bench-batch: $(DEVSTAMP)
	$(BIN)/python bench/bench_batch.py

# durable-rules' C extension under valgrind memcheck: every bundled patient, fails on invalid reads/writes.
valgrind: $(STAMP)
	$(BIN)/python bench/valgrind_durable.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
