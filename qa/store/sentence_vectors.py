"""Sentence vectors, packed into the metadata of the chunk records that hold the sentences.

Why not one Chroma record per sentence: every record pays an HNSW insertion and its log rows, and
sentences are four fifths of the records (what that cost: docs/benchmarks.md). Retrieval does not
need a sentence graph: dense search finds chunks, BM25 finds sentences and chunks, and only the
candidates' vectors are read, to score them. So a chunk record carries its sentences' vectors, in
sentence order, as float16 (a cosine moves by ~1e-5, at most ~2e-4, far below anything the ranker
resolves), base64 in one metadata string.
"""

from __future__ import annotations

import base64

import numpy as np

SENTENCE_VECTORS_KEY = "sentence_vectors"


def pack(vectors: np.ndarray) -> str:
    """One string holding the rows of ``vectors`` (one per sentence) as little-endian float16."""
    return base64.b64encode(np.ascontiguousarray(vectors, dtype="<f2").tobytes()).decode("ascii")


def unpack(value: str, rows: int, dimensions: int) -> np.ndarray:
    """The float16 matrix :func:`pack` stored, checked to be ``rows`` x ``dimensions``.

    Kept in float16 (half the memory in the store's cache); take a row ``.astype(np.float32)``.
    """
    data = np.frombuffer(base64.b64decode(value, validate=True), dtype="<f2")
    if rows <= 0 or data.size != rows * dimensions:
        raise ValueError(f"packed sentence vectors hold {data.size} values, not {rows} x {dimensions}")
    return data.reshape(rows, dimensions)
