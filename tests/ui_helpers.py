"""Helpers for the web chat tests: serve the page in-process, start Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
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
    """Debian's Chromium, headless, driven by Playwright (skips when either is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
