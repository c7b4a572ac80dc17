"""The one module that owns persistence: Chroma collections plus the lexical (BM25) indexes.

Two Chroma collections hold an article record (full text, metadata and the layout of its
sentences and chunks, see qa/layout.py) and its chunks, each with a vector. Sentence vectors come
from the embedding model and travel inside the records of the chunks that hold them
(qa/sentence_vectors.py); chunk and article vectors are the normalised mean of their sentences'
vectors, so ingest encodes every sentence once and nothing twice. A chunk record is an id, a
vector and its sentences' vectors: offsets and text follow from the article record.

Consistency rules, so a crash or a kill at any point loses nothing and corrupts nothing:
- adding writes the chunks, then the article record last: the article record is the commit
  marker, and chunks that no article's layout names are orphans of an interrupted write;
- deleting removes the article record first, then its chunks;
- the lexical indexes are derived data, saved atomically, and reconciled with Chroma on open
  (:meth:`ArticleStore.check`), which also removes orphans. ``newsqa doctor`` runs the same check.
  A write edits copies of them and swaps the copies in when it saves them, so a question asked
  meanwhile (the web chat answers during an upload) reads one consistent index.
"""

from __future__ import annotations

import fcntl
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.types import Article, Sentence, chunk_id, sentence_id
from qa.embeddings import embedding_name, encode, normalize
from qa.encoding import EncodedBatch, TextBatch, encode_batch, encoded_batches
from qa.layout import SPANS_KEY, ArticleLayout, owner, position
from qa.lexical import LexicalIndex
from qa.ranking import tokenize
from qa.sentence_vectors import SENTENCE_VECTORS_KEY, pack, unpack
from qa.settings import Settings

CHROMA_MAX_BATCH = 5000
# A Chroma server refused one upsert of 5,000 chunk records holding 7 sentence vectors each (~48 MB
# of metadata) and took 1,500 of them (~14 MB): writes are cut at about this much text per request.
CHROMA_MAX_REQUEST_CHARS = 8_000_000
EMBED_BATCH_SENTENCES = 2048
RECORD_CACHE_ARTICLES = 4096  # article records (text, layout) kept by ``_records``
UPGRADE_BATCH_ARTICLES = 256  # articles moved per step when upgrading a store written by 0.1 or 0.2
RECORD_CACHE_CHUNKS = 8192  # chunk records kept by ``_chunk_records`` (~7 KB each at 512 dimensions)
# The chunk graph. Chroma's defaults (M 16, construction ef 100) made the graph build ~40% of each
# record's write. ``python bench/hnsw_recall.py [--articles N]`` compares recall@16 of exact cosine
# search (the retriever's dense candidates) and build time against the defaults on a bench store's
# chunk vectors: 0.989 vs 0.980 at 1028 articles, 0.816 vs 0.784 at 10,000 (every chunk ten times),
# in two thirds of the build time. M 8 lost recall at 10,000 when it was tried on sentences.
PASSAGE_HNSW = {"hnsw:M": 12, "hnsw:construction_ef": 64, "hnsw:search_ef": 200}
# An article record keeps its text under this metadata key. As the record's document, the text fed
# Chroma's full-text index (which newsqa never queries; it has its own BM25) on every write: ~1.5 of
# the ~2.5 CPU-seconds writing the 1028 bench articles' records took. Stores written before 0.4
# hold it as the document, which is still read.
ARTICLE_TEXT_KEY = "text"


class StoreError(RuntimeError):
    """A store that cannot be opened or used as configured; the message says what to do."""


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


@dataclass(frozen=True, slots=True)
class StoredSentence:
    """A stored sentence, the chunks (indices in its article) that hold it, and its vector if asked for."""

    sentence: Sentence
    chunks: tuple[int, ...]
    vector: np.ndarray | None = None


class _ArticleRecord(NamedTuple):
    meta: dict[str, Any]
    text: str
    layout: ArticleLayout


class _ChunkRecord(NamedTuple):
    vector: np.ndarray
    first: int  # the index of the chunk's first sentence in its article
    sentence_vectors: np.ndarray | None  # float16, a row per sentence of the chunk; None if damaged

    def sentence_vector(self, index: int) -> np.ndarray | None:
        """The vector of sentence ``index`` of the article, if this chunk holds it intact."""
        row = index - self.first
        if self.sentence_vectors is None or not 0 <= row < len(self.sentence_vectors):
            return None
        return self.sentence_vectors[row].astype(np.float32)


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


