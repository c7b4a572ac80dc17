"""The one module that owns persistence: Chroma collections plus the lexical (BM25) indexes.

Three Chroma collections hold an article record (full text, metadata), its sentences and its
chunks, each with a vector. Sentence vectors come from the embedding model; chunk and article
vectors are the normalised mean of their sentences' vectors, so ingest encodes every sentence once
and nothing twice.

Consistency rules, so a crash or a kill at any point loses nothing and corrupts nothing:
- adding writes sentences, then chunks, then the article record last: the article record is the
  commit marker, and sentences or chunks without one are orphans of an interrupted write;
- deleting removes the article record first, then its sentences and chunks;
- the lexical indexes are derived data, saved atomically, and reconciled with Chroma on open
  (:meth:`ArticleStore.check`), which also removes orphans. ``newsqa doctor`` runs the same check.
"""

from __future__ import annotations

import fcntl
import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.types import Article, Sentence, sentence_id
from qa.embeddings import embedding_name, encode, normalize
from qa.lexical import LexicalIndex
from qa.ranking import tokenize
from qa.settings import Settings

CHROMA_MAX_BATCH = 5000
EMBED_BATCH_SENTENCES = 2048
REMOVE_BATCH = 500  # article ids per ``$in`` delete


@dataclass(frozen=True, slots=True)
class _Encoded:
    """A batch's sentence vectors and BM25 tokens, computed off the writing thread."""

    vectors: np.ndarray
    sentence_tokens: list[list[str]]
    chunk_tokens: list[list[str]]


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
    """Articles, sentences and chunks in Chroma, with BM25 indexes kept in step."""

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
        self._lexical_mtime = 0.0
        self.sentence_index = LexicalIndex()
        self.chunk_index = LexicalIndex()
        # Under the file lock from the start: processes opening a new store at once would otherwise
        # race in Chroma's first-open schema setup ("table collections already exists").
        with self._write_lock():
            self.client = _connect(settings, self.data_dir)
            self.articles = self._collection(f"{prefix}_articles")
            self.sentences = self._collection(f"{prefix}_sentences")
            self.chunks = self._collection(f"{prefix}_chunks")
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
            # Encoding batch i+1 overlaps writing batch i: the model spends most of its time in BLAS,
            # which releases the GIL, while Chroma's upsert holds it; one thread and one batch ahead
            # bound the extra memory. Batches are still written one after another, in order, each
            # article record last, so the consistency rules above are unchanged.
            batches = list(_batches(todo, self.settings.embed_batch_sentences or EMBED_BATCH_SENTENCES))
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsqa-encode")
            try:
                ahead = pool.submit(self._encode_batch, batches[0]) if batches else None
                for i, batch in enumerate(batches):
                    assert ahead is not None
                    encoded = ahead.result()
                    ahead = pool.submit(self._encode_batch, batches[i + 1]) if i + 1 < len(batches) else None
                    self._write_batch(batch, encoded)
                    done += sum(len(a.sentences) for a in batch)
                    if progress:
                        progress(done, total)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if todo:
                self._save_lexical()
            report.sentences = total
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, article_id: str) -> bool:
        """Remove an article completely; returns False when there is no such article."""
        with self._write_lock():
            if not self.articles.get(ids=[article_id], include=[])["ids"]:
                return False
            self._remove([article_id])
            self._save_lexical()
            return True

    def check(self) -> CheckReport:
        """Remove orphans of interrupted writes and bring the lexical indexes in step with Chroma."""
        with self._write_lock():
            stored = self._article_metadata()
            expected_sentences = sum(int(m["n_sentences"]) for m in stored.values())
            orphans: set[str] = set()
            if self.sentences.count() != expected_sentences or self.chunks.count() != sum(
                int(m["n_chunks"]) for m in stored.values()
            ):
                orphans = self._owners(self.sentences) | self._owners(self.chunks)
                orphans -= set(stored)
                for article_id in orphans:
                    self.sentences.delete(where={"article_id": article_id})
                    self.chunks.delete(where={"article_id": article_id})
            added, removed = self._reconcile_lexical(set(stored))
            return CheckReport(len(stored), sorted(orphans), sorted(added), sorted(removed))

    # ---- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        return self.articles.count()

    def list_articles(self) -> list[StoredArticle]:
        """Every article, most recently added first."""
        items = [_stored(i, m) for i, m in self._article_metadata().items()]
        return sorted(items, key=lambda a: (a.added_at, a.title), reverse=True)

    def get_article(self, article_id: str) -> Article | None:
        """The article with its text and sentences (chunks are not needed to show or cite it)."""
        found = self.articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not found["ids"]:
            return None
        meta, text = found["metadatas"][0], found["documents"][0]
        rows = self.sentences.get(where={"article_id": article_id}, include=["metadatas", "documents"])
        sentences = sorted(
            (
                Sentence(article_id, int(m["index"]), int(m["start"]), int(m["end"]), doc)
                for m, doc in zip(rows["metadatas"], rows["documents"], strict=True)
            ),
            key=lambda s: s.index,
        )
        return Article(
            id=article_id,
            title=str(meta["title"]),
            text=text,
            source=str(meta["source"]),
            content_hash=str(meta["content_hash"]),
            url=str(meta.get("url", "")),
            date=str(meta.get("date", "")),
            sentences=tuple(sentences),
        )

    @property
    def generation(self) -> float:
        """Changes whenever the stored articles change, here or (after :meth:`refresh`) elsewhere.

        Every write ends by saving the lexical indexes, so their file time marks the store's state;
        readers use it to know when data they cached from Chroma may be stale.
        """
        return self._lexical_mtime

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
        hashes = [a.content_hash for a in unique]
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
            self._remove(replaced)
            # Persist the removal now: the new versions keep the old ids, so if the process died
            # before the final save, the old lexical rows would still carry those article ids
            # and ``check`` (which compares article ids) could never tell them from the new text.
            self._save_lexical()
        return todo

    def _encode_batch(self, batch: Sequence[Article]) -> _Encoded:
        """Everything a batch needs that does not touch the store: vectors and BM25 tokens."""
        sentences = [s.text for a in batch for s in a.sentences]
        # This runs beside Chroma's writes (see ``add``): leave Chroma a core of its own. On 2 shared
        # cores one BLAS thread encoded 2-3x faster than two, which fight Chroma and each other.
        threads = max(1, int(getattr(self.embeddings, "threads", 2)) - 1)
        return _Encoded(
            encode(self.embeddings, sentences, threads=threads),
            [tokenize(t) for t in sentences],
            [tokenize(c.text) for a in batch for c in a.chunks],
        )

    def _write_batch(self, batch: Sequence[Article], encoded: _Encoded | None = None) -> None:
        """Write one batch: sentences, chunks, then the article records (the commit markers)."""
        encoded = encoded or self._encode_batch(batch)
        sentences = [s for a in batch for s in a.sentences]
        vectors = encoded.vectors
        row = {s.id: i for i, s in enumerate(sentences)}
        chunk_of: dict[str, list[int]] = {}
        for article in batch:
            for chunk in article.chunks:
                for index in chunk.sentence_indices:
                    chunk_of.setdefault(sentence_id(article.id, index), []).append(chunk.index)
        self._upsert(
            self.sentences,
            [s.id for s in sentences],
            vectors,
            [s.text for s in sentences],
            [
                {
                    "article_id": s.article_id,
                    "index": s.index,
                    "start": s.start,
                    "end": s.end,
                    "chunks": chunk_of.get(s.id, [-1]),
                }
                for s in sentences
            ],
        )
        chunks = [c for a in batch for c in a.chunks]
        chunk_vectors = _mean_vectors(
            vectors, [[row[sentence_id(c.article_id, i)] for i in c.sentence_indices] for c in chunks]
        )
        self._upsert(
            self.chunks,
            [c.id for c in chunks],
            chunk_vectors,
            [c.text for c in chunks],
            [
                {
                    "article_id": c.article_id,
                    "index": c.index,
                    "start": c.start,
                    "end": c.end,
                    "sentence_ids": [sentence_id(c.article_id, i) for i in c.sentence_indices],
                }
                for c in chunks
            ],
        )
        now = datetime.now(UTC).isoformat(timespec="seconds")
        article_vectors = _mean_vectors(vectors, [[row[s.id] for s in a.sentences] for a in batch])
        self._upsert(
            self.articles,
            [a.id for a in batch],
            article_vectors,
            [a.text for a in batch],
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
                }
                for a in batch
            ],
        )
        self.sentence_index.add(
            [s.id for s in sentences], encoded.sentence_tokens, [s.article_id for s in sentences]
        )
        self.chunk_index.add([c.id for c in chunks], encoded.chunk_tokens, [c.article_id for c in chunks])

    def _remove(self, article_ids: Sequence[str]) -> None:
        self.articles.delete(ids=list(article_ids))  # the commit marker goes first
        # One delete per collection and slice of ids, not two round trips per article.
        for start in range(0, len(article_ids), REMOVE_BATCH):
            where = {"article_id": {"$in": list(article_ids[start : start + REMOVE_BATCH])}}
            self.sentences.delete(where=where)
            self.chunks.delete(where=where)
        self.sentence_index.remove_groups(article_ids)
        self.chunk_index.remove_groups(article_ids)

    @staticmethod
    def _upsert(collection, ids: list[str], vectors: np.ndarray, docs: list[str], metas: list[dict]) -> None:
        for start in range(0, len(ids), CHROMA_MAX_BATCH):
            end = start + CHROMA_MAX_BATCH
            collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                documents=docs[start:end],
                metadatas=metas[start:end],
            )

    # ---- internals: lexical indexes ------------------------------------------------------------
    def _lexical_paths(self) -> tuple[Path, Path]:
        return self._lexical_dir / "sentences.npz", self._lexical_dir / "chunks.npz"

    def _load_lexical(self) -> None:
        sentence_path, chunk_path = self._lexical_paths()
        try:
            self.sentence_index = LexicalIndex.load(sentence_path)
            self.chunk_index = LexicalIndex.load(chunk_path)
        except Exception:  # unreadable index files are derived data: rebuild them from Chroma
            self.sentence_index, self.chunk_index = LexicalIndex(), LexicalIndex()
        self._lexical_mtime = self._lexical_disk_mtime()

    def _save_lexical(self) -> None:
        sentence_path, chunk_path = self._lexical_paths()
        self.sentence_index.save(sentence_path)
        self.chunk_index.save(chunk_path)
        self._lexical_mtime = self._lexical_disk_mtime()

    def _lexical_disk_mtime(self) -> float:
        return max((p.stat().st_mtime for p in self._lexical_paths() if p.exists()), default=0.0)

    def _lexical_changed_on_disk(self) -> bool:
        return self._lexical_disk_mtime() != self._lexical_mtime

    def _reconcile_lexical(self, article_ids: set[str]) -> tuple[set[str], set[str]]:
        added: set[str] = set()
        removed: set[str] = set()
        for index, collection in ((self.sentence_index, self.sentences), (self.chunk_index, self.chunks)):
            have = index.group_ids()
            missing, extra = article_ids - have, have - article_ids
            if extra:
                index.remove_groups(extra)
            for article_id in missing:
                rows = collection.get(where={"article_id": article_id}, include=["documents"])
                index.add(
                    rows["ids"], [tokenize(d) for d in rows["documents"]], [article_id] * len(rows["ids"])
                )
            added |= missing
            removed |= extra
        if added or removed:
            self._save_lexical()
        return added, removed

    # ---- internals: Chroma ---------------------------------------------------------------------
    def _collection(self, name: str):
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding": self._embedding},
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
        return dict(zip(got["ids"], got["metadatas"], strict=True))

    @staticmethod
    def _owners(collection) -> set[str]:
        return {m["article_id"] for m in collection.get(include=["metadatas"])["metadatas"]}

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


def _mean_vectors(vectors: np.ndarray, members: Sequence[Sequence[int]]) -> np.ndarray:
    """One normalised mean vector per group of rows: how chunks and articles get their vectors."""
    if not members:
        return np.zeros((0, vectors.shape[1]), np.float32)
    return normalize(np.vstack([vectors[list(rows)].mean(axis=0) for rows in members]))


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
