"""The Articles tab's web sources: add a page or feed by URL, follow a feed, update followed feeds.

The same calls as ``newsqa ingest URL``, ``newsqa feeds add URL`` and ``newsqa update``
(``NewsQA.ingest_urls``, ``add_feed``, ``update_feeds``); each bad URL is one line in the status,
in the page's language (``ui.strings.request_language``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui import render
from ui.paging import TableView  # at run time: Gradio reads the callbacks' hints to find ``request``
from ui.strings import i18n, request_language, t

if TYPE_CHECKING:
    from qa.api import NewsQA
    from qa.feeds.registry import FeedPoll
    from ui.articles import Articles


@dataclass
class WebSourceControls:
    url: Any
    add: Any
    follow: Any
    update: Any
    feeds: Any


def feeds_markdown(qa: NewsQA, lang: str) -> str:
    feeds = qa.feeds()
    if not feeds:
        return t("no_feeds", lang)
    lines = [
        "- "
        + t(
            "feed_line",
            lang,
            title=render.inert(f.title or f.url),
            url=render.inert(f.url),
            items=f.items,
            polled=render.inert(f.polled_at[:16].replace("T", " ") or t("never", lang)),
        )
        for f in feeds
    ]
    return t("followed_feeds", lang) + "\n" + "\n".join(lines)


def _poll_lines(polls: list[FeedPoll], lang: str) -> list[str]:
    lines = []
    for p in polls:
        if p.error:
            lines.append("- " + t("rejected", lang, message=render.inert(p.error)))
        elif p.not_modified:
            lines.append(f"- {render.inert(p.url)}: {t('not_modified', lang)}")
        else:
            counts = t("feed_counts", lang, added=len(p.added), replaced=len(p.replaced))
            lines.append(f"- {render.inert(p.url)}: {counts}")
        lines += [
            "- " + t("skipped_line", lang, message=render.inert(problem.message)) for problem in p.problems
        ]
    return lines


def build_web_sources(qa: NewsQA) -> WebSourceControls:
    """The controls, placed where this is called (inside the Articles tab's column)."""
    T = i18n()
    with gr.Accordion(T("web_sources"), open=False):
        url = gr.Textbox(label=T("web_url"), elem_id="web-url")
        with gr.Row():
            add = gr.Button(T("add_once"))
            follow = gr.Button(T("follow_feed"))
            update = gr.Button(T("update_feeds"))
        feeds = gr.Markdown(elem_id="followed-feeds")
    return WebSourceControls(url, add, follow, update, feeds)


def wire_web_sources(
    articles: Articles, controls: WebSourceControls, status: Any, table: Any, view: Any, info: Any
) -> None:
    """Connect the controls to the articles tab's callbacks (its ``qa``, ``table`` and its ``view``,
    ``info``)."""
    qa: NewsQA = articles.qa

    def done(lines: list[str], shown: TableView | None, lang: str) -> tuple[Any, ...]:
        return "\n".join(lines), *articles.table(lang, shown), articles.info(lang), feeds_markdown(qa, lang)

    def add_once(url: str, shown: TableView | None, request: gr.Request) -> tuple[Any, ...]:
        lang = request_language(request)
        if not (url or "").strip():
            return done([t("enter_url", lang)], shown, lang)
        result = qa.ingest_urls([url.strip()])
        lines = [articles.summary(result.report, lang)]
        lines += ["- " + t("rejected", lang, message=render.inert(p.message)) for p in result.problems]
        return done(lines, shown, lang)

    def follow(url: str, shown: TableView | None, request: gr.Request) -> tuple[Any, ...]:
        lang = request_language(request)
        if not (url or "").strip():
            return done([t("enter_feed", lang)], shown, lang)
        return done(_poll_lines([qa.add_feed(url.strip())], lang), shown, lang)

    def update(shown: TableView | None, request: gr.Request) -> tuple[Any, ...]:
        lang = request_language(request)
        return done(_poll_lines(qa.update_feeds(), lang) or [t("no_feeds", lang)], shown, lang)

    outputs = [status, table, view, info, controls.feeds]
    controls.add.click(add_once, [controls.url, view], outputs, api_name="add_url")
    controls.follow.click(follow, [controls.url, view], outputs, api_name="follow_feed")
    controls.update.click(update, view, outputs, api_name="update_feeds")
