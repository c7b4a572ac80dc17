"""RSS and Atom feeds (via feedparser): is a response a feed, and which items does it list.

Strict on purpose: a feed that does not parse cleanly is refused as a whole (one line naming the
URL), even when feedparser's lenient parser recovers some items, so a broken feed never
half-updates the store. Parsing reads bytes only: feedparser never fetches anything here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ingest.dates import iso_date
from ingest.errors import IngestError

__all__ = ["Feed", "FeedItem", "looks_like_feed", "parse_feed"]

_FEED_TYPES = ("rss", "atom", "xml", "rdf")
_FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a feed: what the feed says about an article. ``date`` is ISO 8601 (published, else
    updated); ``updated`` too, so a changed item is recognised; ``content`` is the item's own HTML."""

    title: str
    link: str
    guid: str
    date: str
    updated: str
    author: str
    content: str


@dataclass(frozen=True, slots=True)
class Feed:
    url: str
    title: str
    items: tuple[FeedItem, ...]


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Whether a response is XML (a feed, or XML that should be refused as not one) rather than a page."""
    if any(kind in content_type for kind in _FEED_TYPES) and "html" not in content_type:
        return True
    return "html" not in content_type and body.lstrip()[:200].lower().startswith(_FEED_STARTS)


def _text(entry: Any, name: str) -> str:
    # dict.get: FeedParserDict.get maps a missing "updated" to "published" (with a warning)
    return " ".join(str(dict.get(entry, name) or "").split())


def parse_feed(body: bytes, url: str) -> Feed:
    """The feed's title and items; ``IngestError`` for XML that is not a feed or a feed that is broken."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(body))
    problem = parsed.get("bozo_exception")
    if not parsed.version:
        reason = f" ({problem})" if problem and not parsed.entries else ""
        raise IngestError(f"{url}: not an RSS or Atom feed{reason}")
    if parsed.bozo and not isinstance(problem, feedparser.CharacterEncodingOverride):
        raise IngestError(f"{url}: the feed is broken ({problem}); nothing of it was ingested")
    items = []
    for entry in parsed.entries:
        content = entry.get("content") or []
        body_html = str(content[0].get("value", "")) if content else str(entry.get("summary") or "")
        published, updated = iso_date(_text(entry, "published")), iso_date(_text(entry, "updated"))
        items.append(
            FeedItem(
                title=_text(entry, "title"),
                link=_text(entry, "link"),
                guid=_text(entry, "id"),
                date=published or updated,
                updated=updated or published,
                author=_text(entry, "author"),
                content=body_html,
            )
        )
    return Feed(url=url, title=_text(parsed.feed, "title"), items=tuple(items))
