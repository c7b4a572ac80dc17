"""Following feeds through ``NewsQA`` against the 127.0.0.1 news server: retries and the feed list.

A failed item page is retried by the next ``update`` (the feed's validators are kept until every
item was read); concurrent changes to the feed list lose nothing, and ``update`` does not bring
back a feed removed while it polled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from news_server import BRIDGE, NewsServer

from qa.api import NewsQA
from qa.feeds import registry as registry_module
from qa.feeds.registry import FeedRegistry, FollowedFeed

pytestmark = pytest.mark.server

MISSING = replace(BRIDGE, slug="noch-nicht-online", guid="kh-9", title="Noch nicht online")


@pytest.fixture(scope="module")
def news() -> Iterator[NewsServer]:
    with NewsServer(rss_stories=[BRIDGE, MISSING]) as server:
        yield server


def test_a_failed_item_is_retried_by_the_next_update(
    make_qa: Callable[..., NewsQA], news: NewsServer
) -> None:
    qa = make_qa()
    page = f"/articles/{MISSING.slug}.html"
    first = qa.add_feed(news.url("/feed.xml"))
    assert [p.path for p in first.problems] == [news.url(page)] and len(first.added) == 1
    [followed] = qa.feeds()
    assert followed.etag == "" and followed.last_modified == ""  # kept from before: none yet
    before = news.hits[page]
    [again] = qa.update_feeds()
    assert not again.not_modified and news.hits[page] == before + 1  # the item is asked for again


def test_concurrent_changes_lose_no_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds" / "news.json"
    urls = [f"https://feeds.example/{t}/{i}.xml" for t in range(6) for i in range(15)]

    def add(mine: list[str]) -> None:
        for url in mine:
            FeedRegistry(path).put(FollowedFeed(url))

    threads = [threading.Thread(target=add, args=(urls[t::6],)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(f.url for f in FeedRegistry(path).load()) == sorted(urls)
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_update_does_not_bring_back_a_feed_removed_meanwhile(
    make_qa: Callable[..., NewsQA], news: NewsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    qa = make_qa()
    feed = news.url("/atom.xml")
    assert not qa.add_feed(feed).error
    real_poll = registry_module.poll

    def removed_while_polling(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert qa.remove_feed(feed)  # another process (the page, a second CLI) stops following it
        return real_poll(*args, **kwargs)

    monkeypatch.setattr(registry_module, "poll", removed_while_polling)
    [polled] = qa.update_feeds()
    assert not polled.error and qa.feeds() == []
