"""The Articles tab's web sources through the page's API: follow a feed, update it, reject a bad URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import build_qa, free_port
from news_server import BRIDGE, FIRE, FIRE_UPDATE, NewsServer
from ui_helpers import served

pytest.importorskip("gradio_client")

from gradio_client import Client

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def news() -> Iterator[NewsServer]:
    with NewsServer(rss_stories=[BRIDGE, FIRE]) as server:
        yield server


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embeddings, news: NewsServer) -> Iterator[Client]:
    qa = build_qa(tmp_path_factory.mktemp("ui-web"), embeddings, auth="")
    with served(qa, free_port()) as url:
        yield Client(url, verbose=False)


def test_follow_update_and_reject(client: Client, news: NewsServer) -> None:
    feed = news.url("/feed.xml")
    status, table, _info, feeds = client.predict(feed, api_name="/follow_feed")
    assert f"{feed}: 2 added" in status and feed in feeds
    assert {row[0] for row in table["data"]} == {BRIDGE.title, FIRE.title}
    news.add_item(FIRE_UPDATE)
    status, table, _info, _feeds = client.predict(api_name="/update_feeds")
    assert f"{feed}: 1 added" in status and len(table["data"]) == 3
    status, table, _info, _feeds = client.predict(news.url("/not-a-feed.xml"), api_name="/add_url")
    assert "Rejected:" in status and "not an RSS or Atom feed" in status and len(table["data"]) == 3
