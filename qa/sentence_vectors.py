"""Sentence vectors, packed into the metadata of the chunk records that hold the sentences.

Why not one Chroma record per sentence: every record pays an HNSW insertion and its log rows, and
sentences are four fifths of the records. Ingesting the 1028 10kGNAD test articles spent ~7 of its
~16 main-process CPU-seconds writing 22,681 sentence records, on the two cores the model needs
(``bench/ingest.py``). Retrieval does not need a sentence graph: dense search finds chunks, BM25
finds sentences and chunks, and only the candidates' vectors are read, to score them. So a chunk
record carries its sentences' vectors, in sentence order, as float16 (the cosine moves by ~1e-4,
far below anything the ranker resolves), base64 in one metadata string.
"""

from __future__ import annotations

import base64

import numpy as np

SENTENCE_VECTORS_KEY = "sentence_vectors"


def pack(vectors: np.ndarray) -> str:
    """One string holding the rows of ``vectors`` (one per sentence) as little-endian float16."""
    return base64.b64encode(np.ascontiguousarray(vectors, dtype="<f2").tobytes()).decode("ascii")


def unpack(value: str, rows: int) -> np.ndarray:
    """The float32 matrix :func:`pack` stored; ``rows`` (the chunk's sentence count) checks it."""
    data = np.frombuffer(base64.b64decode(value, validate=True), dtype="<f2")
    if rows <= 0 or data.size == 0 or data.size % rows:
        raise ValueError(f"packed sentence vectors hold {data.size} values, not {rows} rows")
    return data.reshape(rows, -1).astype(np.float32)
