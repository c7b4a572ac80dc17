"""The one candidate generator: which stored sentences a question is ranked over, and what is known of each.

Serving (:class:`~qa.retrieval.hybrid.HybridRetriever`) and training (``qa/training``) both call
these two functions, so the ranker learns on exactly the candidates it meets in production.

Candidates are the union of three views of the store: the nearest chunks by embedding, and the
best sentences and chunks by BM25 (a chunk contributes all its sentences). Each candidate then
carries four scores (its own and its best chunk's, dense and BM25) and its neighbours' similarity.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import cast

import numpy as np

from ingest.types import article_of, chunk_id, position, sentence_id
from qa.embeddings.factory import encode_queries
from qa.retrieval.features import Candidate
from qa.retrieval.restrict import masked, nearest_allowed_chunks
from qa.store import ArticleStore
from qa.store.lexical import LexicalIndex
from qa.text.glossary import lexical_form
from qa.text.tokens import tokenize
from qa.types import Passage


@dataclass(frozen=True, slots=True)
class CandidateLimits:
    """How many candidates each view contributes."""

    dense_chunks: int = 16
    lexical_sentences: int = 40
    lexical_chunks: int = 8


@dataclass(frozen=True, slots=True)
class QueryView:
    """One query's vector, BM25 scores over the whole store, and the candidate ids it found."""

    text: str
    vector: np.ndarray
    lexical: tuple[LexicalIndex, LexicalIndex]  # the BM25 indexes the scores below come from
    sentence_bm25: np.ndarray
    chunk_bm25: np.ndarray
    ids: list[str]


def find_candidates(
    store: ArticleStore,
    query: str,
    limits: CandidateLimits = CandidateLimits(),
    allowed: Set[str] | None = None,
) -> QueryView:
    """The candidate sentence ids for ``query``, with the scores needed to describe them.

    ``allowed``: only sentences of these articles (qa/retrieval/restrict.py); None: all. An English
    question is embedded and tokenised with its glossary words (docs/benchmarks.md, newsqa 0.12).
    """
    lexical_query = lexical_form(query)
    q_vec = encode_queries(store.embeddings, [lexical_query])[0]
    tokens = tokenize(lexical_query)
    sentence_index, chunk_index = indexes = store.lexical_indexes()
    sentence_bm25 = sentence_index.scores(tokens)
    chunk_bm25 = chunk_index.scores(tokens)
    if allowed is None:
        dense_chunks = store.nearest_chunks(q_vec, limits.dense_chunks)
    else:
        dense_chunks = nearest_allowed_chunks(store, q_vec, limits.dense_chunks, allowed)
        sentence_bm25 = masked(sentence_index, sentence_bm25, allowed)
        chunk_bm25 = masked(chunk_index, chunk_bm25, allowed)
    lexical = [i for i, _ in sentence_index.best(sentence_bm25, limits.lexical_sentences)]
    lexical_chunks = [i for i, _ in chunk_index.best(chunk_bm25, limits.lexical_chunks)]
    chunk_ids = list(dict.fromkeys(dense_chunks + lexical_chunks))
    from_chunks = [sid for sids in store.chunk_sentence_ids(chunk_ids).values() for sid in sids]
    ids = list(dict.fromkeys(lexical + from_chunks))
    return QueryView(query, q_vec, indexes, sentence_bm25, chunk_bm25, ids)


def describe(
    store: ArticleStore, view: QueryView, ids: Sequence[str]
) -> tuple[list[Candidate], list[Passage]]:
    """The ranker's input for each stored sentence among ``ids`` and its (unscored) ``Passage``."""
    q_vec, sentence_bm25, chunk_bm25 = view.vector, view.sentence_bm25, view.chunk_bm25
    wanted = set(ids)
    for sid in ids:
        article_id, index = article_of(sid), position(sid)
        wanted.update({sentence_id(article_id, index - 1), sentence_id(article_id, index + 1)})
    rows = store.sentence_rows(sorted(wanted), vectors=True)
    # the leads' texts only: their vectors would cost a chunk read per article
    leads = store.sentence_rows(sorted({sentence_id(article_of(i), 0) for i in ids}))
    ids = [i for i in ids if i in rows]
    if not ids:
        return [], []
    order = list(rows)
    # ``vectors=True``: every row returned has its vector
    dense = dict(zip(order, np.stack([cast(np.ndarray, rows[i].vector) for i in order]) @ q_vec, strict=True))

    chunk_ids = sorted({chunk_id(rows[i].sentence.article_id, c) for i in ids for c in rows[i].chunks})
    chunk_dense = {c: float(v @ q_vec) for c, v in store.chunk_vectors(chunk_ids).items()}
    sentence_index, chunk_index = view.lexical
    chunk_lexical = dict(zip(chunk_ids, chunk_index.lookup(chunk_bm25, chunk_ids), strict=True))
    sentence_lexical = sentence_index.lookup(sentence_bm25, ids)
    article_meta = store.article_meta({rows[i].sentence.article_id for i in ids})

    candidates, passages = [], []
    text = {i: row.sentence.text for i, row in rows.items()}
    lead_text = {row.sentence.article_id: row.sentence.text for row in leads.values()}
    for sid, bm25 in zip(ids, sentence_lexical, strict=True):
        row = rows[sid]
        article_id, index = row.sentence.article_id, row.sentence.index
        prev_id, next_id = sentence_id(article_id, index - 1), sentence_id(article_id, index + 1)
        own_chunks = [chunk_id(article_id, c) for c in row.chunks]
        info = article_meta.get(article_id, {})
        candidates.append(
            Candidate(
                sentence_text=text[sid],
                prev_text=text.get(prev_id, ""),
                next_text=text.get(next_id, ""),
                title=str(info.get("title", "")),
                dense=float(dense[sid]),
                dense_chunk=max((float(chunk_dense.get(c, 0.0)) for c in own_chunks), default=0.0),
                bm25=float(bm25),
                bm25_chunk=max((float(chunk_lexical.get(c, 0.0)) for c in own_chunks), default=0.0),
                dense_prev=float(dense.get(prev_id, 0.0)),
                dense_next=float(dense.get(next_id, 0.0)),
                index=index,
                article_id=article_id,
                lead_text=lead_text.get(article_id, ""),
            )
        )
        passages.append(
            Passage(
                article_id=article_id,
                title=str(info.get("title", "")),
                source=str(info.get("source", "")),
                sentence_index=index,
                text=text[sid],
                start=row.sentence.start,
                end=row.sentence.end,
                score=0.0,
                date=str(info.get("date", "")),
                url=str(info.get("url", "")),
            )
        )
    return candidates, passages
