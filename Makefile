# The two commands of the README: `make run` (set up, ingest seeds/ if the store is empty, start the
# web chat) and `make test` (set up, lint, type-check, run the whole test suite). Both work on a fresh
# clone. `make test-fast` is the unit tests alone (no model, no server, no browser): seconds.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run chat lint typecheck test-fast test bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q -p $(BIN)/python -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/newsqa ingest --if-empty seeds/
	$(BIN)/newsqa serve

chat: setup
	$(BIN)/newsqa ingest --if-empty seeds/
	$(BIN)/newsqa chat

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

test-fast: setup
	$(BIN)/python -m pytest -q tests/unit

test: lint typecheck
	bash tests/install-browser.sh
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

bench: setup
	$(BIN)/python bench/run_all.py
