"""Chroma plumbing: the connection, collections checked against the store's schema and model, and
writes cut into requests a Chroma server accepts.

Nothing outside ``qa/store`` talks to Chroma; the store's public methods are the only way in.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.settings import Settings

SCHEMA = 1
"""The layout of the records this version writes (``docs/design.md``). A store of another schema is
refused with the re-ingest instructions: newsqa does not rewrite old stores in place."""

EMBEDDED_DB = "chroma.sqlite3"
"""The file an embedded Chroma keeps its records in, under ``<data_dir>/chroma``."""

CHROMA_MAX_BATCH = 5000
CHROMA_MAX_REQUEST_CHARS = 8_000_000
"""About the most text one write request carries: a Chroma server refuses much larger upserts."""

PASSAGE_HNSW = {"hnsw:M": 12, "hnsw:construction_ef": 64, "hnsw:search_ef": 200}
"""The chunk graph: within noise of Chroma's default recall at a third less build time
(``bench/hnsw_recall.py``; figures in docs/benchmarks.md)."""


class StoreError(RuntimeError):
    """A store that cannot be opened or used as configured; the message says what to do."""


def connect(settings: Settings, data_dir: Path) -> Any:
    """An embedded ``PersistentClient`` under ``data_dir``, or an ``HttpClient`` for ``chroma_url``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not settings.chroma_url:
        path = data_dir / "chroma"
        if is_read_only(settings, data_dir):
            path = _read_only_copy(path)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
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


def is_read_only(settings: Settings, data_dir: Path) -> bool:
    """An embedded store this process may read but not write (a read-only mount, permissions)."""
    path = data_dir / "chroma"
    return not settings.chroma_url and path.exists() and not os.access(path, os.W_OK)


def read_only_error(data_dir: Path) -> StoreError:
    return StoreError(
        f"The store at {data_dir} is read-only: it can be read, not changed. Copy the folder "
        "somewhere writable and point NEWSQA_DATA_DIR there to add or delete articles."
    )


def _read_only_copy(path: Path) -> Path:
    """Chroma's embedded database writes as it opens (chromadb 1.5), so a read-only store is read
    from a copy in a temporary folder, removed when the process ends."""
    target = Path(tempfile.mkdtemp(prefix="newsqa-read-only-")) / "chroma"
    shutil.copytree(path, target)
    atexit.register(shutil.rmtree, target.parent, ignore_errors=True)
    return target


def open_collection(
    client: Any, settings: Settings, where: str, name: str, embedding: str, hnsw: dict[str, int] | None = None
) -> Any:
    """The named collection, created if new; refused unless this schema and ``embedding`` built it."""
    collection = client.get_or_create_collection(
        name,
        embedding_function=None,
        metadata={"hnsw:space": "cosine", "embedding": embedding, "schema": SCHEMA, **(hnsw or {})},
    )
    meta = collection.metadata or {}
    if meta.get("schema") != SCHEMA:
        raise StoreError(
            f"The store at {where} was written by another version of newsqa (store schema "
            f"{meta.get('schema', 'none')}, this version reads {SCHEMA}). Rebuild it: remove that store "
            "(or set another NEWSQA_DATA_DIR / NEWSQA_COLLECTION_PREFIX) and ingest the articles again "
            "with `newsqa ingest PATH...`."
        )
    built_with = meta.get("embedding", embedding)
    if built_with != embedding:
        raise StoreError(
            f"The store at {where} was built with {built_with} embeddings, but {embedding} is configured. "
            "Use the same embeddings, or another NEWSQA_DATA_DIR / collection prefix and ingest the "
            "articles again."
        )
    return ServerCollection(collection, settings.chroma_url) if settings.chroma_url else collection


class ServerCollection:
    """A collection on a Chroma server whose failures raise a ``StoreError`` naming the server.

    A server that went away mid-session otherwise surfaces as a bare ``ConnectError`` from deep
    inside the HTTP client, in the API, the CLI and the web chat alike. Embedded stores are not
    wrapped (no network, and no per-call overhead).
    """

    def __init__(self, collection: Any, url: str) -> None:
        self._collection, self._url = collection, url

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        return server_call(self._url, attr) if callable(attr) else attr


def server_call(url: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` raising a ``StoreError`` that names the server at ``url`` when it fails."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            raise StoreError(
                f"The Chroma server at {url} failed ({type(exc).__name__}: {exc}). "
                "Is it running? Start it again and retry; the store repairs itself on the next open."
            ) from exc

    return call


def forget_embedded(data_dir: Path) -> None:
    """Let the next embedded client of ``data_dir`` start a system of its own.

    Chroma shares one system (and its in-memory vector indexes) among the clients of a path in a
    process; a system started now reads what other processes wrote since. Clients already handed
    out keep their system, so a question in flight on another thread is not cut off.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = str(data_dir / "chroma")
    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def upsert(collection: Any, ids: list[str], vectors: np.ndarray, metas: list[dict] | None = None) -> None:
    """Write records in as many requests as the server's limits need."""
    for start, end in request_slices(ids, metas, vector_chars=12 * vectors.shape[-1]):
        collection.upsert(
            ids=ids[start:end],
            embeddings=vectors[start:end],
            metadatas=metas[start:end] if metas is not None else None,
        )


def get_by_ids(collection: Any, ids: Sequence[str], include: list[str]) -> dict[str, list]:
    """``collection.get(ids=ids)`` in requests of at most ``CHROMA_MAX_BATCH`` ids: one query with
    more ids than SQLite takes variables fails ("too many SQL variables", 200,000 articles)."""
    merged: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    for start in range(0, len(ids), CHROMA_MAX_BATCH):
        got = collection.get(ids=list(ids[start : start + CHROMA_MAX_BATCH]), include=include)
        for key in merged:
            merged[key].extend(got[key])
    return merged


def delete(collection: Any, ids: Sequence[str]) -> None:
    for start in range(0, len(ids), CHROMA_MAX_BATCH):
        collection.delete(ids=list(ids[start : start + CHROMA_MAX_BATCH]))


def request_slices(
    ids: Sequence[str], metas: Sequence[dict] | None, vector_chars: int
) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive records that make one write: at most ``CHROMA_MAX_BATCH`` records
    and about ``CHROMA_MAX_REQUEST_CHARS`` of text.

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
