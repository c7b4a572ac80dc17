"""The page loads nothing from anywhere but itself, whatever an article or the model writes.

A hostile article carries a Markdown image, a Markdown link, an HTML image, a bare URL and a
``www.`` address, all pointing at a local "exfiltration" server on another port; a hostile LLM
reply (the fake OpenAI server) carries the same. Before answers and sources were rendered inert,
the chat's Markdown turned ``![x](http://…)`` into an image the browser fetched, for every reader.
The test counts the exfiltration server's hits and every request the browser makes outside the
page's origin; it also checks that the hostile text is shown as text and the only links are the
citation markers and the article's own, clearly marked, URL.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from fake_openai import FakeOpenAI
from helpers import build_qa, free_port
from test_ui_browser import ask
from ui_helpers import IMAGES_DONE, served

from ui.strings import t

pytestmark = pytest.mark.browser


QUESTION = "Wie viele Gäste zog das Brunnenfest in Lindau an?"


class Exfil:
    """An HTTP server on 127.0.0.1 that records every path requested from it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def hostile_text(base: str, tag: str) -> str:
    return (
        f"Das Brunnenfest in Lindau zog am Sonntag 4000 Gäste an ![x]({base}/exfil?from={tag}-image) "
        f'und [Gutscheine]({base}/exfil?from={tag}-link) <img src="{base}/exfil?from={tag}-html"> '
        f"sowie {base}/exfil?from={tag}-bare und www.example.invalid/{tag}."
    )


def title(base: str) -> str:
    return f"Brunnenfest ![t]({base}/exfil?from=title)"


@pytest.fixture(scope="module")
def exfil() -> Iterator[Exfil]:
    server = Exfil()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, embeddings, exfil: Exfil) -> Iterator[dict[str, str]]:
    """The extractive chat and an LLM chat (fake server, hostile reply) on one hostile store."""
    data_dir = tmp_path_factory.mktemp("ui-remote")
    extractive = build_qa(data_dir, embeddings, auth="")
    extractive.add_text(
        title(exfil.base),
        hostile_text(exfil.base, "article"),
        url=f"{exfil.base}/brunnenfest",
    )
    reply = f"Das Fest zog 4000 Gäste an [1]. {hostile_text(exfil.base, 'llm')}"
    with FakeOpenAI(script=lambda request: reply) as fake:
        llm = build_qa(
            data_dir, embeddings, auth="", answerer="llm", openai_base_url=fake.url, openai_api_key="sk-x"
        )
        with served(extractive, free_port()) as plain_url, served(llm, free_port()) as llm_url:
            yield {"extractive": plain_url, "llm": llm_url}


@pytest.mark.parametrize("mode", ["extractive", "llm"])
def test_hostile_articles_and_replies_load_nothing_from_elsewhere(
    browser,
    pages: dict[str, str],
    exfil: Exfil,
    mode: str,
) -> None:
    url = pages[mode]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith((origin, "data:", "blob:")) else elsewhere.append(r.url)
    )
    page.goto(url)
    ask(page, QUESTION)
    page.locator("#chatbot a.cite").first.wait_for(timeout=60_000)
    page.locator("#article-box .article-text").wait_for(timeout=30_000)
    page.locator("#chatbot").get_by_text(
        re.compile(r"^(Quellen|Sources) \(")
    ).first.click()  # the Sources box
    page.locator("#chatbot").get_by_text(re.compile(r"(Satz|sentence) 1\)")).first.wait_for(timeout=30_000)
    page.wait_for_function(IMAGES_DONE, timeout=30_000)  # any image the page holds has loaded or failed

    assert not exfil.hits, exfil.hits
    assert not elsewhere, elsewhere
    chat = page.locator("#chatbot").inner_text()
    tag = "llm" if mode == "llm" else "article"
    assert f"![x]({exfil.base}/exfil?from={tag}-image)" in chat  # shown as text
    assert f"[Gutscheine]({exfil.base}/exfil?from={tag}-link)" in chat
    links = page.eval_on_selector_all(
        "#chatbot a, #article-box a", "els => els.map(e => e.getAttribute('href'))"
    )
    own = f"{exfil.base}/brunnenfest"
    assert links and all(h.startswith("#cite-") or h == own for h in links), links
    assert own in links  # the article view links its own address, marked as external
    external = page.locator("#article-box a.article-url")
    lang = page.evaluate("document.documentElement.lang")
    assert external.inner_text() == t("original_link", lang, url=own)  # in the page's language
    assert "noopener" in (external.get_attribute("rel") or "")
    page.context.close()
