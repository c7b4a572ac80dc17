"""Helpers for the web chat tests: serve the page in-process, start Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

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
def served(qa: NewsQA, port: int) -> Iterator[str]:
    """The page on 127.0.0.1:``port`` in this process, closed afterwards; yields its URL."""
    from ui.server import launch

    demo, url = launch(qa, "127.0.0.1", port, block=False, quiet=True)
    try:
        yield url
    finally:
        demo.close()


def chromium_path() -> str:
    """Debian's Chromium; skips the test when it is missing, unless ``CI`` is set (then it fails)."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (run tests/install-browser.sh)")
        pytest.skip("chromium is not installed (run tests/install-browser.sh)")
    return path
