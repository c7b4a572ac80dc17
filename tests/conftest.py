"""Shared fixtures: an isolated store per test, one loaded embedding model per session."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.types import sentence_id
from qa.api import NewsQA
from qa.embeddings import UniversalSentenceEncoderEmbeddings
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "Trump-bittet-Putin-um-Schonung-ukrainischer-Soldaten-in-Kursk.txt"
GENERALSTAB = "Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien."
ARTIFACTS = ROOT / "test-artifacts"

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One parsed-model cache (qa/model_cache.py) for the session, never the developer's."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model_cache_dir: Path) -> None:
    """No test sees the developer's keys, servers, store or model cache."""
    for name in list(os.environ):
        if name.startswith(("NEWSQA_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "env-store"))
    monkeypatch.setenv("NEWSQA_MODEL_CACHE", str(model_cache_dir))


@pytest.fixture(scope="session")
def embeddings() -> UniversalSentenceEncoderEmbeddings:
    return UniversalSentenceEncoderEmbeddings(threads=2)


def build_qa(data_dir: Path, embeddings, **overrides) -> NewsQA:
    """A NewsQA on ``data_dir`` sharing the session's loaded embedding model."""
    settings = Settings(_env_file=None, data_dir=data_dir, answerer=overrides.pop("answerer", "extractive"))
    qa = NewsQA(settings, **overrides)
    qa.__dict__["embeddings"] = embeddings
    return qa


@pytest.fixture
def make_qa(tmp_path: Path, embeddings) -> Callable[..., NewsQA]:
    def make(**overrides) -> NewsQA:
        return build_qa(overrides.pop("data_dir", tmp_path / "store"), embeddings, **overrides)

    return make


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embeddings) -> NewsQA:
    """A store holding the seed article, shared by a module's read-only tests."""
    qa = build_qa(tmp_path_factory.mktemp("seeded"), embeddings)
    qa.ingest([SEED])
    return qa


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vectored_sentence_ids(store) -> list[str]:
    """The ids of the stored sentences whose vector Chroma holds (in their chunks' records)."""
    ids = [sentence_id(a.id, i) for a in store.list_articles() for i in range(a.n_sentences)]
    return list(store.sentence_rows(ids, vectors=True))
