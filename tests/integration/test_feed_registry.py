"""Following feeds through ``NewsQA`` against the 127.0.0.1 news server: retries.

A failed item page is retried by the next ``update`` (the feed's validators are kept until every
item was read).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from news_server import BRIDGE, NewsServer

from qa.api import NewsQA

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
