"""Shared fixtures: an isolated environment per test, one loaded embedding model per session.

Light on purpose: nothing heavy is imported here, so ``tests/unit`` (``make test-fast``) never
loads a model, Chroma or LangChain unless a test asks for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from helpers import SEED, build_qa

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from qa.api import NewsQA

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One parsed-model cache (qa/embeddings/model_cache.py) for the session, never the developer's."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model_cache_dir: Path) -> None:
    """No test sees the developer's keys, servers, store or model cache."""
    for name in list(os.environ):
        if name.startswith(("NEWSQA_", "OPENAI_")):
            monkeypatch.delenv(name)
    for name in ("LC_ALL", "LC_MESSAGES"):  # the CLI speaks the locale's language: English here
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "env-store"))
    monkeypatch.setenv("NEWSQA_MODEL_CACHE", str(model_cache_dir))


@pytest.fixture(scope="session")
def embeddings() -> Embeddings:
    """The default model, as the product runs it, loaded once."""
    from qa.embeddings.factory import make_embeddings
    from qa.settings import Settings

    return make_embeddings(Settings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture
def make_qa(tmp_path: Path, embeddings: Embeddings) -> Callable[..., NewsQA]:
    def make(**overrides: Any) -> NewsQA:
        model = overrides.pop("embeddings", embeddings)
        return build_qa(overrides.pop("data_dir", tmp_path / "store"), model, **overrides)

    return make


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embeddings: Embeddings) -> NewsQA:
    """A store holding the seed article, shared by a module's read-only tests."""
    qa = build_qa(tmp_path_factory.mktemp("seeded"), embeddings)
    qa.ingest([SEED])
    return qa
