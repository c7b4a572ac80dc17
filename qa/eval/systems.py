"""The systems an evaluation compares, each turning a question into a system-neutral ``Prediction``.

- ``newsqa``: the real pipeline (hybrid retriever + ranker + answerer), with every ranked
  candidate kept for hit@k, timed as retrieval and answering like ``NewsQA.stream`` does.
- ``bm25``: newsqa's own lexical sentence index alone; the top sentence is cited.
- ``langchain``: the naive pipeline a newcomer would write: 1000/200-character recursive chunks in
  Chroma with the same embeddings, top-4 chunks, the chunk itself as the "citation".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.eval.grounding import grounding_verdicts
from qa.eval.metrics import Prediction, Unit
from qa.text.language import detect_language
from qa.types import Answer

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ingest import Article
    from qa.api import NewsQA

RANKED_DEPTH = 100  # ranked units kept per question: enough for hit@20 and a meaningful MRR


class NewsQASystem:
    """newsqa as shipped: the hybrid retriever, the learned ranker and the configured answerer."""

    name = "newsqa"

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa

    def predict(self, question: str) -> Prediction:
        started = time.perf_counter()
        retrieval = self.qa.retriever.retrieve(question)
        passages = retrieval.passages
        retrieved = time.perf_counter()
        final: Answer | None = None
        language = detect_language(question)
        for event in self.qa.answerer.respond(question, passages, language, retrieval.lacking):
            if isinstance(event, Answer):
                final = event
        done = time.perf_counter()
        assert final is not None, "the answerer ended without an Answer"
        return Prediction(
            text=final.text,
            abstained=final.abstained,
            citations=[Unit(c.article_id, c.start, c.end, c.text) for c in final.citations],
            ranked=[Unit(p.article_id, p.start, p.end, p.text) for p in passages[:RANKED_DEPTH]],
            retrieve_s=retrieved - started,
            answer_s=done - retrieved,
            support=grounding_verdicts(final, self.qa.embeddings),
            verification=final.verification.model_dump() if final.verification else None,
            fallback=final.notice if final.answerer != self.qa.answerer.name else "",
        )


class BM25System:
    """BM25 over newsqa's sentence index (stemmed tokens) and nothing else; never abstains."""

    name = "bm25"

    def __init__(self, qa: NewsQA) -> None:
        self.store = qa.store

    def predict(self, question: str) -> Prediction:
        from qa.text.tokens import tokenize

        started = time.perf_counter()
        index = self.store.sentence_index
        ids = [i for i, _ in index.best(index.scores(tokenize(question)), RANKED_DEPTH)]
        rows = self.store.sentence_rows(ids)
        ranked = [
            Unit(s.article_id, s.start, s.end, s.text) for s in (rows[i].sentence for i in ids if i in rows)
        ]
        elapsed = time.perf_counter() - started
        top = ranked[:1]
        text = f"{top[0].text} [1]" if top else ""
        return Prediction(text, not top, top, ranked, elapsed, 0.0)


class LangChainSystem:
    """The naive LangChain RAG retrieval: recursive 1000/200 chunks, Chroma, top-4 chunks cited."""

    name = "langchain"
    cite_k = 4
    search_k = 20

    def __init__(self, embeddings: Embeddings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        # add_start_index only records offsets for scoring; the chunks are the newcomer's chunks.
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=1000, chunk_overlap=200, add_start_index=True
        )
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.db = Chroma(
            collection_name=f"eval-baseline-{uuid.uuid4().hex[:8]}",
            embedding_function=embeddings,
            client=client,
        )
        self.chunks = 0

    def add(self, articles: Sequence[Article]) -> None:
        docs = self.splitter.create_documents(
            [a.text for a in articles], metadatas=[{"article_id": a.id} for a in articles]
        )
        if docs:
            self.db.add_documents(docs)
        self.chunks += len(docs)

    def predict(self, question: str) -> Prediction:
        started = time.perf_counter()
        docs = self.db.similarity_search(question, k=self.search_k)
        elapsed = time.perf_counter() - started
        ranked = [
            Unit(
                d.metadata["article_id"],
                int(d.metadata["start_index"]),
                int(d.metadata["start_index"]) + len(d.page_content),
                d.page_content,
            )
            for d in docs
        ]
        cited = ranked[: self.cite_k]
        text = cited[0].text if cited else ""
        return Prediction(text, not cited, cited, ranked, elapsed, 0.0)
