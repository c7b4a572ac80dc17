"""The chat's "ask within a selection" controls: one article, a source, a date range.

What they hold goes, as typed, to ``qa.scope.selection.selection_of`` (the CLI's ``--article
--source --since --until`` go there too), so the page has no rule of its own about selections; a
bad day or a start after the end is said under the controls and, if asked anyway, in the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui.strings import i18n, request_language, t

if TYPE_CHECKING:
    from ui.chat import Chat


@dataclass
class ScopeControls:
    article: Any
    source: Any
    since: Any
    until: Any
    status: Any
    reset: Any
    box: Any

    @property
    def inputs(self) -> list[Any]:
        """In the order ``Chat.respond`` takes them."""
        return [self.article, self.source, self.since, self.until]

    @property
    def pickers(self) -> list[Any]:
        return [self.article, self.source]


def build_scope() -> ScopeControls:
    """The controls in a closed accordion, so the chat keeps its height. The accordion is placed
    where ``box.render()`` is called: the chat takes the controls as its inputs once they exist,
    and places its own box and question where it is built, before them."""
    T = i18n()
    with gr.Accordion(T("scope"), open=False, elem_id="scope", render=False) as box:
        with gr.Row(elem_id="scope-row", equal_height=True):
            article = gr.Dropdown(
                choices=[],
                value=None,
                label=T("scope_article"),
                allow_custom_value=True,  # a choice deleted meanwhile is kept, and said so on asking
                filterable=True,
                scale=2,
                min_width=180,
                elem_id="scope-article",
            )
            source = gr.Dropdown(
                choices=[],
                value=None,
                label=T("scope_source"),
                allow_custom_value=True,  # a host name, folder or feed URL typed in
                filterable=True,
                scale=1,
                min_width=130,
                elem_id="scope-source",
            )
            since, until = (
                gr.Textbox(
                    label=T(f"scope_{end}"),
                    placeholder=T("date_placeholder"),
                    max_lines=1,
                    scale=1,
                    min_width=136,
                    elem_id=f"scope-{end}",
                )
                for end in ("since", "until")
            )
        with gr.Row(elem_id="scope-foot", equal_height=True):
            status = gr.Markdown(T("scope_all"), elem_id="scope-status")
            reset = gr.Button(T("scope_reset"), size="sm", scale=0, min_width=150, elem_id="scope-reset")
    return ScopeControls(article, source, since, until, status, reset, box)


def wire_scope(chat: Chat, scope: ScopeControls, chat_tab: Any) -> None:
    """The status line follows the controls; the reset asks all articles again; the pickers' choices
    are read again each time the chat tab is opened (articles may have come or gone)."""
    private: dict[str, Any] = {"api_visibility": "private"}
    for picker in scope.pickers:
        picker.change(chat.scope_status, scope.inputs, scope.status, **private)
    for day in (scope.since, scope.until):
        day.blur(chat.scope_status, scope.inputs, scope.status, **private)
        day.submit(chat.scope_status, scope.inputs, scope.status, **private)

    def reset(request: gr.Request) -> tuple[Any, ...]:
        return None, None, "", "", t("scope_all", request_language(request))

    scope.reset.click(reset, None, [*scope.inputs, scope.status], **private)
    chat_tab.select(chat.scope_choices, scope.pickers, scope.pickers, **private)