class ArticleStore:
    """Articles and chunks (with their sentences' vectors) in Chroma, with BM25 indexes kept in step."""

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.data_dir = Path(settings.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._lock_depth = 0
        self._embedding = embedding_name(embeddings)
        prefix = settings.collection_prefix
        self._lexical_dir = self.data_dir / "lexical" / prefix
        self._lexical_stamp: tuple[tuple[int, int], ...] = ()
        self._lexical = (LexicalIndex(), LexicalIndex())  # what readers use; writers edit ``_drafts``
        self._drafts: tuple[LexicalIndex, LexicalIndex] | None = None
        self._cached: dict[str, _ArticleRecord] = {}  # see ``_records``
        self._cached_chunks: dict[str, _ChunkRecord] = {}
        self._records_generation: tuple[tuple[int, int], ...] | None = None
        # Under the file lock from the start: processes opening a new store at once would otherwise
        # race in Chroma's first-open schema setup ("table collections already exists").
        with self._write_lock():
            self.client = _connect(settings, self.data_dir)
            self.articles = self._collection(f"{prefix}_articles")
            self.chunks = self._collection(f"{prefix}_chunks", PASSAGE_HNSW)
            self._load_lexical()
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
        with self._write_lock():
            todo = self._plan(articles, report)
            total = sum(len(a.sentences) for a in todo)
            done = 0
            if progress:
                progress(0, total)
            # Batches are encoded ahead of the writer (qa/encoding.py) and written one after another, in
            # order, each article record last, so the consistency rules above hold whatever runs the model.
            batches = list(_batches(todo, self.settings.embed_batch_sentences or EMBED_BATCH_SENTENCES))
            workers = int(getattr(self.embeddings, "threads", 1))
            with closing(encoded_batches(self.embeddings, [_texts(b) for b in batches], workers)) as encoded:
                for batch, vectors_and_tokens in zip(batches, encoded, strict=True):
                    self._write_batch(batch, vectors_and_tokens)
                    done += sum(len(a.sentences) for a in batch)
                    if progress:
                        progress(done, total)
            if todo:
                self._save_lexical()
            report.sentences = total
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, article_id: str) -> bool:
        """Remove an article completely; returns False when there is no such article."""
        with self._write_lock():
            found = self._article_metadata([article_id])
            if not found:
                return False
            self._remove(found)
            self._save_lexical()
            return True

    def check(self) -> CheckReport:
        """Remove orphans of interrupted writes and bring the lexical indexes in step with Chroma.

        Chunk records are addressed by id (``<article>:c<i>``): a record is an orphan unless a
        stored article's layout names it, which also catches records left over from a longer
        earlier version of an article. A store written before newsqa 0.3 is upgraded first.
        """
        with self._write_lock():
            stored = self._article_metadata()
            self._upgrade(stored)
            orphaned: set[str] = set()
            if self.chunks.count() != sum(int(m["n_chunks"]) for m in stored.values()):
                # not the usual case (known from the article records' counts): find the strays by id
                layouts = {i: ArticleLayout.from_metadata(m) for i, m in stored.items()}
                expected = {c for i, layout in layouts.items() for c in layout.chunk_ids(i)}
                stale = [c for c in self.chunks.get(include=[])["ids"] if c not in expected]
                self._delete(self.chunks, stale)
                orphaned |= {owner(c) for c in stale}
            added, removed = self._reconcile_lexical(set(stored))
            return CheckReport(len(stored), sorted(orphaned), sorted(added), sorted(removed))

    # ---- reading -------------------------------------------------------------------------------
    def lexical_indexes(self) -> tuple[LexicalIndex, LexicalIndex]:
        """The sentence and chunk BM25 indexes as one pair that no write changes: a write edits
        copies and swaps them in. A query takes its scores and lookups from one such pair."""
        return self._lexical

    @property
    def sentence_index(self) -> LexicalIndex:
        return self._lexical[0]

    @property
    def chunk_index(self) -> LexicalIndex:
        return self._lexical[1]

    def count(self) -> int:
        return self.articles.count()

    def list_articles(self) -> list[StoredArticle]:
        """Every article, most recently added first."""
        items = [_stored(i, m) for i, m in self._article_metadata().items()]
        return sorted(items, key=lambda a: (a.added_at, a.title), reverse=True)

    def get_article(self, article_id: str) -> Article | None:
        """The article with its text, sentences and chunks, as it was ingested."""
        record = self._records([article_id]).get(article_id)
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
            sentences=layout.sentences(article_id, text),
            chunks=layout.chunks(article_id, text),
        )

    def sentence_rows(self, ids: Sequence[str], vectors: bool = False) -> dict[str, StoredSentence]:
        """The stored sentences among ``ids`` (unknown ids are left out), with their vectors on request.

        A sentence's vector is read from a chunk that holds it (qa/sentence_vectors.py); with
        ``vectors``, a sentence no intact chunk record holds is left out too.
        """
        chunk_cache = self._cached_chunks  # taken before the layouts: see ``_chunk_records``
        records = self._records({owner(i) for i in ids})
        found: dict[str, StoredSentence] = {}
        for sid in ids:
            article_id, index = owner(sid), position(sid)
            record = records.get(article_id)
            if record is not None and 0 <= index < len(record.layout.spans):
                sentence = record.layout.sentence(article_id, record.text, index)
                found[sid] = StoredSentence(sentence, record.layout.chunks_of(index))
        if vectors and found:
            layouts = {i: r.layout for i, r in records.items()}  # the same version as ``found``
            chunks = self._chunk_records(
                (chunk_id(owner(i), c) for i, row in found.items() for c in row.chunks), layouts, chunk_cache
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
        return {i: record.vector for i, record in self._chunk_records(chunk_ids).items()}

    def article_meta(self, article_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Metadata (title, source, ...) of the stored articles among ``article_ids``."""
        return {i: record.meta for i, record in self._records(article_ids).items()}

    def chunk_sentence_ids(self, chunk_ids: Sequence[str]) -> dict[str, list[str]]:
        """The sentence ids of each stored chunk among ``chunk_ids``."""
        records = self._records({owner(c) for c in chunk_ids})
        found = {}
        for cid in chunk_ids:
            article_id, index = owner(cid), position(cid)
            record = records.get(article_id)
            if record is not None and 0 <= index < len(record.layout.chunk_ranges):
                found[cid] = record.layout.chunk_sentence_ids(article_id, index)
        return found

    def _records(self, article_ids: Iterable[str]) -> dict[str, _ArticleRecord]:
        """Stored articles' metadata, text and layout, cached until the store changes.

        Only article records carry text (see ``ARTICLE_TEXT_KEY``): a sentence's or chunk's text is
        a span of it.
        """
        if self._records_generation != self.generation:
            self._clear_caches()
            self._records_generation = self.generation
        cache = self._cached  # this call's view: another thread may swap in a fresh cache meanwhile
        if len(cache) > RECORD_CACHE_ARTICLES:
            cache = self._cached = {}
        wanted = list(dict.fromkeys(article_ids))
        found = {i: cache[i] for i in wanted if i in cache}
        missing = [i for i in wanted if i not in found]
        if missing:
            got = self.articles.get(ids=missing, include=["documents", "metadatas"])
            for article_id, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                text = meta.pop(ARTICLE_TEXT_KEY, None)
                found[article_id] = cache[article_id] = _ArticleRecord(
                    meta, doc if text is None else text, ArticleLayout.from_metadata(meta)
                )
        return found

    def _chunk_records(
        self,
        chunk_ids: Iterable[str],
        layouts: dict[str, ArticleLayout] | None = None,
        cache: dict[str, _ChunkRecord] | None = None,
    ) -> dict[str, _ChunkRecord]:
        """Stored chunks' vectors and their sentences' vectors, cached until the store changes.

        Sentence vectors that are missing or not sized for the chunk's layout are ``None``: such a
        record costs its sentences their vector (then read from an overlapping chunk, or the
        sentence is left out) rather than misplacing one.
        """
        # The cache first, the layouts second (a caller passing ``layouts`` passes the cache it took
        # before reading them): a write that clears the caches in between leaves this call filling
        # the discarded cache, never the new one with a record read against an old layout.
        if cache is None:
            cache = self._cached_chunks
        if len(cache) > RECORD_CACHE_CHUNKS and cache is self._cached_chunks:
            cache = self._cached_chunks = {}
        wanted = list(dict.fromkeys(chunk_ids))
        if layouts is None:
            layouts = {i: r.layout for i, r in self._records({owner(c) for c in wanted}).items()}
        found = {c: cache[c] for c in wanted if c in cache}
        missing = [c for c in wanted if c not in found and owner(c) in layouts]
        if missing:
            got = self.chunks.get(ids=missing, include=["embeddings", "metadatas"])
            for cid, vector, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
                ranges = layouts[owner(cid)].chunk_ranges
                if position(cid) < len(ranges):
                    found[cid] = cache[cid] = _chunk_record(ranges[position(cid)], vector, meta)
        return found

    def _clear_caches(self) -> None:
        self._cached, self._cached_chunks = {}, {}

    @property
    def generation(self) -> tuple[tuple[int, int], ...]:
        """Changes whenever the stored articles change, here or (after :meth:`refresh`) elsewhere.

        Every write ends by saving the lexical indexes, each a new file renamed into place, so
        their inode numbers and file times mark the store's state; readers use it to know when data
        they cached from Chroma may be stale.
        """
        return self._lexical_stamp

    def refresh(self) -> None:
        """Reload the lexical indexes if another process has written newer ones."""
        if self._lexical_changed_on_disk():
            with self._lock:
                self._load_lexical()

    # ---- internals: planning and writing -------------------------------------------------------
    def _plan(self, articles: Sequence[Article], report: IngestReport) -> list[Article]:
        """Decide per article: new, replacement, unchanged, or a duplicate of stored text."""
        unique = list({a.id: a for a in articles}.values())
        existing = self._article_metadata([a.id for a in unique]) if unique else {}
        # Who holds a text matters only for articles not stored as they are (none when re-ingesting).
        stored_hash = {i: m["content_hash"] for i, m in existing.items()}
        hashes = [a.content_hash for a in unique if stored_hash.get(a.id) != a.content_hash]
        holders: dict[str, str] = {}
        for start in range(0, len(hashes), CHROMA_MAX_BATCH):
            got = self.articles.get(
                where={"content_hash": {"$in": hashes[start : start + CHROMA_MAX_BATCH]}},
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
            self._save_lexical()
        return todo

    def _write_batch(self, batch: Sequence[Article], encoded: EncodedBatch | None = None) -> None:
        """Write one batch: the chunks, then the article records (the commit markers).

        A chunk record is an id, a vector and its sentences' vectors (see qa/sentence_vectors.py);
        the article record holds the text, the metadata and the layout that places every sentence
        and chunk (qa/layout.py).
        """
        encoded = encoded or encode_batch(self.embeddings, _texts(batch))
        sentences = [s for a in batch for s in a.sentences]
        vectors = encoded.vectors
        row = {s.id: i for i, s in enumerate(sentences)}
        chunks = [c for a in batch for c in a.chunks]
        members = [[row[sentence_id(c.article_id, i)] for i in c.sentence_indices] for c in chunks]
        self._upsert(self.chunks, [c.id for c in chunks], *_chunk_payload(vectors, members))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        article_vectors = _mean_vectors(vectors, [[row[s.id] for s in a.sentences] for a in batch])
        self._upsert(
            self.articles,
            [a.id for a in batch],
            article_vectors,
            [
                {
                    "title": a.title,
                    "source": a.source,
                    "url": a.url,
                    "date": a.date,
                    "content_hash": a.content_hash,
                    "n_sentences": len(a.sentences),
                    "n_chunks": len(a.chunks),
                    "chars": len(a.text),
                    "added_at": now,
                    **ArticleLayout.of(a).metadata(),
                    ARTICLE_TEXT_KEY: a.text,
                }
                for a in batch
            ],
        )
        sentence_index, chunk_index = self._lexical_drafts()
        sentence_index.add(
            [s.id for s in sentences], encoded.sentence_tokens, [s.article_id for s in sentences]
        )
        chunk_index.add([c.id for c in chunks], encoded.chunk_tokens, [c.article_id for c in chunks])

    def _remove(self, stored: dict[str, dict[str, Any]]) -> None:
        """Remove articles, given their stored metadata (which holds the layout naming their records)."""
        article_ids = list(stored)
        self.articles.delete(ids=article_ids)  # the commit marker goes first
        self._delete(
            self.chunks,
            [c for i, m in stored.items() for c in ArticleLayout.from_metadata(m).chunk_ids(i)],
        )
        for index in self._lexical_drafts():
            index.remove_groups(article_ids)

    @staticmethod
    def _delete(collection, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), CHROMA_MAX_BATCH):
            collection.delete(ids=list(ids[start : start + CHROMA_MAX_BATCH]))

    @staticmethod
    def _upsert(
        collection,
        ids: list[str],
        vectors: np.ndarray,
        metas: list[dict] | None = None,
    ) -> None:
        for start, end in _request_slices(ids, metas, vector_chars=12 * vectors.shape[-1]):
            collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                metadatas=metas[start:end] if metas is not None else None,
            )

    # ---- internals: lexical indexes ------------------------------------------------------------
    def _lexical_paths(self) -> tuple[Path, Path]:
        return self._lexical_dir / "sentences.npz", self._lexical_dir / "chunks.npz"

    def _load_lexical(self) -> None:
        sentence_path, chunk_path = self._lexical_paths()
        try:
            self._lexical = (LexicalIndex.load(sentence_path), LexicalIndex.load(chunk_path))
        except Exception:  # unreadable index files are derived data: rebuild them from Chroma
            self._lexical = (LexicalIndex(), LexicalIndex())
        self._drafts = None
        self._lexical_stamp = self._lexical_disk_stamp()

    def _save_lexical(self) -> None:
        sentence_path, chunk_path = self._lexical_paths()
        sentence_index, chunk_index = self._lexical_drafts()
        sentence_index.save(sentence_path)
        chunk_index.save(chunk_path)
        self._lexical, self._drafts = (sentence_index, chunk_index), None
        self._lexical_stamp = self._lexical_disk_stamp()
        self._clear_caches()

    def _lexical_drafts(self) -> tuple[LexicalIndex, LexicalIndex]:
        """The sentence and chunk indexes this write edits: copies, published by ``_save_lexical``."""
        if self._drafts is None:
            self._drafts = (self._lexical[0].copy(), self._lexical[1].copy())
        return self._drafts

    def _lexical_disk_stamp(self) -> tuple[tuple[int, int], ...]:
        stats = [p.stat() for p in self._lexical_paths() if p.exists()]
        return tuple((st.st_ino, st.st_mtime_ns) for st in stats)

    def _lexical_changed_on_disk(self) -> bool:
        return self._lexical_disk_stamp() != self._lexical_stamp

    def _reconcile_lexical(self, article_ids: set[str]) -> tuple[set[str], set[str]]:
        added: set[str] = set()
        removed: set[str] = set()
        published = self._lexical
        for which, parts_of in enumerate((ArticleLayout.sentences, ArticleLayout.chunks)):
            have = (self._drafts or published)[which].group_ids()
            missing, extra = article_ids - have, have - article_ids
            if not (missing or extra):
                continue  # the usual case: no copy of the index needed
            index = self._lexical_drafts()[which]
            if extra:
                index.remove_groups(extra)
            records = self._records(sorted(missing))
            for article_id, (_, text, layout) in records.items():
                rows = parts_of(layout, article_id, text)
                index.add([r.id for r in rows], [tokenize(r.text) for r in rows], [article_id] * len(rows))
            added |= missing
            removed |= extra
        if added or removed:
            self._save_lexical()
        return added, removed

    def _upgrade(self, stored: dict[str, dict[str, Any]]) -> None:
        """Bring a store written before newsqa 0.3, which kept a record per sentence, to this layout.

        0.1 kept each sentence's offsets on its sentence record, 0.1 and 0.2 each sentence's vector:
        offsets move into the article records' layouts, vectors into the chunk records, then the
        sentence collection is dropped. Articles whose chunks already hold their vectors are
        skipped, so an upgrade cut short resumes where it stopped on the next open.
        """
        from chromadb.errors import NotFoundError

        name = f"{self.settings.collection_prefix}_sentences"
        try:
            legacy = self.client.get_collection(name, embedding_function=None)
        except NotFoundError:
            return  # the usual case: nothing to upgrade
        if self.settings.chroma_url:
            legacy = _ServerCollection(legacy, self.settings.chroma_url)
        for article_id, meta in stored.items():
            if SPANS_KEY not in meta:
                meta.update(_legacy_layout(legacy, self.chunks, article_id).metadata())
                self.articles.update(ids=[article_id], metadatas=[meta])
        ids = list(stored)
        try:
            for start in range(0, len(ids), UPGRADE_BATCH_ARTICLES):
                batch = ids[start : start + UPGRADE_BATCH_ARTICLES]
                self._move_sentence_vectors(legacy, {i: stored[i] for i in batch})
            self.client.delete_collection(name)
        except (NotFoundError, StoreError) as exc:
            # another client sharing the server finished the upgrade and dropped the collection
            if not isinstance(exc, NotFoundError) and not isinstance(exc.__cause__, NotFoundError):
                raise
        self._clear_caches()

    def _move_sentence_vectors(self, legacy, stored: dict[str, dict[str, Any]]) -> None:
        """Write the articles' chunk records again, each with its sentences' vectors from ``legacy``.

        An article missing any sentence vector (a damaged store) has its sentences encoded again.
        """
        layouts = {i: ArticleLayout.from_metadata(m) for i, m in stored.items()}
        intact = self._chunk_records(c for i, layout in layouts.items() for c in layout.chunk_ids(i))
        layouts = {
            i: layout
            for i, layout in layouts.items()
            if not all(c in intact and intact[c].sentence_vectors is not None for c in layout.chunk_ids(i))
        }
        wanted = [sentence_id(i, k) for i, layout in layouts.items() for k in range(len(layout.spans))]
        vectors: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), CHROMA_MAX_BATCH):
            got = legacy.get(ids=wanted[start : start + CHROMA_MAX_BATCH], include=["embeddings"])
            vectors.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
        chunk_ids: list[str] = []
        chunk_vectors, metas = [], []
        for article_id, layout in layouts.items():
            ids = [sentence_id(article_id, k) for k in range(len(layout.spans))]
            if ids and all(i in vectors for i in ids):
                matrix = np.stack([vectors[i] for i in ids])
            else:
                text = self._records([article_id])[article_id].text
                matrix = encode(self.embeddings, [s.text for s in layout.sentences(article_id, text)])
            article_vectors, article_metas = _chunk_payload(
                matrix, [list(range(first, last + 1)) for first, last in layout.chunk_ranges]
            )
            chunk_ids += layout.chunk_ids(article_id)
            chunk_vectors.append(article_vectors)
            metas += article_metas
        if chunk_ids:
            self._upsert(self.chunks, chunk_ids, np.vstack(chunk_vectors), metas)

    # ---- internals: Chroma ---------------------------------------------------------------------
    def _collection(self, name: str, hnsw: dict[str, int] | None = None):
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding": self._embedding, **(hnsw or {})},
        )
        built_with = (collection.metadata or {}).get("embedding", self._embedding)
        if built_with != self._embedding:
            raise StoreError(
                f"The store at {self.data_dir} was built with {built_with} embeddings, but {self._embedding} "
                "is configured. Use the same embeddings, or another NEWSQA_DATA_DIR / collection prefix."
            )
        url = self.settings.chroma_url
        return _ServerCollection(collection, url) if url else collection

    def _article_metadata(self, ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        got = self.articles.get(ids=list(ids) if ids is not None else None, include=["metadatas"])
        for meta in got["metadatas"]:
            meta.pop(ARTICLE_TEXT_KEY, None)
        return dict(zip(got["ids"], got["metadatas"], strict=True))

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """One writer at a time: a thread lock in this process, a file lock across processes.

        Re-entrant: only the outermost holder takes the file lock (a second ``flock`` on a new
        descriptor would wait for the first, in the same process, forever).
        """
        with self._lock:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            with open(self.data_dir / ".write.lock", "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._lock_depth = 1
                try:
                    if self._lexical_changed_on_disk():
                        self._load_lexical()
                    yield
                finally:
                    self._drafts = None  # edits never saved (the write failed) are not published
                    self._lock_depth = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)


class _ServerCollection:
    """A collection on a Chroma server whose failures raise a ``StoreError`` naming the server.

    Why: a server that went away mid-session otherwise surfaces as a bare ``ConnectError`` from
    deep inside the HTTP client, in the API, the CLI and the web chat alike. Embedded stores are
    not wrapped (no network, and no per-call overhead).
    """

    def __init__(self, collection: Any, url: str) -> None:
        self._collection, self._url = collection, url

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                raise StoreError(
                    f"The Chroma server at {self._url} failed ({type(exc).__name__}: {exc}). "
                    "Is it running? Start it again and retry; the store repairs itself on the next open."
                ) from exc

        return call


def _connect(settings: Settings, data_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not settings.chroma_url:
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)
    from urllib.parse import urlparse

    url = urlparse(settings.chroma_url)
    try:
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreError(f"Cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
    return client


def _request_slices(
    ids: Sequence[str], metas: Sequence[dict] | None, vector_chars: int
) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive records that make one write: at most ``CHROMA_MAX_BATCH`` records
    and about ``CHROMA_MAX_REQUEST_CHARS`` of text, since a Chroma server refuses larger requests.

    ``vector_chars``: a generous guess of what one vector adds. A single record over the cap is
    still written alone (no article comes near it).
    """
    start, size = 0, 0
    for i in range(len(ids)):
        record = len(ids[i]) + vector_chars
        record += sum(len(str(v)) for v in (metas[i] or {}).values()) if metas is not None else 0
        if i > start and (i - start >= CHROMA_MAX_BATCH or size + record > CHROMA_MAX_REQUEST_CHARS):
            yield start, i
            start, size = i, 0
        size += record
    if start < len(ids):
        yield start, len(ids)


def _chunk_record(sentence_range: tuple[int, int], vector: Any, meta: dict[str, Any] | None) -> _ChunkRecord:
    first, last = sentence_range
    vector = np.asarray(vector, dtype=np.float32)
    try:
        rows = unpack(str((meta or {})[SENTENCE_VECTORS_KEY]), last - first + 1, len(vector))
    except (KeyError, ValueError):
        rows = None
    return _ChunkRecord(vector, first, rows)


def _legacy_layout(sentences, chunks, article_id: str) -> ArticleLayout:
    """An article's layout from the offsets newsqa 0.1 kept on each sentence and chunk record."""
    where = {"article_id": article_id}
    sentence_metas = sentences.get(where=where, include=["metadatas"])["metadatas"]
    chunk_metas = chunks.get(where=where, include=["metadatas"])["metadatas"]
    return ArticleLayout(
        tuple((int(m["start"]), int(m["end"])) for m in sorted(sentence_metas, key=lambda m: m["index"])),
        tuple(
            (position(m["sentence_ids"][0]), position(m["sentence_ids"][-1]))
            for m in sorted(chunk_metas, key=lambda m: m["index"])
        ),
    )


def _chunk_payload(vectors: np.ndarray, members: Sequence[Sequence[int]]) -> tuple[np.ndarray, list[dict]]:
    """Each chunk's vector (the mean of its sentences') and metadata (its sentences' packed vectors),
    given the sentence vectors and, per chunk, the rows of its sentences."""
    return _mean_vectors(vectors, members), [{SENTENCE_VECTORS_KEY: pack(vectors[list(r)])} for r in members]


def _mean_vectors(vectors: np.ndarray, members: Sequence[Sequence[int]]) -> np.ndarray:
    """One normalised mean vector per group of rows: how chunks and articles get their vectors."""
    if not members:
        return np.zeros((0, vectors.shape[1]), np.float32)
    return normalize(np.vstack([vectors[list(rows)].mean(axis=0) for rows in members]))


def _texts(batch: Sequence[Article]) -> TextBatch:
    return [s.text for a in batch for s in a.sentences], [c.text for a in batch for c in a.chunks]


def _batches(articles: Sequence[Article], max_sentences: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    size = 0
    for article in articles:
        batch.append(article)
        size += len(article.sentences)
        if size >= max_sentences:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _stored(article_id: str, meta: dict[str, Any]) -> StoredArticle:
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
    )
