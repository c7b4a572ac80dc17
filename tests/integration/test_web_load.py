"""``ingest.web.load_url`` against the 127.0.0.1 news server, without a store: identity and re-fetching."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace

import pytest
from news_server import BRIDGE, FIRE, NewsServer

from ingest import address_guard
from ingest.articles import article_id
from ingest.feeds import FeedItem
from ingest.fetch import FetchError, FetchPolicy, fetch
from ingest.web import item_id, load_url

pytestmark = pytest.mark.server

NO_GUID = replace(FIRE, guid="")
POLICY = FetchPolicy(user_agent="newsqa-test", timeout=5, allow_private=True)  # served on 127.0.0.1


@pytest.fixture(scope="module")
def news() -> Iterator[NewsServer]:
    with NewsServer(rss_stories=[BRIDGE, NO_GUID]) as server:
        yield server


def test_ids_by_guid_else_url(news: NewsServer) -> None:
    load = load_url(news.url("/feed.xml"), POLICY)
    by_title = {a.title: a for a in load.articles}
    assert by_title[BRIDGE.title].id == article_id(f"{news.url('/feed.xml')} {BRIDGE.guid}")
    no_guid = by_title[FIRE.title]
    assert no_guid.id == article_id(news.url(f"/articles/{FIRE.slug}.html")) and no_guid.guid == ""
    assert [a.date[:10] for a in load.articles] == [BRIDGE.iso_day, FIRE.iso_day]


def test_known_items_are_fetched_again_only_when_updated(news: NewsServer) -> None:
    feed = load_url(news.url("/feed.xml"), POLICY).feed
    assert feed is not None
    ids = {item_id(i, news.url("/feed.xml")) for i in feed.items}
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


def test_a_guid_that_is_no_url_is_unique_only_within_its_feed() -> None:
    """Two feeds both numbering their items "kh-1" publish two articles; a URL GUID is one."""
    with (
        NewsServer(rss_stories=[BRIDGE]) as one,
        NewsServer(rss_stories=[replace(FIRE, guid=BRIDGE.guid)]) as two,
    ):
        [first] = load_url(one.url("/feed.xml"), POLICY).articles
        [second] = load_url(two.url("/feed.xml"), POLICY).articles
    assert first.id != second.id and first.guid == second.guid == BRIDGE.guid
    url_guid = FeedItem("T", "https://news.example/a", "https://news.example/1", "", "", "", "")
    assert item_id(url_guid, "https://a.example/feed") == item_id(url_guid, "https://b.example/feed")


def test_an_item_link_that_is_no_web_address_is_not_stored_as_its_url(news: NewsServer) -> None:
    [article] = load_url(news.url("/js-link.xml"), POLICY).articles  # from the feed's own text
    assert article.url == "" and article.title == FIRE.title and FIRE.paragraphs[0] in article.text


def test_a_canonical_url_counts_only_on_the_same_host(news: NewsServer) -> None:
    [own] = load_url(news.url("/meta-only.html"), POLICY).articles
    assert own.url == news.url("/bibliothek-sonntags") and own.id == article_id(own.url)
    url = news.url("/foreign-canonical.html")
    [foreign] = load_url(url, POLICY).articles
    assert foreign.url == url and foreign.id == article_id(url)  # not the other site's article


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_default_refuses_loopback(news: NewsServer, host: str) -> None:
    url = news.url("/feed.xml").replace("127.0.0.1", host)
    before = news.hits["/feed.xml"]
    with pytest.raises(FetchError) as refused:
        fetch(url, FetchPolicy(user_agent="newsqa-test", timeout=5))
    message = str(refused.value)
    assert message.startswith(f"{url}: refused, {host} resolves to ") and "loopback address" in message
    assert "NEWSQA_FETCH_ALLOW_PRIVATE=1" in message and "\n" not in message
    assert news.hits["/feed.xml"] == before  # refused before connecting


def test_every_redirect_is_checked(news: NewsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first hop (127.0.0.1, allowed here) passes; the redirect to 127.0.0.2 counts as private."""
    target = f"http://127.0.0.2:{news.port}/feed.xml"
    monkeypatch.setattr(address_guard, "non_public_kind", lambda a: "private" if a == "127.0.0.2" else "")
    url = news.url(f"/redirect?to={target}")
    with pytest.raises(FetchError, match=f"^{re.escape(url)}: redirected to {re.escape(target)}: refused, "):
        fetch(url, FetchPolicy(user_agent="newsqa-test", timeout=5))


def test_a_redirect_to_another_scheme_is_refused(news: NewsServer) -> None:
    url = news.url("/redirect?to=file:///etc/passwd")
    with pytest.raises(
        FetchError, match=re.escape("redirected to file:///etc/passwd, which is not an http(s) URL")
    ):
        fetch(url, POLICY)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "link-local"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("fe80::1%eth0", "link-local"),
        ("93.184.216.34", ""),
        ("2a00:1450:4001:82a::200e", ""),
    ],
)
def test_what_counts_as_non_public(address: str, kind: str) -> None:
    assert address_guard.non_public_kind(address) == kind


def test_a_trickling_server_is_cut_off_at_the_deadline(news: NewsServer) -> None:
    started = time.monotonic()
    with pytest.raises(
        FetchError, match=re.escape(f"{news.url('/trickle')}: no complete response within 1 s")
    ):
        fetch(news.url("/trickle"), replace(POLICY, timeout=1))
    assert time.monotonic() - started < 3  # the server would trickle for 10 s


def test_a_gzip_bomb_is_cut_off_before_it_is_expanded(news: NewsServer) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=re.escape("larger than the limit of 1.0 MB")):
            fetch(news.url("/gzip-bomb.html"), replace(POLICY, max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, f"{peak / 1e6:.0f} MB allocated: the body was inflated before the cap"


def test_a_gzipped_page_is_read(news: NewsServer) -> None:
    body = fetch(news.url("/gzip-bomb.html"), replace(POLICY, max_bytes=60_000_000)).body
    assert len(body) == 50_000_007 and body.startswith(b"<p>   ")
