"""The data that ingest produces and every later stage consumes: articles, sentences, chunks.

Defined once here; the store, the retriever, the answerers and the faces only read them.
Offsets are character offsets into ``Article.text`` (the decoded source text, unmodified), so
``article.text[s.start:s.end] == s.text`` holds for every sentence and chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article, addressed by ``(article_id, index)``."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return sentence_id(self.article_id, self.index)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A window of whole, consecutive sentences: the unit embedded for passage-level retrieval."""

    article_id: str
    index: int
    sentence_indices: tuple[int, ...]
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return chunk_id(self.article_id, self.index)


@dataclass(frozen=True, slots=True)
class Article:
    """A source document with its sentences and chunks.

    ``id`` is derived from where the article comes from (feed GUID, URL, file path and title), so a
    changed article keeps its id and replaces its old version; ``content_hash`` tells versions apart.
    ``date`` is the publication date in ISO 8601 (``ingest.dates``), ``""`` when no source gives one;
    ``guid`` and ``feed`` are set for an item read from an RSS/Atom feed (the feed's URL).
    """

    id: str
    title: str
    text: str
    source: str
    content_hash: str
    url: str = ""
    date: str = ""
    author: str = ""
    guid: str = ""
    feed: str = ""
    sentences: tuple[Sentence, ...] = field(default=())
    chunks: tuple[Chunk, ...] = field(default=())


# Ids: "<article>:<index>" for a sentence, "<article>:c<index>" for a chunk. Built and parsed only here.


def sentence_id(article_id: str, index: int) -> str:
    """The stable id of a sentence: its article id and its position, ``"<article>:<index>"``."""
    return f"{article_id}:{index}"


def chunk_id(article_id: str, index: int) -> str:
    """The stable id of a chunk, ``"<article>:c<index>"``."""
    return f"{article_id}:c{index}"


def article_of(record_id: str) -> str:
    """The article id of a sentence or chunk id."""
    return record_id.rsplit(":", 1)[0]


def position(record_id: str) -> int:
    """The index of a sentence or chunk within its article, from its id."""
    return int(record_id.rsplit(":", 1)[1].lstrip("c"))
