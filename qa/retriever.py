"""Hybrid retrieval that returns ranked source sentences, not just chunks.

Candidates are the union of three views of the store: the nearest chunks by embedding, and the
best sentences and chunks by BM25 (a chunk contributes all its sentences). Every candidate then
gets four scores (its own and its best chunk's, dense and BM25) plus its neighbours' similarity,
and the learned :class:`~qa.ranking.SentenceRanker` turns them into the probability that the
sentence answers the question. Sentences are what get cited; chunks only lend their context.

There is no dense search over sentences: their vectors live in the chunk records
(qa/sentence_vectors.py). On XQuAD-de with the 1028 10kGNAD articles as distractors (dev split),
16 dense chunks found as much as the 40 nearest sentences plus 8 chunks did before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.types import chunk_id, sentence_id
from qa.embeddings import encode
from qa.followup import is_thin
from qa.lexical import LexicalIndex
from qa.ranking import Candidate, SentenceRanker, tokenize
from qa.store import ArticleStore
from qa.types import Passage


@dataclass(frozen=True, slots=True)
class _Query:
    """One query's vector, BM25 scores over the whole store, and the candidates it found."""

    text: str
    vector: np.ndarray
    lexical: tuple[LexicalIndex, LexicalIndex]  # the BM25 indexes the scores below come from
    sentence_bm25: np.ndarray
    chunk_bm25: np.ndarray
    ids: list[str]


@dataclass(frozen=True, slots=True)
class Retrieval:
    """All candidates for one question, best first, with the scores they were ranked by."""

    question: str
    passages: list[Passage]


class HybridRetriever:
    """Dense candidates over chunks and BM25 ones over sentences and chunks, ranked by the sentence ranker."""

    def __init__(
        self,
        store: ArticleStore,
        ranker: SentenceRanker | None = None,
        dense_chunk_k: int = 16,
        lexical_k: int = 40,
        lexical_chunk_k: int = 8,
    ) -> None:
        self.store = store
        self.ranker = ranker or SentenceRanker.from_default()
        self.dense_chunk_k, self.lexical_k, self.lexical_chunk_k = dense_chunk_k, lexical_k, lexical_chunk_k

    def retrieve(self, question: str, context: str = "") -> Retrieval:
        """Rank every candidate sentence for ``question``; an empty store gives no passages.

        ``context`` (a follow-up's previous question) widens the candidate set; the ranking uses the
        question itself unless it is too thin to rank by ("Und wann war das?").
        """
        store = self.store
        store.refresh()
        # The lexical index holds every stored sentence (kept in step with Chroma): asking it costs
        # microseconds, a Chroma ``count`` a round trip.
        if not question.strip() or len(store.sentence_index) == 0:
            return Retrieval(question, [])
        combined = f"{question} {context}".strip()
        found = [self._candidates(question)] + ([self._candidates(combined)] if context else [])
        ids = list(dict.fromkeys(i for f in found for i in f.ids))
        rank_by = found[-1] if context and is_thin(question) else found[0]
        return Retrieval(question, self._rank(rank_by, ids))

    def _candidates(self, query: str) -> _Query:
        store = self.store
        q_vec = encode(store.embeddings, [query])[0]
        tokens = tokenize(query)
        # Chroma returns fewer results when the collection holds fewer, so no ``count`` calls here.
        dense_chunks = store.chunks.query(query_embeddings=[q_vec], n_results=self.dense_chunk_k, include=[])
        sentence_index, chunk_index = indexes = store.lexical_indexes()
        sentence_bm25 = sentence_index.scores(tokens)
        chunk_bm25 = chunk_index.scores(tokens)
        lexical = [i for i, _ in sentence_index.best(sentence_bm25, self.lexical_k)]
        lexical_chunks = [i for i, _ in chunk_index.best(chunk_bm25, self.lexical_chunk_k)]
        chunk_ids = list(dict.fromkeys(dense_chunks["ids"][0] + lexical_chunks))
        from_chunks = [sid for sids in store.chunk_sentence_ids(chunk_ids).values() for sid in sids]
        ids = list(dict.fromkeys(lexical + from_chunks))
        return _Query(query, q_vec, indexes, sentence_bm25, chunk_bm25, ids)

    def _rank(self, query: _Query, ids: Sequence[str]) -> list[Passage]:
        store = self.store
        q_vec, sentence_bm25, chunk_bm25 = query.vector, query.sentence_bm25, query.chunk_bm25
        wanted = set(ids)
        for sid in ids:
            article_id, index = sid.rsplit(":", 1)
            wanted.update({sentence_id(article_id, int(index) - 1), sentence_id(article_id, int(index) + 1)})
        rows = store.sentence_rows(sorted(wanted), vectors=True)
        ids = [i for i in ids if i in rows]
        if not ids:
            return []
        order = list(rows)
        dense = dict(zip(order, np.stack([rows[i].vector for i in order]) @ q_vec, strict=True))

        chunk_ids = sorted({chunk_id(rows[i].sentence.article_id, c) for i in ids for c in rows[i].chunks})
        chunk_dense = {c: float(v @ q_vec) for c, v in store.chunk_vectors(chunk_ids).items()}
        sentence_index, chunk_index = query.lexical
        chunk_lexical = dict(zip(chunk_ids, chunk_index.lookup(chunk_bm25, chunk_ids), strict=True))
        sentence_lexical = sentence_index.lookup(sentence_bm25, ids)
        article_meta = store.article_meta({rows[i].sentence.article_id for i in ids})

        candidates, passages = [], []
        text = {i: row.sentence.text for i, row in rows.items()}
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
                )
            )
        scores = self.ranker.score(query.text, candidates)
        for passage, score in zip(passages, scores, strict=True):
            passage.score = float(score)
        return sorted(passages, key=lambda p: p.score, reverse=True)


class NewsRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain retriever: one ``Document`` per source sentence.

    Metadata carries the article id, title, source, sentence index, character offsets and score,
    so anything built on LangChain can cite exactly what newsqa cites.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.hybrid.retrieve(query).passages[: self.k]
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"})) for p in passages]
