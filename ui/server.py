"""Launch the page on 127.0.0.1 (by default): never a public share link, no outbound calls."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no look-ups

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


def theme() -> gr.themes.Base:
    """System fonts only, so the page never asks a font CDN for anything."""
    import gradio as gr

    return gr.themes.Default(
        primary_hue="amber", neutral_hue="slate", font=["system-ui", "sans-serif"], font_mono=["monospace"]
    )


def launch(
    qa: NewsQA, host: str | None = None, port: int | None = None, *, block: bool = True, quiet: bool = False
) -> tuple[gr.Blocks, str]:
    """Serve the page; returns the Blocks and the local URL (``block=False`` returns at once)."""
    from starlette.middleware import Middleware

    from ui.app import build_app
    from ui.assets import CSS, PAGE_JS
    from ui.guard import Guard

    s = qa.settings
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
        "prevent_thread_lock": True,  # then block_thread(), so the URL can be printed first
        "quiet": True,
        "ssr_mode": False,
        "show_error": True,
        "footer_links": ["api"],
    }
    _, url, _ = demo.launch(**kwargs)
    if not quiet:
        print(f"newsqa web chat: {url}  (Ctrl-C stops it)", flush=True)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            demo.close()
    return demo, url
