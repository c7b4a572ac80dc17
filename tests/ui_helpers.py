"""Helpers for the web chat tests: serve the page in-process, start Debian's Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ui.served_process import PageNotServed, page_process

if TYPE_CHECKING:
    from playwright import sync_api

    from qa.api import NewsQA

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Every image of the page has finished (loaded or failed), so whatever it fetches or runs has
# happened: the state a test that checks for nothing loaded or run waits for.
IMAGES_DONE = "() => [...document.images].every((i) => i.complete)"


@contextmanager
def served(qa: NewsQA, port: int, host: str | None = "127.0.0.1") -> Iterator[str]:
    """The page on ``host:port`` in this process, closed afterwards; yields its URL.

    ``host=None`` leaves the host to the settings (``launch``'s default), to test that default."""
    from ui.server import launch

    demo, url = launch(qa, host, port, block=False, quiet=True)
    try:
        yield url
    finally:
        demo.close()


@contextmanager
def serve_process(data_dir: Path, port: int, timeout: float = 240) -> Iterator[str]:
    """A real ``newsqa serve`` process on ``data_dir`` at ``127.0.0.1:port`` without login and with
    the extractive answerer, ended afterwards; yields its URL once its page answers HTTP 200.

    Its own process, so its own Chroma client and caches: what a second server (or a terminal)
    shares with another only through the data directory."""
    from helpers import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env |= {"NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_AUTH": "", "NEWSQA_ANSWERER": "extractive"}
    if "NEWSQA_MODEL_CACHE" in os.environ:  # the session's parsed model (tests/conftest.py)
        env["NEWSQA_MODEL_CACHE"] = os.environ["NEWSQA_MODEL_CACHE"]
    command = [sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile("w+") as log:
        try:
            with page_process(command, url, env=env, cwd=ROOT, timeout=timeout, output=log, poll=0.2):
                yield url
        except PageNotServed as exc:
            log.seek(0)
            pytest.fail(f"{exc}:\n{log.read()[-3000:]}")


@contextmanager
def seeded_chat(data_dir: Path, embeddings: Any, extra: Sequence[tuple[str, str]] = ()) -> Iterator[str]:
    """The web chat without login on the seed article (and the ``(title, text)`` articles of
    ``extra``), served on a free port; yields its URL."""
    from helpers import SEED, build_qa, free_port

    qa = build_qa(data_dir, embeddings, auth="")
    qa.ingest([SEED])
    for title, text in extra:
        qa.add_text(title, text)
    with served(qa, free_port()) as url:
        yield url


def listening_hosts(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on ``port`` (from ``/proc/net/tcp``/``tcp6``)."""
    hosts = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            if len(raw) == 4:
                hosts.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:  # four little-endian 32-bit words
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                hosts.add(socket.inet_ntop(socket.AF_INET6, words))
    return hosts


def ask_many(
    url: str, questions: list[str], auth: tuple[str, str] | None = None, timeout: float = 60
) -> list:
    """Each question from its own ``gradio_client.Client`` (its own session), all in parallel threads;
    the clients connect first, then ask at once. Returns each ``/chat`` result, in order."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    start = threading.Barrier(len(questions), timeout=timeout)

    def one(question: str) -> Any:
        client = Client(url, auth=auth, verbose=False, download_files=False)
        start.wait()
        return client.submit(question, api_name="/chat").result(timeout=timeout)

    with ThreadPoolExecutor(len(questions)) as pool:
        futures = [pool.submit(one, q) for q in questions]
        return [f.result(timeout=2 * timeout) for f in futures]


def chromium_path() -> str:
    """Debian's Chromium; skips the test when it is missing, unless ``CI`` is set (then it fails)."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (run tests/install-browser.sh)")
        pytest.skip("chromium is not installed (run tests/install-browser.sh)")
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (skips when Chromium is missing)."""
    from playwright import sync_api

    path = chromium_path()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# ---- driving the page -------------------------------------------------------------------------
WIDTH, HEIGHT = 1366, 768
"""The screen the layout must fit: the article view beside the chat, above the fold."""


def _named() -> str:
    from ui.strings import ARIA

    answer = json.dumps([ARIA[lang]["answer"] + ": " for lang in ARIA])
    return f"""() => {{
  const names = [...document.querySelectorAll("#chatbot [aria-label]")]
    .map((e) => e.getAttribute("aria-label"));
  const answer = {answer};
  return names.some((n) => answer.some((a) => n.startsWith(a)))
    && !names.some((n) => n.startsWith("bot's message: ") || n.startsWith("user's message: "));
}}"""


NAMED = _named()
"""The page script has named the messages: an answer carries a plain-text name in the page's
language, and no message keeps Gradio's raw "bot's message: <html>" / "user's message: " name."""


def open_page(browser: sync_api.Browser, url: str, locale: str, scheme: str) -> sync_api.Page:
    """The page at 1366x768 in a fresh context (its own session), in ``locale`` and colour ``scheme``."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, locale=locale, color_scheme=scheme
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#chat-col textarea", timeout=30_000)
    page.wait_for_function("() => (document.querySelector('#info-line')?.innerText || '').trim().length > 0")
    return page


def send(page: sync_api.Page, question: str) -> None:
    """Type ``question`` and press Enter, once the box takes input."""
    box = page.locator("#chat-col textarea").first
    page.wait_for_function("() => !document.querySelector('#chat-col textarea').disabled", timeout=60_000)
    box.fill(question)
    box.press("Enter")  # Enter sends


def ask(page: sync_api.Page, question: str) -> None:
    """Ask and wait for the answer's sources and the page script's names of the new messages."""
    before = page.locator("#chatbot [aria-label]").count()
    send(page, question)
    page.wait_for_function(
        f"() => document.querySelectorAll('#chatbot [aria-label]').length > {before}", timeout=60_000
    )
    page.locator("#sources-list label").first.wait_for(timeout=60_000)
    page.wait_for_function(NAMED, timeout=30_000)


def assert_article_beside_chat(page: sync_api.Page) -> None:
    chat = page.locator("#chat-col").bounding_box()
    article = page.locator("#article-box").bounding_box()
    assert chat and article
    assert article["x"] >= chat["x"] + chat["width"] - 1, "the article view is not beside the chat"
    assert article["y"] + 120 <= HEIGHT, f"the article view starts below the fold: {article}"


def shoot(page: sync_api.Page, *name: str) -> None:
    """A screenshot to ``test-artifacts/ui-<name>.png``, for a person to look at."""
    from helpers import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-{'-'.join(name)}.png"))


def open_scope(page: sync_api.Page) -> None:
    """The chat's "ask within a selection" controls, opened (left open when they are)."""
    if not page.locator("#scope-row").is_visible():
        page.locator("#scope > button, #scope .label-wrap").first.click()
    page.locator("#scope-row").wait_for(state="visible", timeout=30_000)
