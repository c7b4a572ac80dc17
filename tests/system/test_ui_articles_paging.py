"""The articles tab past a hundred articles, in a real Chromium: one page of 50 rows at a time,
the sort and the search applied before paging, the pager line in the page's language.

Screenshots: ``test-artifacts/ui-articles-<lang>-<theme>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import build_qa, free_port
from playwright import sync_api
from ui_helpers import open_page, served, shoot

from ingest import article_from_text

pytestmark = pytest.mark.browser

N = 120


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[str]:
    qa = build_qa(tmp_path_factory.mktemp("ui-paging"), embeddings, auth="")
    qa.add_articles(
        [
            article_from_text(
                f"Meldung {i:03d}",
                f"In Stadt {i} eröffnet ein Museum für Kunst {i}.",
                date=f"2024-02-{1 + i % 28:02d}",
            )
            for i in range(N)
        ]
    )
    with served(qa, free_port()) as address:
        yield address


def articles_tab(page: sync_api.Page) -> None:
    page.locator("[role=tab]").nth(1).click()
    page.locator("#articles-table").wait_for()


def pager_says(page: sync_api.Page, text: str) -> None:
    sync_api.expect(page.locator("#page-line")).to_have_text(text, timeout=30_000)


FIRST_CELLS = "#articles-table .virtual-row .first-column"
"""The title cells of the rows the table draws (it draws those in view: a virtual list)."""


def shown_titles(page: sync_api.Page) -> list[str]:
    """The titles of the rows in view, once the table shows rows."""
    page.wait_for_function(
        f"() => /Meldung/.test(document.querySelector({FIRST_CELLS!r})?.innerText || '')", timeout=30_000
    )
    return [t.strip() for t in page.locator(FIRST_CELLS).all_inner_texts()]


def assert_rows(page: sync_api.Page, expected: list[str]) -> None:
    """The rows in view are the first of ``expected``, in its order (at least five of them)."""
    shown = shown_titles(page)
    assert len(shown) >= min(5, len(expected)) and shown == expected[: len(shown)], shown


def first_title(page: sync_api.Page, title: str) -> None:
    sync_api.expect(page.locator(FIRST_CELLS).first).to_have_text(title, timeout=30_000)


def choose_sort(page: sync_api.Page, label: str) -> None:
    page.locator("#table-sort input").click()
    page.get_by_role("option").filter(has_text=label).first.click()


def test_english_page_pages_sorts_and_searches(browser, url: str) -> None:
    page = open_page(browser, url, "en-US", "light")
    articles_tab(page)
    pager_says(page, f"Page 1 of 3 · {N} articles")
    assert shown_titles(page)
    sync_api.expect(page.locator("#page-prev")).to_be_disabled()
    choose_sort(page, "Title A–Z")
    first_title(page, "Meldung 000")
    page.locator("#page-next").click()
    pager_says(page, f"Page 2 of 3 · {N} articles")
    page.locator("#page-next").click()
    pager_says(page, f"Page 3 of 3 · {N} articles")
    first_title(page, "Meldung 100")
    assert_rows(page, [f"Meldung {i:03d}" for i in range(100, N)])
    sync_api.expect(page.locator("#page-next")).to_be_disabled()
    # a search starts at its first page; its pages are pages of its hits, still sorted
    page.locator("#table-search input, #table-search textarea").first.fill("Meldung 0")
    pager_says(page, f"Page 1 of 2 · 100 found among {N} articles")
    page.locator("#page-next").click()
    pager_says(page, f"Page 2 of 2 · 100 found among {N} articles")
    first_title(page, "Meldung 050")
    assert_rows(page, [f"Meldung {i:03d}" for i in range(50, 100)])
    shoot(page, "articles", "en", "light")
    # a row of a later page selects its own article
    page.locator("#articles-table").get_by_text("Meldung 052").click()
    page.locator("#selected-title").get_by_text("Meldung 052").wait_for(timeout=30_000)
    page.locator("#table-search input, #table-search textarea").first.fill("nirgendwo")
    pager_says(page, "No article matches “nirgendwo”.")
    page.context.close()


def test_german_page_pager_speaks_german(browser, url: str) -> None:
    page = open_page(browser, url, "de-DE", "dark")
    articles_tab(page)
    pager_says(page, f"Seite 1 von 3 · {N} Artikel")
    choose_sort(page, "Älteste Veröffentlichung zuerst")
    first_of_day = {f"Meldung {i:03d}" for i in range(0, N, 28)}  # 2024-02-01
    page.wait_for_function(
        f"() => {sorted(first_of_day)!r}.includes(document.querySelector({FIRST_CELLS!r})?.innerText.trim())",
        timeout=30_000,
    )
    page.locator("#table-search input, #table-search textarea").first.fill("2024-02-05")
    pager_says(page, f"Seite 1 von 1 · 5 Treffer unter {N} Artikel")
    assert sorted(shown_titles(page)) == [f"Meldung {i:03d}" for i in (4, 32, 60, 88, 116)]
    shoot(page, "articles", "de", "dark")
    page.context.close()
