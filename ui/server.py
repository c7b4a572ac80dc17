"""Launch the page on 127.0.0.1 (by default): never a public share link, no outbound calls."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no look-ups

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr

    from qa.api import NewsQA


def parse_auth(spec: str) -> list[tuple[str, str]] | None:
    """``"user:pass,user2:pass2"`` → pairs for Gradio's login; empty → no login."""
    pairs = []
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        user, sep, password = item.partition(":")
        if not sep or not user or not password:
            raise ValueError(f"NEWSQA_AUTH: expected 'user:password' pairs separated by commas, got {item!r}")
        pairs.append((user, password))
    return pairs or None


_PATCHING = threading.RLock()
"""Held by the thread inside ``served_app_only``: one patch at a time, so each restores what it saved
(two overlapping ones restored in the wrong order left the patch in place for good). Re-entrant, so
a thread may nest them."""


@contextmanager
def served_app_only() -> Iterator[None]:
    """While this thread puts the page together, Gradio builds no FastAPI app.

    Gradio builds one (83 routes; 0.2-0.5 s on 2 cores) whenever a Blocks is closed or queued: six
    times for this page (the page's and the ChatInterface's ``__init__`` and ``with`` exits, and
    ``queue``), of which only the one ``launch`` builds is served. Skipping the five others takes
    1-2.5 s off the time to the page. Other threads build theirs as usual; another thread that puts
    a page together meanwhile waits for this one.
    """
    from gradio.routes import App

    with _PATCHING:
        real, builder = App.__dict__["create_app"], threading.get_ident()

        def create_app(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == builder:
                return None  # replaced by the app ``launch`` builds, the only one Gradio serves
            return real.__func__(*args, **kwargs)

        App.create_app = staticmethod(create_app)  # type: ignore[method-assign]
        try:
            yield
        finally:
            App.create_app = real  # type: ignore[method-assign]


def launch(
    qa: NewsQA, host: str | None = None, port: int | None = None, *, block: bool = True, quiet: bool = False
) -> tuple[gr.Blocks, str]:
    """Serve the page; returns the Blocks and the local URL (``block=False`` returns at once)."""
    from starlette.middleware import Middleware

    from ui.app import build_app
    from ui.assets import CSS, PAGE_JS
    from ui.guard import Guard
    from ui.strings import i18n
    from ui.theme import theme

    s = qa.settings
    with served_app_only():
        demo = build_app(qa)
        demo.queue(default_concurrency_limit=4)
    kwargs: dict[str, Any] = {
        "server_name": host or s.host,
        # host names, foreign origins and login attempts are checked before Gradio (ui/guard.py)
        "app_kwargs": {"middleware": [Middleware(Guard, host=host or s.host)]},
        "server_port": port or s.port,
        "share": False,
        "auth": parse_auth(s.auth),
        "max_file_size": s.max_file_bytes,
        "theme": theme(),
        "css": CSS,
        "js": PAGE_JS,
        "i18n": i18n(),
        "prevent_thread_lock": True,  # then block_thread(), so the URL can be printed first
        "quiet": True,
        "ssr_mode": False,
        "show_error": True,
        "footer_links": [],  # no "Use via API" or settings links: the page is the product
    }
    _, url, _ = demo.launch(**kwargs)
    if not quiet:
        from qa.text.language import interface_language
        from qa.text.phrases import phrase

        print(phrase("serving", interface_language(s.language), url=url), flush=True)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            demo.close()
    return demo, url
