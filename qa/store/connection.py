"""The store's Chroma connection, reopened when another process wrote, and a server's write stamp.

Two ways another process's writes stay invisible, each handled here:

- An embedded Chroma (``PersistentClient``) keeps each collection's vector index in memory. A
  write by another process reaches the SQLite file but not this process's copy, so a query misses
  new chunks and reading a new chunk's vectors fails ("Error finding id"). The store therefore
  reopens the client, with a system of its own, when it sees that another process wrote
  (:meth:`Connection.reopen`).
- Clients of one Chroma server with different data directories keep BM25 indexes of their own, so
  no file tells them that another client wrote. Every write therefore changes a token in the
  metadata of a small collection on the server (:class:`ServerStamp`); a client whose last seen
  token differs brings its BM25 indexes in step with what the server holds.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from qa.settings import Settings
from qa.store import chroma

STAMP_KEY = "written"


class Connection:
    """A Chroma client and the store's two collections."""

    def __init__(self, settings: Settings, data_dir: Path, embedding: str) -> None:
        self.settings, self.data_dir, self.embedding = settings, data_dir, embedding
        self.client: Any = None
        self.articles: Any = None
        self.chunks: Any = None
        self.reopen()

    def reopen(self) -> None:
        """Connect (again). An embedded client gets a system of its own, which reads the files as
        they are now; collections handed out before keep working on the old one until dropped."""
        settings = self.settings
        if self.client is not None and not settings.chroma_url:
            chroma.forget_embedded(self.data_dir)
        client = chroma.connect(settings, self.data_dir)
        where = settings.chroma_url or str(self.data_dir)
        prefix = settings.collection_prefix
        articles = chroma.open_collection(client, settings, where, f"{prefix}_articles", self.embedding)
        chunks = chroma.open_collection(
            client, settings, where, f"{prefix}_chunks", self.embedding, chroma.PASSAGE_HNSW
        )
        self.client, self.articles, self.chunks = client, articles, chunks

    def check_present(self) -> None:
        """A ``StoreError`` if an embedded store's files were removed while this process runs:
        reading on would answer "not in the sources" from nothing, and writing would fail deep in
        Chroma."""
        if not self.settings.chroma_url and not (self.data_dir / "chroma" / chroma.EMBEDDED_DB).exists():
            raise chroma.StoreError(
                f"The store at {self.data_dir} was deleted while newsqa was running. Restart newsqa "
                "(it starts an empty store there) and ingest the articles again, or restore the folder."
            )


class ServerStamp:
    """A token on a Chroma server that each write changes (the metadata of ``<prefix>_stamp``).

    ``seen`` is the token this client's BM25 indexes match; ``None`` means "catch up on the next
    read". Writers in other data directories hold no common lock, so a writer that finds the token
    changed by someone else while it wrote leaves ``seen`` unset rather than claim their writes.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._name = f"{connection.settings.collection_prefix}_stamp"
        self.seen: str | None = None

    def current(self) -> str:
        client = self._connection.client
        collection = chroma.server_call(
            self._connection.settings.chroma_url, client.get_or_create_collection
        )(self._name, embedding_function=None)
        return str((collection.metadata or {}).get(STAMP_KEY, ""))

    def changed(self) -> bool:
        return self.current() != self.seen

    def bump(self) -> None:
        """Announce a write; call it after the write is in Chroma."""
        before = self.current()
        token = uuid.uuid4().hex
        url, client = self._connection.settings.chroma_url, self._connection.client
        collection = chroma.server_call(url, client.get_or_create_collection)(
            self._name, embedding_function=None
        )
        chroma.server_call(url, collection.modify)(metadata={STAMP_KEY: token})
        self.seen = token if before == self.seen else None
