"""Asking within a selection on the page, in a real Chromium: one article, a date range, bad input.

The store holds two articles that both tell what a general staff denied; asked of all articles,
the question below is answered from the Kursk article, so an answer from the other one shows the
restriction at work. Screenshots: ``test-artifacts/ui-selection-<lang>-<theme>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from helpers import GENERALSTAB, SEED, build_qa, free_port
from playwright import sync_api
from ui_helpers import ask, assert_article_beside_chat, open_page, open_scope, send, served, shoot

if TYPE_CHECKING:
    from qa.api import NewsQA

pytestmark = pytest.mark.browser

MANOEUVRE = "Manöver in Österreich"
DENIED = "Der Generalstab wies Berichte zurück, dass die Übung wegen Geldmangels abgesagt worden sei."
MANOEUVRE_TEXT = (
    f"Das Bundesheer probt in Niederösterreich den Ernstfall. {DENIED} "
    "Rund 2000 Soldaten nehmen an dem Manöver teil."
)
QUESTION = "Was wies der Generalstab in Kiew zurück?"
DOOMED = "Wetter in Bonn"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[tuple[str, NewsQA]]:
    qa = build_qa(tmp_path_factory.mktemp("ui-selection"), embeddings, auth="")
    qa.ingest([SEED])  # no publication date
    qa.add_text(MANOEUVRE, MANOEUVRE_TEXT, date="2025-03-10")
    everything = qa.ask(QUESTION)  # what the page would answer without a selection
    assert GENERALSTAB in {c.text for c in everything.citations}
    assert MANOEUVRE not in {c.title for c in everything.citations}
    with served(qa, free_port()) as url:
        yield url, qa


def pick(page: sync_api.Page, control: str, text: str) -> None:
    """Choose the option of a selection picker whose label holds ``text``."""
    box = page.locator(f"#{control} input")
    box.click()
    box.fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    page.wait_for_function(
        f"() => document.querySelector('#{control} input').value.includes({text!r})", timeout=30_000
    )


def type_day(page: sync_api.Page, control: str, day: str) -> None:
    box = page.locator(f"#{control} textarea, #{control} input").first
    box.fill(day)
    box.press("Tab")  # the status line follows when the box is left


def last_answer(page: sync_api.Page) -> sync_api.Locator:
    return page.locator("#chatbot .message-row.bot-row, #chatbot .bot").last


def wait_for_status(page: sync_api.Page, text: str) -> None:
    page.locator("#scope-status").get_by_text(text).wait_for(timeout=30_000)


def test_german_page_asks_one_article_then_all_again(browser, store) -> None:
    url, _qa = store
    page = open_page(browser, url, "de-DE", "light")
    open_scope(page)
    pick(page, "scope-article", MANOEUVRE)
    wait_for_status(page, "Die nächsten Fragen gehen nur an diese Auswahl")
    ask(page, QUESTION)
    chat = page.locator("#chatbot").inner_text()
    assert DENIED in chat and GENERALSTAB not in chat, chat
    sources = page.locator("#sources-list label").all_inner_texts()
    assert sources and all(MANOEUVRE in s for s in sources), sources
    assert page.locator("#article-box .article-title").inner_text() == MANOEUVRE
    asked = page.locator("#chatbot .asked-of").last.inner_text()
    assert asked == f"Gefragt wurde nur der Artikel „{MANOEUVRE}“.", asked
    assert_article_beside_chat(page)
    shoot(page, "selection", "de", "light")
    # a malformed day: said under the controls, and in the chat when asked anyway; nothing asked
    type_day(page, "scope-since", "2025-13-01")
    wait_for_status(page, "„2025-13-01“ ist kein Datum wie 2025-03-14.")
    assert page.locator("#scope-status .scope-error").count() == 1
    answers = page.locator("#sources-list label").all_inner_texts()
    send(page, QUESTION)
    page.locator("#chatbot").get_by_text("„2025-13-01“ ist kein Datum wie 2025-03-14.").wait_for(
        timeout=60_000
    )
    assert page.locator("#sources-list label").all_inner_texts() == answers  # the last answer's still
    # back to all articles: the answer comes from the Kursk article, and no line says "only"
    page.get_by_role("button", name="Alle Artikel fragen").click()
    wait_for_status(page, "Die nächsten Fragen gehen an alle Artikel.")
    assert page.locator("#scope-since textarea, #scope-since input").first.input_value() == ""
    asked_before = page.locator("#chatbot .asked-of").count()
    ask(page, QUESTION)
    page.locator("#chatbot").get_by_text(GENERALSTAB).first.wait_for(timeout=30_000)
    assert page.locator("#chatbot .asked-of").count() == asked_before  # all articles: nothing to say
    page.context.close()


def test_english_page_asks_a_date_range_and_refuses_bad_ranges(browser, store) -> None:
    url, qa = store
    page = open_page(browser, url, "en-US", "dark")
    open_scope(page)
    type_day(page, "scope-since", "2025-03-14")
    type_day(page, "scope-until", "2025-03-01")
    wait_for_status(page, "The start 2025-03-14 is after the end 2025-03-01.")
    type_day(page, "scope-since", "2025-03-01")
    type_day(page, "scope-until", "")
    wait_for_status(page, "The next questions ask this selection only")
    ask(page, QUESTION)
    chat = page.locator("#chatbot").inner_text()
    assert DENIED in chat and GENERALSTAB not in chat, chat  # the Kursk article has no date
    asked = page.locator("#chatbot .asked-of").last.inner_text()
    assert asked == "Asked of articles published 2025-03-01 or later.", asked
    assert_article_beside_chat(page)
    shoot(page, "selection", "en", "dark")
    # an article chosen, then deleted meanwhile (from another tab): asking says so, no crash
    qa.add_text(DOOMED, "In Bonn regnet es den ganzen Tag lang.")
    page.get_by_role("button", name="Ask all articles").click()
    page.locator("[role=tab]").nth(1).click()  # coming back to the chat reads the articles again
    page.locator("[role=tab]").first.click()
    open_scope(page)
    pick(page, "scope-article", DOOMED)
    doomed = next(a.id for a in qa.articles() if a.title == DOOMED)
    assert qa.delete(doomed)
    send(page, "Wie ist das Wetter in Bonn?")
    gone = "The chosen article is no longer stored"
    page.locator("#chatbot").get_by_text(gone).wait_for(timeout=60_000)
    page.locator("[role=tab]").nth(1).click()
    page.locator("[role=tab]").first.click()
    open_scope(page)
    page.locator("#scope-article input").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#scope-article input').value === '(deleted article)'", timeout=30_000
    )
    page.context.close()
