"""Dated news from a real HTTP server on 127.0.0.1, asked about with selections and time words (API).

One store for the module: the RSS feed's three items (10, 13 and 14 March 2025), the Atom feed's
item (1 March) and a page dated only in its metadata (20 February). The clock is fixed at
14 March 2025.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

import pytest
from helpers import build_qa
from news_server import BRIDGE, FIRE, FIRE_UPDATE, HARBOUR, LIBRARY_DAY, LIBRARY_TEXT, NewsServer

from ingest.types import Article
from qa.scope.selection import Selection

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from qa.api import NewsQA

pytestmark = pytest.mark.server

TODAY = date(2025, 3, 14)


@pytest.fixture(scope="module")
def news() -> Iterator[NewsServer]:
    with NewsServer(rss_stories=[FIRE_UPDATE, BRIDGE, FIRE]) as server:
        yield server


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory, embeddings: Embeddings, news: NewsServer) -> NewsQA:
    qa = build_qa(tmp_path_factory.mktemp("dated"), embeddings)
    qa.clock = lambda: TODAY
    urls = [news.url("/feed.xml"), news.url("/atom.xml"), news.url("/meta-only.html")]
    result = qa.ingest(urls)
    assert not result.problems and len(result.report.added) == 5
    return qa


def by_title(qa: NewsQA) -> dict[str, Article]:
    return {a.title: a for a in (qa.article(s.id) for s in qa.articles()) if a is not None}


def test_fetching_names_newsqa(qa: NewsQA, news: NewsServer) -> None:
    from importlib.metadata import version

    assert news.user_agents == {qa.settings.fetch_user_agent}
    assert qa.settings.fetch_user_agent.startswith(f"newsqa/{version('newsqa')} ")  # the installed one


def test_every_source_of_a_date_is_read(qa: NewsQA, news: NewsServer) -> None:
    articles = by_title(qa)
    harbour = articles[HARBOUR.title]
    assert (harbour.date, harbour.author, harbour.guid) == (
        "2025-03-01T08:00:00+00:00",
        "Jonas Brink",
        HARBOUR.guid,
    )
    assert harbour.feed == news.url("/atom.xml")
    library = next(a for a in articles.values() if LIBRARY_TEXT[0] in a.text)
    assert library.date == LIBRARY_DAY and library.author == "Petra Lang"
    assert library.url == news.url("/bibliothek-sonntags")  # the canonical URL, not the one fetched


def test_answer_cites_the_item_and_abstains_after_its_date(qa: NewsQA) -> None:
    question = "Wie viel soll die neue Brücke über die Wupper kosten?"
    answer = qa.ask(question)
    assert not answer.abstained
    first = answer.citations[0]
    assert first.title == BRIDGE.title and "4,2 Millionen Euro" in first.text and first.day == BRIDGE.iso_day
    later = qa.ask(question, selection=Selection(since=date(2025, 3, 14)))
    assert later.abstained and not later.citations
    assert all(p.day >= "2025-03-14" for p in later.passages)


def test_gestern_resolves_against_the_clock(qa: NewsQA) -> None:
    answer = qa.ask("Was hat der Stadtrat gestern in Kleinhausen beschlossen?")
    assert answer.time_expression == "gestern"
    assert answer.selection is not None
    assert (answer.selection.since, answer.selection.until) == (date(2025, 3, 13), TODAY)
    assert not answer.abstained and answer.citations[0].title == BRIDGE.title
    assert all(p.day in {"2025-03-13", "2025-03-14"} for p in answer.passages)
    last_week = qa.ask("Was hat der Stadtrat letzte Woche in Kleinhausen beschlossen?")  # 3-9 March (+1)
    assert all(p.title != BRIDGE.title for p in last_week.citations + last_week.passages)


def test_one_article_or_one_source(qa: NewsQA, news: NewsServer) -> None:
    fire = next(a for a in by_title(qa).values() if a.guid == FIRE.guid)
    only = qa.ask(
        "Wie viele Einsatzkräfte hatte die Feuerwehr vor Ort?", selection=Selection(article_ids=(fire.id,))
    )
    assert only.citations and {c.article_id for c in only.citations + only.passages} == {fire.id}
    atom = qa.ask(
        "Wie viele Container hat der Hafen umgeschlagen?", selection=Selection(source=news.url("/atom.xml"))
    )
    assert atom.citations and {p.title for p in atom.passages} == {HARBOUR.title}
    elsewhere = qa.ask(
        "Wie viele Container hat der Hafen umgeschlagen?", selection=Selection(source="nowhere.example")
    )
    assert elsewhere.abstained and not elsewhere.passages


def test_the_latest_prefers_the_newer_report(qa: NewsQA) -> None:
    answer = qa.ask("Wie viele Verletzte gibt es aktuell nach dem Brand in der Lagerhalle?")
    assert not answer.abstained
    assert answer.citations[0].title == FIRE_UPDATE.title


def test_an_empty_selection_changes_nothing(qa: NewsQA) -> None:
    question = "Wie viele Menschen wurden bei dem Brand verletzt?"
    plain = qa.ask(question)
    for selection in (Selection(), Selection(until=date(2030, 1, 1))):  # the second admits every article
        same = qa.ask(question, selection=selection)
        assert [(p.sentence_id, p.score) for p in same.passages] == [
            (p.sentence_id, p.score) for p in plain.passages
        ]


def test_a_changed_number_quotes_the_newest_report_first(qa: NewsQA) -> None:
    answer = qa.ask("Wie viele Menschen wurden bei dem Brand in der Lagerhalle in Kleinhausen verletzt?")
    assert [(c.title, c.earlier_report) for c in answer.citations[:2]] == [
        (FIRE_UPDATE.title, False),
        (FIRE.title, True),
    ]
    assert answer.text.index("sieben") < answer.text.index("Früherer Bericht (2025-03-10): ")
