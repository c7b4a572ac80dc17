"""The chat tab's callbacks: stream an answer, show a source in its article, clear the chat.

Everything a session owns (its answers, hence what a citation marker points at) lives in a
``gr.State``; the page's language arrives with each event from the hidden ``#page-lang`` box.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.api import QuestionError
from qa.types import Answer
from ui import render
from ui.strings import page_language, t

if TYPE_CHECKING:
    from qa.api import NewsQA


class Chat:
    """The chat's callbacks, bound to one shared ``NewsQA``."""

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa

    def respond(
        self, message: str, history: list[dict], turns: list[Answer] | None, lang: str | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer, then replace it with the linked answer and its "Sources" box."""
        lang = page_language(lang)
        turns = list(turns or [])
        text = ""
        final: Answer | None = None
        try:
            for event in self.qa.stream(message, render.plain_history(history)):
                if isinstance(event, Answer):
                    final = event
                else:
                    text += event
                    yield render.streaming_text(text), turns, gr.skip(), gr.skip(), gr.skip()
        except QuestionError as exc:
            yield str(exc), turns, gr.skip(), gr.skip(), gr.skip()
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
        html = self.show(first, turns, lang) if first else render.placeholder_html(t("no_passages", lang))
        yield (
            messages,
            turns,
            gr.update(choices=choices, value=first),
            html,
            render.panel_heading(final, language=lang),
        )

    def show(self, key: str | None, turns: list[Answer] | None, lang: str | None = None) -> str:
        """The article of a citation or passage key, the chosen sentence in focus."""
        lang = page_language(lang)
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
        self, key: str, turns: list[Answer] | None, lang: str | None = None
    ) -> tuple[Any, str, Any]:
        """A marker click: the sources list switches to that marker's answer (an earlier one too),
        with the marker selected, so the list and the highlighted article always agree."""
        parsed = render.parse_key(key)
        if not parsed or not turns or parsed[0] >= len(turns):
            return gr.skip(), self.show(key, turns, lang), gr.skip()
        answer = turns[parsed[0]]
        choices = gr.update(choices=render.source_choices(answer, parsed[0]), value=key)
        latest = parsed[0] == len(turns) - 1
        return (
            choices,
            self.show(key, turns, lang),
            render.panel_heading(answer, latest=latest, language=page_language(lang)),
        )

    def cleared(self, lang: str | None = None) -> tuple[list[Answer], Any, str, str]:
        """After the chat is cleared: no answers, no sources, an empty article view."""
        lang = page_language(lang)
        return (
            [],
            gr.update(choices=[], value=None),
            render.placeholder_html(t("select_source", lang)),
            render.panel_heading(None, language=lang),
        )

    def localised(self, lang: str) -> tuple[str, str]:
        """The sources panel's heading and the empty article view, in ``lang``."""
        return render.panel_heading(None, language=lang), render.placeholder_html(t("select_source", lang))
