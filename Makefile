# The verbs a user types. Every target builds .venv from nothing when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.9.5
HARNESS := $(BIN)/mypref-harness
WORKERS ?= 2

.PHONY: help venv test test-fast lint vectors bench bench-curve gate sandbox contract load load-distributed spec wheel clean

help:
	@echo "make gate              run the release gate on the embedded sandbox (or the configured target)"
	@echo "make test              run the harness's own test suite (sets up .venv first)"
	@echo "make lint | vectors | bench | spec | sandbox | contract | load | load-distributed WORKERS=N"
	@echo "make wheel             build dist/mypref_harness-*.whl (carries the spec, locustfile, SLOs, vectors)"

# uv installs the locked versions in about a second; it is itself bootstrapped with pip into the venv
# and synced with --inexact so that the sync does not remove it again.
$(BIN)/python: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --quiet
	@touch $(BIN)/python

venv: $(BIN)/python

# Test files run in 3 processes (pytest-xdist, a file per process at a time: module fixtures stay
# whole); most integration tests wait on subprocesses and sockets, so 3 fit 2 cores.
PYTEST_JOBS ?= 3

test: venv
	$(BIN)/python -m pytest -q -n $(PYTEST_JOBS) --dist loadfile
	$(MAKE) --no-print-directory lint

test-fast: venv
	$(BIN)/python -m pytest -q -n $(PYTEST_JOBS) --dist loadfile -m "not slow"

lint: venv
	$(BIN)/ruff check src tests bench contracts loadtests tools auth_vectors/make_vectors.py
	$(BIN)/mypy

vectors: venv
	$(HARNESS) vectors verify auth_vectors

# The time-to-verdict bench's remote part takes ~5 min; its detection curve (every seeded defect at five
# budgets) takes hours on 2 cores, so it has its own target.
bench: venv
	@for b in bench/bench_*.py; do echo "== $$b"; \
	  if [ $$b = bench/bench_time_to_verdict.py ]; then $(BIN)/python $$b --remote-only || exit 1; \
	  else $(BIN)/python $$b || exit 1; fi; done

bench-curve: venv
	$(BIN)/python bench/bench_time_to_verdict.py --curve-only

spec: venv
	$(HARNESS) spec stats

# The installable package; tests/test_wheel.py installs it outside the checkout and runs gate --quick.
wheel: venv
	$(BIN)/uv build --wheel --out-dir dist

gate: venv
	$(HARNESS) gate

sandbox: venv
	$(HARNESS) sandbox

contract: venv
	$(HARNESS) contract

load: venv
	$(HARNESS) load --shape smoke

load-distributed: venv
	$(HARNESS) load --distributed-local $(WORKERS)

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache .ruff_cache .hypothesis .schemathesis
