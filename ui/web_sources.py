"""The Articles tab's web sources: add a page or feed by URL, follow a feed, update followed feeds.

The same calls as ``newsqa ingest URL``, ``newsqa feeds add URL`` and ``newsqa update``
(``NewsQA.ingest_urls``, ``add_feed``, ``update_feeds``); each bad URL is one line in the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui import render

if TYPE_CHECKING:
    from qa.api import NewsQA
    from qa.feeds.registry import FeedPoll


@dataclass
class WebSourceControls:
    url: Any
    add: Any
    follow: Any
    update: Any
    feeds: Any


def feeds_markdown(qa: NewsQA) -> str:
    feeds = qa.feeds()
    if not feeds:
        return "No feeds followed."
    lines = [
        f"- {render.esc(f.title or f.url)} ({render.esc(f.url)}): {f.items} items, "
        f"last polled {render.esc(f.polled_at[:16].replace('T', ' ') or 'never')}"
        for f in feeds
    ]
    return "Followed feeds:\n" + "\n".join(lines)


def _poll_lines(polls: list[FeedPoll]) -> list[str]:
    lines = []
    for p in polls:
        if p.error:
            lines.append(f"- **Rejected:** {render.esc(p.error)}")
        elif p.not_modified:
            lines.append(f"- {render.esc(p.url)}: not modified")
        else:
            lines.append(f"- {render.esc(p.url)}: {len(p.added)} added, {len(p.replaced)} replaced")
        lines += [f"- **Skipped:** {render.esc(problem.message)}" for problem in p.problems]
    return lines


def build_web_sources(qa: NewsQA) -> WebSourceControls:
    """The controls, placed where this is called (inside the Articles tab's column)."""
    with gr.Accordion("… or add a web page or feed", open=False):
        url = gr.Textbox(label="URL of a web page or an RSS/Atom feed", elem_id="web-url")
        with gr.Row():
            add = gr.Button("Add once")
            follow = gr.Button("Follow feed")
            update = gr.Button("Update feeds")
        feeds = gr.Markdown(lambda: feeds_markdown(qa), elem_id="followed-feeds")
    return WebSourceControls(url, add, follow, update, feeds)


def wire_web_sources(ui: Any, controls: WebSourceControls, status: Any, table: Any, info: Any) -> None:
    """Connect the controls; ``ui`` is the page's ``ChatUI`` (its ``qa``, ``table``, ``info``)."""
    qa: NewsQA = ui.qa

    def done(lines: list[str]) -> tuple[str, Any, str, str]:
        return "\n".join(lines), ui.table(), ui.info(), feeds_markdown(qa)

    def add_once(url: str) -> tuple[str, Any, str, str]:
        if not (url or "").strip():
            return done(["Enter a URL first."])
        result = qa.ingest_urls([url.strip()])
        lines = [ui._summary(result.report)]
        lines += [f"- **Rejected:** {render.esc(p.message)}" for p in result.problems]
        return done(lines)

    def follow(url: str) -> tuple[str, Any, str, str]:
        if not (url or "").strip():
            return done(["Enter the URL of a feed first."])
        return done(_poll_lines([qa.add_feed(url.strip())]))

    def update() -> tuple[str, Any, str, str]:
        return done(_poll_lines(qa.update_feeds()) or ["No feeds followed."])

    outputs = [status, table, info, controls.feeds]
    controls.add.click(add_once, controls.url, outputs, api_name="add_url")
    controls.follow.click(follow, controls.url, outputs, api_name="follow_feed")
    controls.update.click(update, None, outputs, api_name="update_feeds")
