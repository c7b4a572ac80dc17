"""Article and chunk records read from Chroma, kept until the store changes.

Ordering rule: a reader takes the chunk cache before it reads the layouts it passes on, so a
write that clears the caches in between leaves that reader filling the discarded cache, never the
new one with a record read against an old layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ingest.types import article_of, position
from qa.store import chroma
from qa.store.layout import ArticleLayout
from qa.store.records import ArticleRecord, ChunkRecord

RECORD_CACHE_ARTICLES = 4096  # article records (text, layout) kept
RECORD_CACHE_CHUNKS = 8192  # chunk records kept (~7 KB each at 512 dimensions)


class RecordCache:
    """Reads records by id through a cache that empties whenever ``generation()`` changes."""

    def __init__(
        self, articles: Any, chunks: Any, generation: Callable[[], tuple[tuple[int, int], ...]]
    ) -> None:
        self._articles, self._chunks, self._generation = articles, chunks, generation
        self._seen: tuple[tuple[int, int], ...] | None = None
        self._cached: dict[str, ArticleRecord] = {}
        self._cached_chunks: dict[str, ChunkRecord] = {}

    def clear(self) -> None:
        self._cached, self._cached_chunks = {}, {}

    def chunk_snapshot(self) -> dict[str, ChunkRecord]:
        """The chunk cache as it is now: take it before reading the layouts passed to :meth:`chunks`."""
        return self._cached_chunks

    def articles(self, article_ids: Iterable[str]) -> dict[str, ArticleRecord]:
        """Stored articles' metadata, text and layout."""
        if self._seen != self._generation():
            self.clear()
            self._seen = self._generation()
        cache = self._cached  # this call's view: another thread may swap in a fresh cache meanwhile
        if len(cache) > RECORD_CACHE_ARTICLES:
            cache = self._cached = {}
        wanted = list(dict.fromkeys(article_ids))
        found = {i: cache[i] for i in wanted if i in cache}
        missing = [i for i in wanted if i not in found]
        if missing:
            got = chroma.get_by_ids(self._articles, missing, ["metadatas"])
            for article_id, meta in zip(got["ids"], got["metadatas"], strict=True):
                found[article_id] = cache[article_id] = ArticleRecord.from_metadata(meta)
        return found

    def chunks(
        self,
        chunk_ids: Iterable[str],
        layouts: dict[str, ArticleLayout] | None = None,
        cache: dict[str, ChunkRecord] | None = None,
    ) -> dict[str, ChunkRecord]:
        """Stored chunks' vectors and their sentences' vectors.

        Sentence vectors that are missing or not sized for the chunk's layout are ``None``: such a
        record costs its sentences their vector (then read from an overlapping chunk, or the
        sentence is left out) rather than misplacing one. A caller passing ``layouts`` passes the
        :meth:`chunk_snapshot` it took before reading them.
        """
        if cache is None:
            cache = self._cached_chunks
        if len(cache) > RECORD_CACHE_CHUNKS and cache is self._cached_chunks:
            cache = self._cached_chunks = {}
        wanted = list(dict.fromkeys(chunk_ids))
        if layouts is None:
            layouts = {i: r.layout for i, r in self.articles({article_of(c) for c in wanted}).items()}
        found = {c: cache[c] for c in wanted if c in cache}
        missing = [c for c in wanted if c not in found and article_of(c) in layouts]
        if missing:
            got = chroma.get_by_ids(self._chunks, missing, ["embeddings", "metadatas"])
            for cid, vector, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
                ranges = layouts[article_of(cid)].chunk_ranges
                if position(cid) < len(ranges):
                    found[cid] = cache[cid] = ChunkRecord.from_chroma(ranges[position(cid)], vector, meta)
        return found
