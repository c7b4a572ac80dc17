"""The web chat in a real headless Chromium: streaming, citation clicks, isolation, escaping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import ARTIFACTS, GENERALSTAB
from playwright import sync_api
from ui_helpers import IMAGES_DONE, seeded_chat

pytestmark = pytest.mark.browser


XSS_TITLE = "Stadtwerke Bonn"
XSS_TEXT = (
    "Die Stadtwerke Bonn erhöhen die Fernwärmepreise um zwölf Prozent. "
    "Im Netz kursierte der Code <script>alert(1)</script><img src=x onerror=alert(2)> als Scherz."
)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[str]:
    with seeded_chat(tmp_path_factory.mktemp("ui-browser"), embeddings, [(XSS_TITLE, XSS_TEXT)]) as address:
        yield address


def open_page(browser: sync_api.Browser, url: str) -> tuple[sync_api.Page, list[str], list[str]]:
    """A fresh context (its own Gradio session); records dialogs and requests leaving 127.0.0.1."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}, locale="de-DE").new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: outside.append(r.url) if r.url.startswith("http") and "//127.0.0.1" not in r.url else None,
    )
    page.goto(url)
    page.wait_for_selector("#chatbot textarea, textarea", timeout=30_000)
    return page, dialogs, outside


def ask(page: sync_api.Page, question: str) -> None:
    box = page.locator("#chat-col textarea").first
    box.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const t = document.querySelector('#chat-col textarea'); return t && !t.disabled; }",
        timeout=60_000,
    )
    box.fill(question)
    box.press("Enter")


def test_cited_answer_marker_opens_the_highlighted_article(browser, url: str) -> None:
    page, dialogs, outside = open_page(browser, url)
    page.get_by_text("Was sagte Selenskyj?").first.wait_for(timeout=30_000)  # examples on the empty chat
    ask(page, "Was wies der Generalstab in Kiew zurück?")
    marker = page.locator("#chatbot a.cite").first
    marker.wait_for(timeout=60_000)
    assert marker.inner_text() == "[1]"
    assert GENERALSTAB in page.locator("#chatbot").inner_text()
    # a second answer replaces the article view; the first answer's marker must bring it back
    ask(page, "Was drohte Medwedew den ukrainischen Soldaten an?")
    page.locator("#chatbot a.cite[href^='#cite-1-']").first.wait_for(timeout=60_000)
    cited = page.locator("#article-box mark.cited", has_text="Der Generalstab in Kiew wies allerdings zurück")
    page.locator("#article-box mark.cited", has_text="Vernichtung").wait_for(timeout=30_000)
    assert cited.count() == 0
    marker.click()
    cited.wait_for(timeout=30_000)
    assert page.locator("#article-box mark.retrieved").count() >= 1
    # the list follows the marker
    sync_api.expect(page.locator("#sources-list")).to_contain_text("Generalstab")
    # the smooth scroll brings the cited sentence into the article box's view
    cited.evaluate(
        """(m) => new Promise((done, fail) => {
          const box = document.querySelector("#article-box");
          const seen = () => {
            const b = box.getBoundingClientRect(), r = m.getBoundingClientRect();
            return b.top <= r.top && r.top <= b.bottom;
          };
          const until = Date.now() + 30000;
          const look = () => seen() ? done() : Date.now() > until ? fail("not scrolled into view")
            : requestAnimationFrame(look);
          look();
        })"""
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-citation.png"))
    assert not dialogs and not outside
    page.context.close()


def test_two_sessions_asking_at_once_get_their_own_answers(browser, url: str) -> None:
    a, _, _ = open_page(browser, url)
    b, _, _ = open_page(browser, url)
    ask(a, "Was wies der Generalstab in Kiew zurück?")
    ask(b, "Was drohte Medwedew den ukrainischen Soldaten an?")
    for page in (a, b):
        page.locator("#chatbot a.cite").first.wait_for(timeout=60_000)
    text_a, text_b = a.locator("#chatbot").inner_text(), b.locator("#chatbot").inner_text()
    assert GENERALSTAB in text_a and "Medwedew" not in text_a
    assert "Vernichtung" in text_b and "Generalstab" not in text_b
    assert "Generalstab" in a.locator("#sources-list").inner_text()
    assert "Medwedew" in b.locator("#sources-list").inner_text()
    a.context.close()
    b.context.close()


def test_article_markup_renders_as_text(browser, url: str) -> None:
    page, dialogs, _ = open_page(browser, url)
    ask(page, "Welcher Code kursierte bei den Stadtwerken Bonn im Netz?")
    page.locator("#sources-list label").first.wait_for(timeout=60_000)
    page.get_by_role("tab", name="Artikel").click()
    page.locator("#articles-table").get_by_text(XSS_TITLE).first.click()
    preview = page.locator("#preview .article-text")
    preview.wait_for(timeout=30_000)
    assert "<script>alert(1)</script><img src=x onerror=alert(2)>" in preview.inner_text()
    assert page.locator("#preview img, #preview script, #chatbot img[src='x']").count() == 0
    page.wait_for_function(IMAGES_DONE, timeout=30_000)  # an image's onerror would have run by now
    assert not dialogs
    page.context.close()
