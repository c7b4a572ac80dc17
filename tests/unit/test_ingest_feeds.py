"""Feed parsing without a network: RSS and Atom items with title, link, GUID and ISO date; bad XML refused."""

from __future__ import annotations

import threading
import time

import pytest
from news_server import BRIDGE, FIRE, HARBOUR, NewsServer

from ingest.errors import IngestError
from ingest.feeds import looks_like_feed, parse_feed
from ingest.fetch import FetchPolicy, in_parallel, is_url

NEWS = NewsServer()


def test_rss_items() -> None:
    feed = parse_feed(NEWS.rss().encode(), "http://127.0.0.1/feed.xml")
    assert feed.title == "Kleinhausener Anzeiger"
    assert [(i.title, i.guid, i.date) for i in feed.items] == [
        (BRIDGE.title, BRIDGE.guid, "2025-03-13T10:00:00+01:00"),
        (FIRE.title, FIRE.guid, "2025-03-10T08:00:00+01:00"),
    ]
    assert feed.items[0].link.endswith("/articles/bruecke.html")


def test_atom_items() -> None:
    (item,) = parse_feed(NEWS.atom().encode(), "http://127.0.0.1/atom.xml").items
    assert (item.title, item.guid, item.date, item.author) == (
        HARBOUR.title, HARBOUR.guid, "2025-03-01T08:00:00+00:00", "Jonas Brink",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'<?xml version="1.0"?><config><a>1</a></config>', "not an RSS or Atom feed"),
        (NEWS.rss().encode()[:300], "the feed is broken"),
    ],
)
def test_bad_feeds_are_refused_whole(body: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message) as caught:
        parse_feed(body, "http://127.0.0.1/x.xml")
    assert str(caught.value).startswith("http://127.0.0.1/x.xml: ") and "\n" not in str(caught.value)


def test_what_counts_as_a_feed_or_a_url() -> None:
    assert looks_like_feed("application/rss+xml", b"<rss/>")
    assert looks_like_feed("text/plain", b'<?xml version="1.0"?><feed/>')
    assert not looks_like_feed("text/html", b"<!DOCTYPE html><html></html>")
    assert is_url("https://example.org/a") and is_url("HTTP://x") and not is_url("seeds/a.txt")


def test_at_most_concurrency_fetches_at_once() -> None:
    running, most, lock = [0], [0], threading.Lock()

    def work(item: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return item * 2

    assert in_parallel(work, range(12), FetchPolicy(concurrency=3)) == [i * 2 for i in range(12)]
    assert 1 < most[0] <= 3  # in parallel, never more than the policy allows
