# The two commands of the README: `make run` (set up, ingest seeds/ if the store is empty, start the
# main job) and `make test` (set up, run the whole test suite). Both work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run chat test lint bench

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

test: setup
	bash tests/install-browser.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

bench: setup
	$(BIN)/python bench/run_all.py
