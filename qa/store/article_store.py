"""``ArticleStore``: articles, their chunks and sentence vectors in Chroma, with BM25 indexes in step.

Consistency rules, so a crash or a kill at any point loses nothing and corrupts nothing
(docs/design.md tells the whole story):
- adding writes the chunks, then the article record last: the article record is the commit
  marker, and chunks that no article's layout names are orphans of an interrupted write;
- deleting removes the article record first, then its chunks;
- the lexical indexes are derived data, saved atomically, and reconciled with Chroma on open
  (:meth:`ArticleStore.check`), which also removes orphans. ``newsqa doctor`` runs the same check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ingest.types import Article, article_of, chunk_id, position, sentence_id
from qa.embeddings.factory import embedding_name
from qa.embeddings.workers import EncodedBatch, article_batches, batch_texts, encode_batch, encoded_batches
from qa.settings import Settings
from qa.store import chroma
from qa.store.cache import RecordCache
from qa.store.connection import Connection, ServerStamp
from qa.store.layout import ArticleLayout
from qa.store.lexical import LexicalIndex
from qa.store.lexical_pair import LexicalPair
from qa.store.lock import WriteLock
from qa.store.reconcile import reconcile_lexical
from qa.store.records import (
    ArticleRecord,
    CheckReport,
    IngestReport,
    StoredArticle,
    StoredSentence,
    article_metadata,
    chunk_payload,
    mean_vectors,
    stored_article,
)

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

EMBED_BATCH_SENTENCES = 2048


class ArticleStore:
    """Articles and chunks (with their sentences' vectors) in Chroma, with BM25 indexes kept in step."""

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.data_dir = Path(settings.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lexical = LexicalPair(self.data_dir / "lexical" / settings.collection_prefix)
        self._read_only = chroma.is_read_only(settings, self.data_dir)
        self._lock = WriteLock(self.data_dir / ".write.lock", self._reload_if_changed, self._lexical.discard)
        # Under the file lock from the start: processes opening a new store at once race in its setup
        self._connection: Connection | None = None  # none yet: nothing to reopen on acquiring the lock
        with self._lock.hold():
            self._use_connection(Connection(settings, self.data_dir, embedding_name(embeddings)))
            self._stamp = ServerStamp(self._connection) if settings.chroma_url and self._connection else None
            self._lexical.load()
            # kept so ``newsqa doctor`` can report what opening the store repaired
            self.opened_check: CheckReport = self.check()

    # ---- writing -------------------------------------------------------------------------------
    def add(
        self, articles: Sequence[Article], progress: Callable[[int, int], None] | None = None
    ) -> IngestReport:
        """Add new articles, replace changed ones, skip unchanged ones and exact duplicates.

        ``progress(done, total)`` is called with sentence counts as batches are embedded.
        """
        started = time.perf_counter()
        report = IngestReport()
        with self._writing():
            todo = self._plan(articles, report)
            total = sum(len(a.sentences) for a in todo)
            done = 0
            if progress:
                progress(0, total)
            # Batches are encoded ahead of the writer (qa/embeddings/workers.py) and written one after
            # another, in order, each article record last, so the consistency rules hold whatever runs
            # the model.
            batches = list(
                article_batches(todo, self.settings.embed_batch_sentences or EMBED_BATCH_SENTENCES)
            )
            workers = int(getattr(self.embeddings, "threads", 1))
            with closing(
                encoded_batches(self.embeddings, [batch_texts(b) for b in batches], workers)
            ) as encoded:
                for batch, vectors_and_tokens in zip(batches, encoded, strict=True):
                    self._write_batch(batch, vectors_and_tokens)
                    done += sum(len(a.sentences) for a in batch)
                    if progress:
                        progress(done, total)
            if todo:
                self._announce()
            report.sentences = total
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, article_id: str) -> bool:
        """Remove an article completely; returns False when there is no such article."""
        with self._writing():
            found = self._article_metadata([article_id])
            if not found:
                return False
            self._remove(found)
            self._announce()
            return True

    def check(self) -> CheckReport:
        """Remove orphans of interrupted writes and bring the lexical indexes in step with Chroma.

        Chunk records are addressed by id (``<article>:c<i>``): a record is an orphan unless a
        stored article's layout names it, which also catches records left over from a longer
        earlier version of an article.
        """
        with self._lock.hold():
            token = self._stamp.current() if self._stamp else None  # before reading: see ServerStamp
            stored = self._article_metadata()
            orphaned: set[str] = set()
            if self._chunks.count() != sum(int(m["n_chunks"]) for m in stored.values()):
                # not the usual case (known from the article records' counts): find the strays by id
                layouts = {i: ArticleLayout.from_metadata(m) for i, m in stored.items()}
                expected = {c for i, layout in layouts.items() for c in layout.chunk_ids(i)}
                stale = [c for c in self._chunks.get(include=[])["ids"] if c not in expected]
                chroma.delete(self._chunks, stale)
                orphaned |= {article_of(c) for c in stale}
            added, removed = self._reconcile_lexical(stored)
            if self._stamp:
                self._stamp.seen = token
                if orphaned:
                    self._stamp.bump()
            return CheckReport(len(stored), sorted(orphaned), sorted(added), sorted(removed))

    # ---- reading -------------------------------------------------------------------------------
    def lexical_indexes(self) -> tuple[LexicalIndex, LexicalIndex]:
        """The sentence and chunk BM25 indexes as one pair that no write changes: a write edits
        copies and swaps them in. A query takes its scores and lookups from one such pair."""
        return self._lexical.published

    @property
    def sentence_index(self) -> LexicalIndex:
        return self._lexical.published[0]

    def count(self) -> int:
        return int(self._articles.count())

    def record_counts(self) -> dict[str, int]:
        """How many records each part of the store holds; equal counts are part of consistency."""
        sentences, chunks = self._lexical.published
        return {
            "articles": self.count(),
            "chunks": int(self._chunks.count()),
            "lexical_sentences": len(sentences),
            "lexical_chunks": len(chunks),
        }

    def nearest_chunks(self, vector: np.ndarray, k: int) -> list[str]:
        """The ids of the ``k`` stored chunks nearest to ``vector`` (fewer when fewer are stored)."""
        got = self._chunks.query(query_embeddings=[vector], n_results=k, include=[])
        return list(got["ids"][0])

    def list_articles(self) -> list[StoredArticle]:
        """Every article, most recently added first."""
        self.refresh()
        items = [stored_article(i, m) for i, m in self._article_metadata().items()]
        return sorted(items, key=lambda a: (a.added_at, a.title), reverse=True)

    def get_article(self, article_id: str) -> Article | None:
        """The article with its text, sentences and chunks, as it was ingested."""
        self.refresh()
        record = self._cache.articles([article_id]).get(article_id)
        if record is None:
            return None
        meta, text, layout = record
        return Article(
            id=article_id,
            title=str(meta["title"]),
            text=text,
            source=str(meta["source"]),
            content_hash=str(meta["content_hash"]),
            url=str(meta.get("url", "")),
            date=str(meta.get("date", "")),
            author=str(meta.get("author", "")),
            guid=str(meta.get("guid", "")),
            feed=str(meta.get("feed", "")),
            sentences=layout.sentences(article_id, text),
            chunks=layout.chunks(article_id, text),
        )

    def sentence_rows(self, ids: Sequence[str], vectors: bool = False) -> dict[str, StoredSentence]:
        """The stored sentences among ``ids`` (unknown ids are left out), with their vectors on request.

        A sentence's vector is read from a chunk that holds it (qa/store/sentence_vectors.py); with
        ``vectors``, a sentence no intact chunk record holds is left out too.
        """
        chunk_cache = self._cache.chunk_snapshot()  # before the layouts: see qa/store/cache.py
        records = self._cache.articles({article_of(i) for i in ids})
        found: dict[str, StoredSentence] = {}
        for sid in ids:
            article_id, index = article_of(sid), position(sid)
            record = records.get(article_id)
            if record is not None and 0 <= index < len(record.layout.spans):
                sentence = record.layout.sentence(article_id, record.text, index)
                found[sid] = StoredSentence(sentence, record.layout.chunks_of(index))
        if vectors and found:
            layouts = {i: r.layout for i, r in records.items()}  # the same version as ``found``
            chunks = self._cache.chunks(
                (chunk_id(article_of(i), c) for i, row in found.items() for c in row.chunks),
                layouts,
                chunk_cache,
            )
            with_vectors = {}
            for sid, row in found.items():
                for c in row.chunks:
                    chunk = chunks.get(chunk_id(row.sentence.article_id, c))
                    vector = chunk.sentence_vector(row.sentence.index) if chunk is not None else None
                    if vector is not None:
                        with_vectors[sid] = replace(row, vector=vector)
                        break
            found = with_vectors
        return found

    def chunk_vectors(self, chunk_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The vectors of the stored chunks among ``chunk_ids``."""
        return {i: record.vector for i, record in self._cache.chunks(chunk_ids).items()}

    def article_meta(self, article_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Metadata (title, source, ...) of the stored articles among ``article_ids``."""
        return {i: record.meta for i, record in self._cache.articles(article_ids).items()}

    def chunk_sentence_ids(self, chunk_ids: Sequence[str]) -> dict[str, list[str]]:
        """The sentence ids of each stored chunk among ``chunk_ids``."""
        records = self._cache.articles({article_of(c) for c in chunk_ids})
        found = {}
        for cid in chunk_ids:
            article_id, index = article_of(cid), position(cid)
            record = records.get(article_id)
            if record is not None and 0 <= index < len(record.layout.chunk_ranges):
                found[cid] = record.layout.chunk_sentence_ids(article_id, index)
        return found

    @property
    def generation(self) -> tuple[tuple[int, int], ...]:
        """Changes whenever the stored articles change, here or (after :meth:`refresh`) elsewhere.

        Every write ends by saving the lexical indexes, each a new file renamed into place, so
        their stamp marks the store's state; readers use it to know when data they cached from
        Chroma may be stale.
        """
        return self._lexical.stamp

    def refresh(self) -> None:
        """See what other processes wrote: reload the lexical indexes another process with this data
        directory published (and reopen an embedded Chroma, whose vector index this process holds
        in memory), or, on a Chroma server another client wrote to, bring them in step with it."""
        if self._connection is not None:
            self._connection.check_present()
        if self._lexical.changed_on_disk():
            with self._lock.thread_lock:
                self._reload_if_changed()
        if self._stamp is not None and self._stamp.changed():
            with self._lock.hold():  # a writer of this data directory may be catching up too
                if self._stamp.changed():
                    token = self._stamp.current()
                    self._cache.clear()  # it may hold versions another client has replaced
                    self._reconcile_lexical(self._article_metadata())
                    self._stamp.seen = token

    # ---- internals: planning and writing -------------------------------------------------------
    def _plan(self, articles: Sequence[Article], report: IngestReport) -> list[Article]:
        """Decide per article: new, replacement, unchanged, or a duplicate of stored text."""
        unique = list({a.id: a for a in articles}.values())
        existing = self._article_metadata([a.id for a in unique]) if unique else {}
        # Who holds a text matters only for articles not stored as they are (none when re-ingesting).
        stored_hash = {i: m["content_hash"] for i, m in existing.items()}
        hashes = [a.content_hash for a in unique if stored_hash.get(a.id) != a.content_hash]
        holders: dict[str, str] = {}
        for start in range(0, len(hashes), chroma.CHROMA_MAX_BATCH):
            got = self._articles.get(
                where={"content_hash": {"$in": hashes[start : start + chroma.CHROMA_MAX_BATCH]}},
                include=["metadatas"],
            )
            holders.update({m["content_hash"]: i for i, m in zip(got["ids"], got["metadatas"], strict=True)})
        todo, seen_hashes, replaced = [], set(), []
        for article in unique:
            old = existing.get(article.id)
            if old is not None and old["content_hash"] == article.content_hash:
                report.unchanged.append(article.id)
            elif (
                article.content_hash in seen_hashes
                or holders.get(article.content_hash, article.id) != article.id
            ):
                report.duplicates[article.id] = holders.get(article.content_hash, "")
            else:
                seen_hashes.add(article.content_hash)
                (report.replaced if old is not None else report.added).append(article.id)
                if old is not None:
                    replaced.append(article.id)
                todo.append(article)
        if replaced:
            self._remove({i: existing[i] for i in replaced})
            # Persist the removal now: the new versions keep the old ids, so if the process died
            # before the final save, the old lexical rows would still carry those article ids
            # and ``check`` (which compares article ids) could never tell them from the new text.
            self._announce()
        return todo

    def _write_batch(self, batch: Sequence[Article], encoded: EncodedBatch | None = None) -> None:
        """Write one batch: the chunks, then the article records (the commit markers)."""
        encoded = encoded or encode_batch(self.embeddings, batch_texts(batch))
        sentences = [s for a in batch for s in a.sentences]
        vectors = encoded.vectors
        row = {s.id: i for i, s in enumerate(sentences)}
        chunks = [c for a in batch for c in a.chunks]
        members = [[row[sentence_id(c.article_id, i)] for i in c.sentence_indices] for c in chunks]
        chroma.upsert(self._chunks, [c.id for c in chunks], *chunk_payload(vectors, members))
        article_vectors = mean_vectors(vectors, [[row[s.id] for s in a.sentences] for a in batch])
        chroma.upsert(
            self._articles, [a.id for a in batch], article_vectors, [article_metadata(a) for a in batch]
        )
        sentence_index, chunk_index = self._lexical.drafts()
        sentence_index.add(
            [s.id for s in sentences], encoded.sentence_tokens, [s.article_id for s in sentences]
        )
        chunk_index.add([c.id for c in chunks], encoded.chunk_tokens, [c.article_id for c in chunks])
        for index in (sentence_index, chunk_index):
            index.versions.update({a.id: a.content_hash for a in batch})

    def _remove(self, stored: dict[str, dict[str, Any]]) -> None:
        """Remove articles, given their stored metadata (which holds the layout naming their records)."""
        article_ids = list(stored)
        chroma.delete(self._articles, article_ids)  # the commit marker goes first
        chroma.delete(
            self._chunks, [c for i, m in stored.items() for c in ArticleLayout.from_metadata(m).chunk_ids(i)]
        )
        for index in self._lexical.drafts():
            index.remove_groups(article_ids)

    # ---- internals: lexical indexes ------------------------------------------------------------
    def _save_lexical(self) -> None:
        if not self._read_only:  # a read-only store's indexes are brought in step in memory only
            self._lexical.save()
        self._cache.clear()

    def _announce(self) -> None:
        """After a write to Chroma: publish the lexical indexes and tell other clients of a server."""
        self._save_lexical()
        if self._stamp is not None:
            self._stamp.bump()

    def _reload_if_changed(self) -> None:
        """Another process with this data directory wrote: its lexical indexes, then a fresh Chroma.

        In this order, so this process never holds lexical rows newer than its Chroma view.
        """
        if self._connection is not None:
            self._connection.check_present()
        if self._lexical.changed_on_disk():
            self._lexical.load()
            if self._connection is not None and not self.settings.chroma_url:
                self._connection.reopen()
                self._use_connection(self._connection)

    def _writing(self) -> AbstractContextManager[None]:
        if self._connection is not None:
            self._connection.check_present()  # before the lock file, which went with the store
        if self._read_only:
            raise chroma.read_only_error(self.data_dir)
        return self._lock.hold()

    def _use_connection(self, connection: Connection) -> None:
        self._connection = connection
        self._articles, self._chunks = connection.articles, connection.chunks
        self._cache = RecordCache(self._articles, self._chunks, lambda: self.generation)

    def _reconcile_lexical(self, stored: dict[str, dict[str, Any]]) -> tuple[set[str], set[str]]:
        added, removed = reconcile_lexical(self._lexical, self._cache, stored)
        if added or removed:
            self._save_lexical()
        return added, removed

    def _article_metadata(self, ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        if ids is None:
            got = self._articles.get(include=["metadatas"])
        else:
            got = chroma.get_by_ids(self._articles, ids, ["metadatas"])
        return {
            i: ArticleRecord.from_metadata(m).meta for i, m in zip(got["ids"], got["metadatas"], strict=True)
        }
