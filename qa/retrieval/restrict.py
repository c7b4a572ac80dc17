"""Candidate views limited to some articles (a :class:`~qa.scope.selection.Selection`), scored as
without the limit.

Why not filter the ranked passages afterwards: a small selection (one article, last week's news)
rarely reaches the top of a search over the whole store. So each view searches within the
selection: BM25 scores outside it are zeroed (the others keep their exact values, so a candidate
is described and ranked exactly as it would be unrestricted), and the nearest chunks are found
among the selection's chunks, exactly when they are few, else from a wider HNSW search.
"""

from __future__ import annotations

from collections.abc import Set

import numpy as np

from ingest.types import article_of, chunk_id
from qa.store import ArticleStore
from qa.store.lexical import LexicalIndex

EXACT_CHUNKS = 4096
"""Up to this many chunks in the selection, the nearest are found by comparing every one."""
WIDENING = 20
"""Otherwise the HNSW search asks for this many times the chunks wanted, and keeps the selection's."""


def masked(index: LexicalIndex, scores: np.ndarray, allowed: Set[str]) -> np.ndarray:
    """``scores`` with every row outside the allowed articles set to 0."""
    keep = np.fromiter((g in allowed for g in index.groups), dtype=bool, count=len(index.groups))
    return np.where(keep, scores, np.float32(0.0)).astype(scores.dtype)


def nearest_allowed_chunks(store: ArticleStore, vector: np.ndarray, k: int, allowed: Set[str]) -> list[str]:
    """The ids of the ``k`` chunks of the allowed articles nearest to ``vector``."""
    counts = {i: int(m.get("n_chunks", 0)) for i, m in store.article_meta(allowed).items()}
    if sum(counts.values()) <= EXACT_CHUNKS:
        ids = [chunk_id(a, c) for a, n in counts.items() for c in range(n)]
        vectors = store.chunk_vectors(ids)
        scored = sorted(((float(v @ vector), i) for i, v in vectors.items()), reverse=True)
        return [i for _, i in scored[:k]]
    wider = store.nearest_chunks(vector, k * WIDENING)
    return [c for c in wider if article_of(c) in allowed][:k]
