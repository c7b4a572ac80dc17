"""Articles from the web: a page URL becomes one article, a feed URL one article per item.

A page's main text, title, author, date and canonical URL come from trafilatura (as for an
``.html`` file); a canonical URL counts only on the host that served the page. A feed's items
are fetched as pages (at most ``FetchPolicy.concurrency`` at once) and keep the feed's title,
link, GUID and date, which win over the page's own.

Identity, so a re-run adds only new or changed items: a feed item's article id comes from its
GUID (with the feed's URL, unless the GUID is a URL: ``item_key``), else from its page's canonical
URL (else its link); a page's from its canonical URL, so a page ingested alone and as a GUID-less
feed item is one article. Items already stored are not fetched again unless the feed says they
were updated after they were stored (``known``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ingest.articles import article_from_raw, article_id, build_article
from ingest.dates import moment_of
from ingest.errors import IngestError, IngestProblem
from ingest.feeds import Feed, FeedItem, looks_like_feed, parse_feed
from ingest.fetch import Fetched, FetchPolicy, fetch, in_parallel, is_url
from ingest.readers import RawDocument, decode_bytes, derive_title, read_html
from ingest.types import Article

__all__ = ["WebLoad", "item_id", "item_key", "load_url", "page_document"]

Known = Callable[[Sequence[str]], Mapping[str, str]]
"""Given article ids, the stored ones with the time each was stored (``added_at``)."""


@dataclass(slots=True)
class WebLoad:
    """What one URL gave: articles to add, items skipped as known, problems, and the response."""

    url: str
    articles: list[Article] = field(default_factory=list)
    problems: list[IngestProblem] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # ids of stored items not fetched again
    feed: Feed | None = None
    response: Fetched | None = None


def page_document(response: Fetched) -> RawDocument:
    """The page as a raw document: main text and metadata, its canonical URL (else the final URL)."""
    text = decode_bytes(response.body, response.url)
    stem = urlsplit(response.url).path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if response.content_type == "text/plain":
        return RawDocument(derive_title(text, stem), text, response.url, response.url, key=response.url)
    doc = read_html(text, response.url, response.url, stem)
    canonical = doc.url if _same_host(doc.url, response.url) else response.url
    return RawDocument(
        doc.title, doc.text, response.url, canonical, doc.date, canonical, doc.title_derived, doc.author
    )


def _same_host(canonical: str, final: str) -> bool:
    """Whether a page's canonical URL may stand for it: http(s) and on the host that served it.

    A canonical URL on another host would let a page on evil.example replace another site's article.
    """
    host = urlsplit(canonical).hostname
    return is_url(canonical) and host is not None and host == urlsplit(final).hostname


def item_key(item: FeedItem, feed_url: str) -> str:
    """What a feed item's article id is made from: its GUID, else its link.

    A GUID that is a URL names the item everywhere; any other GUID ("kh-1") is unique only within
    its feed, so it is keyed by the feed's URL too: another feed's "kh-1" is another article.
    """
    if not item.guid:
        return item.link
    return item.guid if is_url(item.guid) else f"{feed_url} {item.guid}"


def item_id(item: FeedItem, feed_url: str) -> str:
    """The article id a feed item is looked up by before fetching (``item_key``).

    An item without a GUID is stored under its page's canonical URL; where that differs from the
    link, the item is fetched again on each poll and then found unchanged by the store.
    """
    return article_id(item_key(item, feed_url))


def load_url(
    url: str, policy: FetchPolicy, known: Known | None = None, etag: str = "", last_modified: str = ""
) -> WebLoad:
    """Fetch ``url`` and turn it into articles; a bad page or feed raises ``IngestError`` (one line)."""
    response = fetch(url, policy, etag, last_modified)
    load = WebLoad(url, response=response)
    if response.not_modified:
        return load
    if not response.body.strip():
        raise IngestError(f"{url}: the response is empty")
    if not looks_like_feed(response.content_type, response.body):
        doc = page_document(response)
        load.articles.append(article_from_raw(doc))
        return load
    load.feed = parse_feed(response.body, url)
    stored = dict(known([item_id(i, url) for i in load.feed.items])) if known else {}
    todo = [i for i in load.feed.items if _needs_fetch(i, url, stored)]
    load.known = [item_id(i, url) for i in load.feed.items if i not in todo]
    for item, result in zip(
        todo, in_parallel(lambda i: _item_article(i, url, policy), todo, policy), strict=True
    ):
        if isinstance(result, Article):
            load.articles.append(result)
        else:
            load.problems.append(IngestProblem(item.link or item.guid or url, result))
    return load


def _needs_fetch(item: FeedItem, feed_url: str, stored: Mapping[str, str]) -> bool:
    """New items, and stored ones the feed says changed after they were stored."""
    added = stored.get(item_id(item, feed_url))
    if added is None:
        return True
    updated, stored_at = moment_of(item.updated), moment_of(added)
    return updated is not None and stored_at is not None and updated > stored_at


def _item_article(item: FeedItem, feed_url: str, policy: FetchPolicy) -> Article | str:
    """The item's article (its page's text, the feed's metadata), or why it cannot be had."""
    page: RawDocument | None = None
    failure = ""
    if item.link:
        try:
            page = page_document(fetch(item.link, policy))
        except IngestError as exc:
            failure = str(exc)
    if page is None and item.content.strip():  # the page failed or there is none: the feed's own text
        with contextlib.suppress(IngestError):
            page = read_html(item.content, item.link or feed_url, item.guid or item.link, "")
    if page is None:
        return failure or f"{item.link or item.guid or feed_url}: the feed item has no link and no text"
    try:
        url = page.url if is_url(page.url) else item.link if is_url(item.link) else ""  # no javascript:
        return build_article(
            item.title or page.title,
            page.text,
            item.link or page.source,
            url=url,
            date=item.date or page.date,
            title_in_hash=bool(item.title) or not page.title_derived,
            author=item.author or page.author,
            guid=item.guid,
            feed=feed_url,
            identity=item_key(item, feed_url) if item.guid else url,
        )
    except IngestError as exc:
        return str(exc)
