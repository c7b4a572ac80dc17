"""What the store's Chroma records hold, and what the store hands out: the record encoding, one place.

An article record holds the text (as metadata, see ``ARTICLE_TEXT_KEY``), the metadata and the
layout (qa/store/layout.py); a chunk record holds its vector and its sentences' packed vectors
(qa/store/sentence_vectors.py). Chunk and article vectors are the normalised mean of their
sentences' vectors, so ingest encodes every sentence once and nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np

from ingest.types import Article, Sentence
from qa.embeddings.vectors import normalize
from qa.store.layout import ArticleLayout
from qa.store.sentence_vectors import SENTENCE_VECTORS_KEY, pack, unpack

ARTICLE_TEXT_KEY = "text"
"""An article record keeps its text under this metadata key, not as the record's document: Chroma
feeds documents to a full-text index newsqa never queries (it has its own BM25)."""


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the store knows about an article without loading its text."""

    id: str
    title: str
    source: str
    url: str
    date: str
    content_hash: str
    n_sentences: int
    n_chunks: int
    chars: int
    added_at: str
    author: str = ""
    guid: str = ""
    feed: str = ""


@dataclass(frozen=True, slots=True)
class StoredSentence:
    """A stored sentence, the chunks (indices in its article) that hold it, and its vector if asked for."""

    sentence: Sentence
    chunks: tuple[int, ...]
    vector: np.ndarray | None = None


@dataclass(slots=True)
class IngestReport:
    """What an ``add`` did, article by article."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # new id -> id already holding that text
    sentences: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What :meth:`ArticleStore.check` found and repaired."""

    articles: int
    orphan_articles_removed: list[str]
    lexical_added: list[str]
    lexical_removed: list[str]

    @property
    def consistent(self) -> bool:
        return not (self.orphan_articles_removed or self.lexical_added or self.lexical_removed)


class ArticleRecord(NamedTuple):
    meta: dict[str, Any]
    text: str
    layout: ArticleLayout

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> ArticleRecord:
        text = str(meta.pop(ARTICLE_TEXT_KEY, ""))
        return cls(meta, text, ArticleLayout.from_metadata(meta))


class ChunkRecord(NamedTuple):
    vector: np.ndarray
    first: int  # the index of the chunk's first sentence in its article
    sentence_vectors: np.ndarray | None  # float16, a row per sentence of the chunk; None if damaged

    @classmethod
    def from_chroma(
        cls, sentence_range: tuple[int, int], vector: Any, meta: dict[str, Any] | None
    ) -> ChunkRecord:
        first, last = sentence_range
        vector = np.asarray(vector, dtype=np.float32)
        try:
            rows = unpack(str((meta or {})[SENTENCE_VECTORS_KEY]), last - first + 1, len(vector))
        except (KeyError, ValueError):
            rows = None
        return cls(vector, first, rows)

    def sentence_vector(self, index: int) -> np.ndarray | None:
        """The vector of sentence ``index`` of the article, if this chunk holds it intact."""
        row = index - self.first
        if self.sentence_vectors is None or not 0 <= row < len(self.sentence_vectors):
            return None
        return self.sentence_vectors[row].astype(np.float32)


def article_metadata(article: Article) -> dict[str, Any]:
    """The article record's metadata: what lists need, the layout, and the text."""
    return {
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "date": article.date,
        "author": article.author,
        "guid": article.guid,
        "feed": article.feed,
        "content_hash": article.content_hash,
        "n_sentences": len(article.sentences),
        "n_chunks": len(article.chunks),
        "chars": len(article.text),
        "added_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **ArticleLayout.of(article).metadata(),
        ARTICLE_TEXT_KEY: article.text,
    }


def stored_article(article_id: str, meta: dict[str, Any]) -> StoredArticle:
    return StoredArticle(
        id=article_id,
        title=str(meta["title"]),
        source=str(meta["source"]),
        url=str(meta.get("url", "")),
        date=str(meta.get("date", "")),
        content_hash=str(meta["content_hash"]),
        n_sentences=int(meta["n_sentences"]),
        n_chunks=int(meta["n_chunks"]),
        chars=int(meta["chars"]),
        added_at=str(meta["added_at"]),
        author=str(meta.get("author", "")),
        guid=str(meta.get("guid", "")),
        feed=str(meta.get("feed", "")),
    )


def chunk_payload(vectors: np.ndarray, members: Sequence[Sequence[int]]) -> tuple[np.ndarray, list[dict]]:
    """Each chunk's vector (the mean of its sentences') and metadata (its sentences' packed vectors),
    given the sentence vectors and, per chunk, the rows of its sentences."""
    return mean_vectors(vectors, members), [{SENTENCE_VECTORS_KEY: pack(vectors[list(r)])} for r in members]


def mean_vectors(vectors: np.ndarray, members: Sequence[Sequence[int]]) -> np.ndarray:
    """One normalised mean vector per group of rows: how chunks and articles get their vectors."""
    if not members:
        return np.zeros((0, vectors.shape[1]), np.float32)
    return normalize(np.vstack([vectors[list(rows)].mean(axis=0) for rows in members]))
