"""The chat tab's callbacks: stream an answer, show a source in its article, clear the chat.

Everything a session owns (its answers, hence what a citation marker points at) lives in a
``gr.State``; the page's language comes with each request (``ui.strings.request_language``).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.api import QuestionError
from qa.types import Answer
from ui import render
from ui.session import session_folder
from ui.strings import request_language, t

if TYPE_CHECKING:
    from qa.api import NewsQA

STREAM_INTERVAL = 0.25
"""Seconds between two streamed updates of an answer on the page (the final answer is never held)."""


class Chat:
    """The chat's callbacks, bound to one shared ``NewsQA``."""

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa
        # the export's files: one folder for the process (removed when it exits or this chat is
        # collected), one subfolder per session (removed when its tab closes), overwritten per answer
        self._exports = tempfile.TemporaryDirectory(prefix="newsqa-export-")

    def respond(
        self, message: str, history: list[dict], turns: list[Answer] | None, request: gr.Request | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer, then replace it with the linked answer and its "Sources" box."""
        lang = request_language(request)
        turns = list(turns or [])
        text = ""
        final: Answer | None = None
        shown_at = time.monotonic()
        try:
            for event in self.qa.stream(message, render.plain_history(history)):
                if isinstance(event, Answer):
                    final = event
                    continue
                text += event
                # Each update costs Gradio far more than producing it (it rebuilds the outputs'
                # configs), so text arriving faster than a reader follows (the extractive answer,
                # all at once) waits for the next update or the final answer.
                if time.monotonic() - shown_at >= STREAM_INTERVAL:
                    shown_at = time.monotonic()
                    yield render.streaming_text(text), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except QuestionError as exc:
            yield str(exc), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        assert final is not None
        turn = len(turns)
        turns.append(final)
        messages = [
            gr.ChatMessage(role="assistant", content=render.answer_markdown(final, turn, lang)),
            gr.ChatMessage(
                role="assistant",
                content=render.sources_markdown(final, lang),
                metadata={"title": render.sources_title(final, lang), "status": "done"},
            ),
        ]
        choices = render.source_choices(final, turn)
        first = choices[0][1] if choices else None
        html = self._show(first, turns, lang) if first else render.placeholder_html(t("no_passages", lang))
        yield (
            messages,
            turns,
            gr.update(choices=choices, value=first),
            html,
            render.panel_heading(final, language=lang),
        )

    def show(self, key: str | None, turns: list[Answer] | None, request: gr.Request | None = None) -> str:
        """The article of a citation or passage key, the chosen sentence in focus."""
        return self._show(key, turns, request_language(request))

    def _show(self, key: str | None, turns: list[Answer] | None, lang: str) -> str:
        parsed = render.parse_key(key or "")
        if not parsed or not turns or parsed[0] >= len(turns):
            return render.placeholder_html(t("select_source", lang))
        turn, kind, number = parsed
        chosen, cited, retrieved = render.focus_for(turns[turn], kind, number)
        if chosen is None:
            return render.placeholder_html(t("not_in_answer", lang))
        article = self.qa.article(chosen.article_id)
        if article is None:
            return render.placeholder_html(t("article_deleted", lang))
        return render.article_html(article, cited, retrieved, focus=chosen.sentence_index, language=lang)

    def show_from_marker(
        self, key: str, turns: list[Answer] | None, request: gr.Request | None = None
    ) -> tuple[Any, str, Any]:
        """A marker click: the sources list switches to that marker's answer (an earlier one too),
        with the marker selected, so the list and the highlighted article always agree."""
        lang = request_language(request)
        parsed = render.parse_key(key)
        if not parsed or not turns or parsed[0] >= len(turns):
            return gr.skip(), self._show(key, turns, lang), gr.skip()
        answer = turns[parsed[0]]
        choices = gr.update(choices=render.source_choices(answer, parsed[0]), value=key)
        latest = parsed[0] == len(turns) - 1
        return (
            choices,
            self._show(key, turns, lang),
            render.panel_heading(answer, latest=latest, language=lang),
        )

    def cleared(self, request: gr.Request | None = None) -> tuple[list[Answer], Any, str, str]:
        """After the chat is cleared: no answers, no sources, an empty article view."""
        lang = request_language(request)
        return (
            [],
            gr.update(choices=[], value=None),
            render.placeholder_html(t("select_source", lang)),
            render.panel_heading(None, language=lang),
        )

    def localised(self, lang: str) -> tuple[str, str]:
        """The sources panel's heading and the empty article view, in ``lang``."""
        return render.panel_heading(None, language=lang), render.placeholder_html(t("select_source", lang))

    def export(self, turns: list[Answer] | None, request: gr.Request | None = None) -> tuple[Any, Any, Any]:
        """The last answer as Markdown (to copy) and as .md and .json files (to download)."""
        from qa.export import answer_json, answer_markdown

        if not turns:
            hidden = gr.update(value=None, visible=False)
            return gr.update(value="", visible=False), hidden, hidden
        answer = turns[-1]
        cited = {p.article_id for p in (*answer.citations, *answer.passages)}
        urls = {i: str(m["url"]) for i, m in self.qa.store.article_meta(cited).items() if m.get("url")}
        markdown = answer_markdown(answer, request_language(request), urls)
        folder = self._session_folder(request)
        folder.mkdir(exist_ok=True)
        md, js = folder / "newsqa-answer.md", folder / "newsqa-answer.json"
        md.write_text(markdown, encoding="utf-8")
        js.write_text(answer_json(answer), encoding="utf-8")
        return (
            gr.update(value=markdown, visible=True),
            gr.update(value=str(md), visible=True),
            gr.update(value=str(js), visible=True),
        )

    def forget_session(self, request: gr.Request | None = None) -> None:
        """A closed tab's export files go with it."""
        shutil.rmtree(self._session_folder(request), ignore_errors=True)

    def _session_folder(self, request: gr.Request | None) -> Path:
        return session_folder(self._exports.name, request)
