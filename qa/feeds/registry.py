"""Following feeds: the registry of feeds a store follows, and ingesting URLs and feeds into the store.

The registry is a small JSON file beside the store (``<data_dir>/feeds/<collection prefix>.json``),
replaced atomically on each change, which holds a file lock (``fcntl``) from reading the list to
writing it, so two processes changing it at once lose nothing. For each feed it keeps the
validators of the last response (ETag / Last-Modified), so ``update`` asks with a conditional GET
and an unchanged feed costs one 304. Nothing is fetched unless the user ingests a URL, adds a feed
or runs ``update``.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError, IngestProblem
from ingest.fetch import FetchPolicy
from ingest.web import WebLoad, load_url

if TYPE_CHECKING:
    from qa.settings import Settings
    from qa.store import ArticleStore


@dataclass(slots=True)
class FollowedFeed:
    """A registered feed and what its last poll left: title, validators, when, how many items."""

    url: str
    title: str = ""
    etag: str = ""
    last_modified: str = ""
    added_at: str = ""
    polled_at: str = ""
    items: int = 0


@dataclass(slots=True)
class FeedPoll:
    """What polling one feed did: ``not_modified`` for a 304; ``error`` when it failed (nothing stored)."""

    url: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    not_modified: bool = False
    error: str = ""
    problems: list[IngestProblem] = field(default_factory=list)


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        user_agent=settings.fetch_user_agent,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        concurrency=settings.fetch_concurrency,
        max_redirects=settings.fetch_max_redirects,
        allow_private=settings.fetch_allow_private,
    )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedRegistry:
    """The feeds a store follows, in a JSON file replaced atomically, each change under a file lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, settings: Settings) -> FeedRegistry:
        return cls(Path(settings.data_dir) / "feeds" / f"{settings.collection_prefix}.json")

    def load(self) -> list[FollowedFeed]:
        if not self.path.exists():
            return []
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return [FollowedFeed(**row) for row in rows]
        except (ValueError, TypeError) as exc:
            raise IngestError(
                f"{self.path}: the feed list is damaged ({exc}); fix or remove the file"
            ) from None

    def save(self, feeds: Sequence[FollowedFeed]) -> None:
        """Replace the list atomically, through a temporary file of this writer's own."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump([asdict(f) for f in feeds], out, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @contextmanager
    def _locked(self) -> Iterator[list[FollowedFeed]]:
        """The list, held under an exclusive lock (the page, a CLI, a second process): change it in
        place and it is saved before the lock is released."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            feeds = self.load()
            before = list(feeds)
            yield feeds
            if feeds != before:
                self.save(feeds)

    def get(self, url: str) -> FollowedFeed | None:
        return next((f for f in self.load() if f.url == url), None)

    def put(self, feed: FollowedFeed) -> None:
        """Follow ``feed`` (or record its poll when it is followed already)."""
        with self._locked() as feeds:
            feeds[:] = [*(f for f in feeds if f.url != feed.url), feed]

    def update(self, feed: FollowedFeed) -> bool:
        """Record a poll of ``feed``, unless it was removed meanwhile (then False, nothing written)."""
        with self._locked() as feeds:
            at = next((i for i, f in enumerate(feeds) if f.url == feed.url), None)
            if at is not None:
                feeds[at] = feed
            return at is not None

    def remove(self, url: str) -> bool:
        with self._locked() as feeds:
            kept = [f for f in feeds if f.url != url]
            removed = len(kept) != len(feeds)
            feeds[:] = kept
            return removed


def load_urls(
    store: ArticleStore, settings: Settings, urls: Sequence[str]
) -> tuple[list[WebLoad], list[IngestProblem]]:
    """Fetch pages and feeds; a URL that fails becomes one problem and adds nothing."""
    loads, problems = [], []
    for url in urls:
        try:
            load = load_url(url, fetch_policy(settings), known=lambda ids: _stored_at(store, ids))
        except IngestError as exc:
            problems.append(IngestProblem(url, str(exc)))
            continue
        loads.append(load)
        problems.extend(load.problems)
    return loads, problems


def _stored_at(store: ArticleStore, ids: Sequence[str]) -> dict[str, str]:
    return {i: str(meta.get("added_at", "")) for i, meta in store.article_meta(ids).items()}


def poll(store: ArticleStore, settings: Settings, feed: FollowedFeed, conditional: bool = True) -> FeedPoll:
    """Fetch a feed (conditionally), add its new and changed items, and record the validators
    (only when every item could be read)."""
    result = FeedPoll(feed.url)
    try:
        load = load_url(
            feed.url,
            fetch_policy(settings),
            known=lambda ids: _stored_at(store, ids),
            etag=feed.etag if conditional else "",
            last_modified=feed.last_modified if conditional else "",
        )
        if load.response is not None and not load.response.not_modified and load.feed is None:
            raise IngestError(f"{feed.url}: a web page, not an RSS or Atom feed")
    except IngestError as exc:
        result.error = str(exc)
        return result
    report = store.add(load.articles) if load.articles else None
    result.problems, result.known = load.problems, load.known
    if report is not None:
        result.added, result.replaced = report.added, report.replaced
    response = load.response
    result.not_modified = bool(response and response.not_modified)
    feed.polled_at = now()
    if response is not None and not response.not_modified and not load.problems:
        # After a failed item the old validators stay, so the next poll gets the whole feed again
        # (not a 304) and retries the item.
        feed.etag, feed.last_modified = response.etag, response.last_modified
    if load.feed is not None:
        feed.title, feed.items = load.feed.title or feed.title, len(load.feed.items)
    return result
