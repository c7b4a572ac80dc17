"""The articles tab past a few hundred articles: the table holds one page, searched and sorted first
(ui/articles.py over a real store). No wall-clock bound here: on a shared machine timings belong in bench/."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers import build_qa

from ingest import article_from_text
from ui.articles import Articles
from ui.paging import PAGE_SIZE, TableView


def test_the_table_pages_after_search_and_sort(tmp_path: Path, embeddings) -> None:
    qa = build_qa(tmp_path / "store", embeddings)
    qa.add_articles(
        [
            article_from_text(f"Meldung {i:03d}", f"In Stadt {i} eröffnet ein Museum für Kunst {i}.")
            for i in range(320)
        ]
    )
    articles = Articles(qa)
    table, view = articles.table("de", TableView(sort="title_asc"))
    assert len(table) == PAGE_SIZE and (view.pages, view.total) == (7, 320)
    assert list(table.columns[:2]) == ["Titel", "Quelle"]
    table, view = articles.next_page(replace(view, page=2))  # page 3
    assert view.page == 3
    assert list(table["Title"]) == [f"Meldung {i:03d}" for i in range(100, 150)]  # no request: English
    assert list(table["ID"]) == [a.id for a in sorted(qa.articles(), key=lambda a: a.title)][100:150]
    table, view = articles.search("Meldung 2", view)  # back to page 1 of the hits
    assert (view.page, view.matching, view.pages) == (1, 100, 2)
    table, view = articles.next_page(view)
    assert list(table["Title"]) == [f"Meldung {i:03d}" for i in range(250, 300)]
    _, last = articles.next_page(view)
    assert last.page == 2  # no page past the last
    line, back, forward = articles.pager(last)
    assert line == "Page 2 of 2 · 100 found among 320 articles"
    assert back["interactive"] is True and forward["interactive"] is False


def test_the_pager_line_counts_the_listed_articles_when_the_page_loads(make_qa) -> None:
    """On load the view is the page's default (no articles counted yet): the line says what the table
    the same event lists ("Page 1 of 1 · 0 articles" until the view next changed)."""
    from types import SimpleNamespace

    from ui.app import build_app

    qa = make_qa()
    qa.add_articles(
        [article_from_text(f"Meldung {i}", f"In Stadt {i} eröffnet ein Museum.") for i in range(3)]
    )
    demo = build_app(qa)
    localised = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "localised")
    german = SimpleNamespace(session_hash="s1", headers={"cookie": "newsqa-lang=de"})
    _heading, _article, _info, table, view, pager, *_ = localised(None, german)
    assert len(table) == 3 and view.total == 3
    assert pager == "Seite 1 von 1 · 3 Artikel"
