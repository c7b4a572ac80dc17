"""``ingest.web.load_url`` against the 127.0.0.1 news server, without a store: identity and re-fetching."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from news_server import BRIDGE, FIRE, NewsServer

from ingest.articles import article_id
from ingest.fetch import FetchPolicy
from ingest.web import item_id, load_url

pytestmark = pytest.mark.server

NO_GUID = replace(FIRE, guid="")
POLICY = FetchPolicy(user_agent="newsqa-test", timeout=5)


@pytest.fixture(scope="module")
def news() -> Iterator[NewsServer]:
    with NewsServer(rss_stories=[BRIDGE, NO_GUID]) as server:
        yield server


def test_ids_by_guid_else_url(news: NewsServer) -> None:
    load = load_url(news.url("/feed.xml"), POLICY)
    by_title = {a.title: a for a in load.articles}
    assert by_title[BRIDGE.title].id == article_id(BRIDGE.guid)
    no_guid = by_title[FIRE.title]
    assert no_guid.id == article_id(news.url(f"/articles/{FIRE.slug}.html")) and no_guid.guid == ""
    assert [a.date[:10] for a in load.articles] == [BRIDGE.iso_day, FIRE.iso_day]


def test_known_items_are_fetched_again_only_when_updated(news: NewsServer) -> None:
    feed = load_url(news.url("/feed.xml"), POLICY).feed
    assert feed is not None
    ids = {item_id(i) for i in feed.items}
    page = f"/articles/{BRIDGE.slug}.html"
    before = news.hits[page]
    known = load_url(
        news.url("/feed.xml"), POLICY, known=lambda wanted: dict.fromkeys(wanted, "2026-01-01T00:00:00+00:00")
    )
    assert known.articles == [] and set(known.known) == ids and news.hits[page] == before
    stale = load_url(
        news.url("/feed.xml"), POLICY, known=lambda wanted: dict.fromkeys(wanted, "2025-03-01T00:00:00+00:00")
    )
    assert len(stale.articles) == 2 and news.hits[page] == before + 1  # the feed's dates are later
