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
from qa.scope.selection import SelectionError, selection_of
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
        self,
        message: str,
        history: list[dict],
        turns: list[Answer] | None,
        article_id: str | None = None,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer, then replace it with the linked answer and its "Sources" box.

        ``article_id``, ``source``, ``since``, ``until``: the selection controls, as typed; the
        answer then comes from that selection only and says so under it."""
        lang = request_language(request)
        turns = list(turns or [])
        text = ""
        final: Answer | None = None
        shown_at = time.monotonic()
        try:
            selection = selection_of([article_id or ""], source or "", since, until)
            for event in self.qa.stream(message, render.plain_history(history), selection):
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
        except SelectionError as exc:  # a bad day, start after end, a chosen article deleted meanwhile
            yield render.inert(exc.say(lang)), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        assert final is not None
        turn = len(turns)
        turns.append(final)
        chosen = final.selection.article_ids if final.selection else ()
        titles = {i: str(m["title"]) for i, m in self.qa.store.article_meta(chosen).items()}
        content = render.answer_markdown(final, turn, lang) + render.asked_of(final, lang, titles)
        messages = [
            gr.ChatMessage(role="assistant", content=content),
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

    def scope_status(
        self,
        article_id: str | None,
        source: str | None,
        since: str | None,
        until: str | None,
        request: gr.Request | None = None,
    ) -> str:
        """The line under the selection controls: what the next questions ask, or what is wrong."""
        lang = request_language(request)
        try:
            selection = selection_of([article_id or ""], source or "", since, until)
            if selection is not None:
                selection.check_stored(self.qa.articles())
        except SelectionError as exc:
            return f'<span class="scope-error">{render.inert(exc.say(lang))}</span>'
        return t("scope_all" if selection is None else "scope_some", lang)

    def scope_choices(
        self, article_id: str | None, source: str | None, request: gr.Request | None = None
    ) -> tuple[Any, Any]:
        """The pickers' choices from the store as it is now; a chosen article deleted meanwhile stays
        chosen, marked so, until the reader picks another (asking it then says it is gone)."""
        from qa.scope.selection import source_names

        stored = self.qa.articles()
        articles = render.article_choices(stored)
        if article_id and article_id not in {i for _, i in articles}:
            articles.insert(0, (t("scope_deleted", request_language(request)), article_id))
        return gr.update(choices=articles), gr.update(choices=render.source_picks(source_names(stored)))

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
