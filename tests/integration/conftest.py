"""Fixtures of the LLM path's tests: a fake OpenAI-compatible server and a store to ask."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from helpers import SEED, build_qa


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Path:
    """A data directory holding the seed article, shared by a module's tests (they only read)."""
    data_dir = tmp_path_factory.mktemp("llm-store")
    build_qa(data_dir, embeddings).ingest([SEED])
    return data_dir


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server
