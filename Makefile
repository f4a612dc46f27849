# loa: two commands on a fresh machine. `make run` runs the shipped example once on the embedded
# default (SQLite, in-process broker, outbox files); `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The example is the 2024 plan, so `make run` replays it as of the end of 2024.
EXAMPLE_NOW ?= 2024-12-31T16:00:00+07:00

.PHONY: run test lint format bench bench-quick clean

$(BIN)/loa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/loa
	$(BIN)/loa check
	$(BIN)/loa run --once --now $(EXAMPLE_NOW)
	$(BIN)/loa report --period 2024

test: $(BIN)/loa
	$(BIN)/pytest

lint: $(BIN)/loa
	$(BIN)/python -m tools.imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/loa
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf outbox loa.db loa.db-wal loa.db-shm

bench: $(BIN)/loa
	$(BIN)/python -m benchmarks.run

bench-quick: $(BIN)/loa
	$(BIN)/python -m benchmarks.run --quick
