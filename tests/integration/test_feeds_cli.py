"""Following a feed with the real ``newsqa`` command against a real HTTP server on 127.0.0.1.

The story of one user: ingest an RSS feed (every item with its title, URL and date), ingest it again
(nothing added, no item page fetched again), follow it, a new item appears and ``newsqa update``
adds it, an unchanged feed answers 304; a question cites its item with the date and abstains with
``--since`` after that date; bad URLs give one line each and store nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from news_server import BRIDGE, FIRE, FIRE_UPDATE, NewsServer

pytestmark = pytest.mark.server

NEWSQA = [sys.executable, "-m", "qa.cli"]


def run(*args: str, data_dir: Path, fetch_timeout: float = 10) -> subprocess.CompletedProcess[str]:
    """``newsqa ARGS``; the generous fetch timeout holds on a loaded machine (only ``/slow`` is meant
    to exceed one, and that test passes its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env.update(
        NEWSQA_DATA_DIR=str(data_dir),
        NEWSQA_FETCH_TIMEOUT=f"{fetch_timeout:g}",
        NEWSQA_FETCH_ALLOW_PRIVATE="1",
    )
    return subprocess.run([*NEWSQA, *args], capture_output=True, text=True, env=env, timeout=180, check=False)


@pytest.fixture(scope="module")
def news() -> Iterator[NewsServer]:
    with NewsServer(rss_stories=[BRIDGE, FIRE]) as server:
        yield server


def listed(data_dir: Path) -> dict[str, dict]:
    done = run("list", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return {a["guid"]: a for a in json.loads(done.stdout)}


def test_follow_a_feed(news: NewsServer, tmp_path: Path) -> None:
    feed = news.url("/feed.xml")
    first = run("ingest", feed, "--json", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["added"]) == 2
    page_hits = news.hits[f"/articles/{BRIDGE.slug}.html"]

    again = run("ingest", feed, "--json", data_dir=tmp_path)
    report = json.loads(again.stdout)
    assert report["added"] == [] and len(report["unchanged"]) == 2
    assert news.hits[f"/articles/{BRIDGE.slug}.html"] == page_hits  # known items are not fetched again

    follow = run("feeds", "add", feed, data_dir=tmp_path)
    assert follow.returncode == 0, follow.stderr
    assert "0 added" in follow.stdout and "2 already stored" in follow.stdout
    assert feed in run("feeds", "list", data_dir=tmp_path).stdout

    news.add_item(FIRE_UPDATE)
    update = run("update", data_dir=tmp_path)
    assert update.returncode == 0, update.stderr
    assert f"{feed}: 1 added" in update.stdout
    unchanged = run("update", data_dir=tmp_path)
    assert "not modified" in unchanged.stdout and news.conditional_hits["/feed.xml"] == 1

    articles = listed(tmp_path)
    assert set(articles) == {BRIDGE.guid, FIRE.guid, FIRE_UPDATE.guid}
    for story in (BRIDGE, FIRE, FIRE_UPDATE):
        article = articles[story.guid]
        assert article["title"] == story.title
        assert article["url"] == news.url(f"/articles/{story.slug}.html")
        assert article["date"].startswith(story.iso_day) and article["feed"] == feed

    question = "Wie viel soll die neue Brücke über die Wupper kosten?"
    cited = run("ask", question, data_dir=tmp_path)
    assert (
        f"[1] {BRIDGE.title} ({news.url('/articles/bruecke.html')}, {BRIDGE.iso_day}, sentence"
        in cited.stdout
    )
    after = run("ask", question, "--since", FIRE_UPDATE.iso_day, data_dir=tmp_path)
    assert after.returncode == 0, after.stderr
    assert "Dazu steht nichts in den Quellen." in after.stdout and "[1]" not in after.stdout
    assert f"Gefragt wurden nur Artikel ab dem {FIRE_UPDATE.iso_day}." in after.stdout

    removed = run("feeds", "remove", feed, data_dir=tmp_path)
    assert removed.returncode == 0 and "1 feed removed" in removed.stdout
    assert "Feeds followed: 0" in run("feeds", "list", data_dir=tmp_path).stdout


BAD = {
    "/loop": "redirects",
    "/huge": "larger than the limit",
    "/not-a-feed.xml": "not an RSS or Atom feed",
    "/broken.xml": "the feed is broken",
    "/missing.html": "HTTP 404",
}


def test_bad_urls_one_line_each_and_nothing_stored(news: NewsServer, tmp_path: Path) -> None:
    done = run("ingest", *(news.url(path) for path in BAD), data_dir=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == len(BAD), done.stderr
    for line, (path, reason) in zip(lines, BAD.items(), strict=True):
        assert line.startswith(f"skipped {news.url(path)}: ") and reason in line, line
    assert "0 added" in done.stdout and "The store holds 0 articles" in done.stdout
    slow = run("ingest", news.url("/slow"), data_dir=tmp_path, fetch_timeout=1)  # the server takes 3 s
    assert slow.returncode == 2
    assert slow.stderr.strip() == f"skipped {news.url('/slow')}: no complete response within 1 s"
    not_followed = run("feeds", "add", news.url("/not-a-feed.xml"), data_dir=tmp_path)
    assert not_followed.returncode == 2 and "not an RSS or Atom feed" in not_followed.stderr
    assert "Feeds followed: 0" in run("feeds", "list", data_dir=tmp_path).stdout
