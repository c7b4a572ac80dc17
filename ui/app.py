"""The Gradio page: a chat with a sources panel, an articles tab to add and delete articles, and an
evaluation tab that scores the store's answers on a question set the user uploads.

One ``NewsQA`` is shared by all sessions (its store serialises writes); everything a session owns
(its answers, hence what a citation marker points at) lives in a ``gr.State``, so two people asking
at once each get their own answer and their own sources. The page speaks the browser's language
(German or English, ``ui.strings``); static labels are ``gr.I18n`` keys, the callbacks' messages
follow the hidden ``#page-lang`` box the page script fills when the page loads.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no look-ups

from typing import Any

import gradio as gr

from ingest.readers import SUPPORTED_EXTENSIONS
from qa.api import NewsQA
from ui import render
from ui.articles import Articles
from ui.assets import LANG_JS, SCROLL_JS, SWITCH_JS
from ui.chat import Chat
from ui.evaluation import Evaluation
from ui.paging import DEFAULT_SORT, SORTS, TableView
from ui.scope import build_scope, wire_scope
from ui.strings import i18n, request_language, t, table_headers
from ui.web_sources import build_web_sources, feeds_markdown, wire_web_sources

EXAMPLES = ("example_1", "example_2", "example_3")


def build_app(qa: NewsQA) -> gr.Blocks:
    """The whole page; ``ui.server.launch`` serves it (with ``ui.strings.i18n()`` as its ``i18n``)."""
    chat, articles, evaluation = Chat(qa), Articles(qa), Evaluation(qa)
    T = i18n()
    with gr.Blocks(title="newsqa", fill_height=False) as demo:
        turns = gr.State([])
        with gr.Row(elem_id="page-head"):
            gr.Markdown(T("heading"), elem_id="page-title")
            switch = gr.Button(T("switch"), size="sm", variant="secondary", elem_id="lang-switch", scale=0)
        info = gr.Markdown(elem_id="info-line")
        chat_tab = gr.Tab(T("tab_chat"), elem_id="tab-chat")
        with chat_tab, gr.Row(equal_height=False):
            with gr.Column(scale=5, elem_id="chat-col"):
                panel_md = gr.Markdown(render.panel_heading(None), elem_id="panel-heading", render=False)
                sources = gr.Radio(
                    choices=[],
                    label=T("sources_label"),
                    elem_id="sources-list",
                    render=False,
                    interactive=True,
                )
                article = gr.HTML(render.placeholder_html(""), elem_id="article-box", render=False)
                chatbot = gr.Chatbot(
                    elem_id="chatbot",
                    show_label=False,
                    height="calc(100vh - 380px)",  # room for the closed selection controls
                    min_height=280,
                    placeholder=T("chat_placeholder"),  # type: ignore[arg-type]  # Gradio translates it
                    buttons=["copy"],
                )
                textbox = gr.Textbox(
                    placeholder=T("question_placeholder"),
                    label=T("question_label"),
                    show_label=False,
                    submit_btn=True,
                    scale=7,
                    elem_id="question",
                )
                scope = build_scope()
                gr.ChatInterface(
                    chat.respond,
                    chatbot=chatbot,
                    textbox=textbox,
                    additional_inputs=[turns, *scope.inputs],
                    additional_outputs=[turns, sources, article, panel_md],
                    api_name="chat",
                    concurrency_limit=4,
                    fill_height=False,
                )
                with gr.Row(elem_id="examples"):
                    for key in EXAMPLES:
                        example = gr.Button(
                            T(key),
                            size="sm",
                            variant="secondary",
                            elem_id=f"ex-{key}",
                            elem_classes="example-q",
                        )
                        example.click(None, None, textbox, js=_example_js(key))
                scope.box.render()
            with gr.Column(scale=4, elem_id="source-col"):
                panel_md.render()
                sources.render()
                article.render()
                with gr.Accordion(T("export"), open=False, elem_id="export"):
                    export_md = gr.Textbox(
                        show_label=False,
                        lines=6,
                        max_lines=12,
                        buttons=["copy"],
                        visible=False,
                        elem_id="export-md",
                    )
                    with gr.Row():
                        md_label, json_label = T("download_md"), T("download_json")
                        export_md_file = gr.DownloadButton(md_label, visible=False, size="sm")  # type: ignore[arg-type]
                        export_json_file = gr.DownloadButton(json_label, visible=False, size="sm")  # type: ignore[arg-type]
                cite_key = gr.Textbox(elem_id="cite-key", elem_classes="hidden-ctl", show_label=False)
                go = gr.Button("show", elem_id="cite-go", elem_classes="hidden-ctl")
        sources.input(chat.show, [sources, turns], article, api_name="show_source")
        go.click(
            chat.show_from_marker,
            [cite_key, turns],
            [sources, article, panel_md],
            api_name="show_marker",
        )
        article.change(None, None, None, js=SCROLL_JS)  # also after a new answer: centre its citation
        turns.change(
            chat.export,
            turns,
            [export_md, export_md_file, export_json_file],
            api_visibility="private",
        )
        chatbot.clear(chat.cleared, None, [turns, sources, article, panel_md], api_visibility="private")
        demo.unload(chat.forget_session)
        demo.unload(evaluation.forget_session)
        wire_scope(chat, scope, chat_tab)

        articles_tab = gr.Tab(T("tab_articles"), elem_id="tab-articles")
        with articles_tab, gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=300):
                files = gr.File(
                    label=T("upload"),
                    file_count="multiple",
                    file_types=sorted(SUPPORTED_EXTENSIONS),
                    type="filepath",
                    elem_id="upload",
                )
                ingest_btn = gr.Button(T("ingest_btn"), variant="primary")
                with gr.Accordion(T("paste"), open=False):
                    title = gr.Textbox(label=T("title"))
                    text = gr.Textbox(label=T("text"), lines=8)
                    paste_btn = gr.Button(T("add_article"))
                web = build_web_sources(qa)
                status = gr.Markdown(elem_id="ingest-status")
                preview = gr.HTML(render.placeholder_html(""), elem_id="preview")
            with gr.Column(scale=2):
                with gr.Row(elem_id="table-tools", equal_height=True):
                    search = gr.Textbox(
                        label=T("search_label"),
                        placeholder=T("search_placeholder"),
                        max_lines=1,
                        scale=3,
                        elem_id="table-search",
                    )
                    sort = gr.Dropdown(
                        choices=sort_choices("en"),
                        value=DEFAULT_SORT,
                        label=T("sort_label"),
                        scale=2,
                        elem_id="table-sort",
                    )
                view = gr.State(TableView())
                table = gr.Dataframe(
                    headers=table_headers("en"),
                    datatype=["str", "str", "str", "number", "str", "str"],
                    interactive=False,
                    label=T("table_label"),
                    elem_id="articles-table",
                    wrap=True,
                    max_height=520,
                    column_widths=["29%", "18%", "12%", "11%", "14%", "16%"],
                )
                with gr.Row(elem_id="pager", equal_height=True):
                    prev_btn = gr.Button(
                        T("prev_page"), size="sm", scale=0, min_width=110, elem_id="page-prev"
                    )
                    pager = gr.Markdown(elem_id="page-line")
                    next_btn = gr.Button(
                        T("next_page"), size="sm", scale=0, min_width=110, elem_id="page-next"
                    )
                selected = gr.Textbox(elem_id="selected-id", elem_classes="hidden-ctl", show_label=False)
                list_btn = gr.Button("list", elem_classes="hidden-ctl")
                with gr.Row(equal_height=True):
                    chosen = gr.Markdown(T("nothing_selected"), elem_id="selected-title")
                    delete_btn = gr.Button(T("delete_btn"), variant="stop", scale=0, min_width=160)
                with gr.Row(visible=False, elem_id="confirm-row") as confirm_row:
                    confirm_md = gr.Markdown(elem_id="confirm-text")
                    confirm_btn = gr.Button(T("confirm_yes"), variant="stop", scale=0, min_width=140)
                    cancel_btn = gr.Button(T("cancel"), scale=0, min_width=120)

        # what changes the articles lists the session's page of them (``view``, no part of the API)
        ingest_btn.click(
            articles.ingest_files, [files, view], [status, table, view, info], api_name="ingest_files"
        ).then(lambda: None, None, files, api_visibility="private")  # the box empties: nothing re-sent
        paste_btn.click(
            articles.add_text,
            [title, text, view],
            [status, table, view, info, title, text],
            api_name="add_text",
        )
        wire_web_sources(articles, web, status, table, view, info)
        private: dict[str, Any] = {"api_visibility": "private"}
        search.change(articles.search, [search, view], [table, view], trigger_mode="always_last", **private)
        sort.input(articles.sort, [sort, view], [table, view], **private)
        prev_btn.click(articles.previous_page, view, [table, view], **private)
        next_btn.click(articles.next_page, view, [table, view], **private)
        view.change(articles.pager, view, [pager, prev_btn, next_btn], **private)
        table.select(
            articles.select_article, None, [selected, chosen, preview, confirm_row], api_visibility="private"
        )
        delete_btn.click(articles.ask_delete, selected, [confirm_md, confirm_row], api_visibility="private")
        cancel_btn.click(lambda: gr.update(visible=False), None, confirm_row, api_visibility="private")
        deleted = [status, table, view, info, selected, chosen, preview, confirm_row]
        confirm_btn.click(articles.delete, [selected, view], deleted, api_name="delete_article")

        eval_tab = gr.Tab(T("tab_eval"), elem_id="tab-eval")
        with eval_tab:
            eval_intro = gr.Markdown(evaluation.intro("de"), elem_id="eval-intro")
            with gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=300):
                    eval_file = gr.File(
                        label=T("eval_upload"),
                        file_count="single",
                        file_types=[".jsonl", ".json"],
                        type="filepath",
                        elem_id="eval-upload",
                    )
                    eval_btn = gr.Button(T("eval_run"), variant="primary", elem_id="eval-run")
                    eval_status = gr.Markdown(elem_id="eval-status")
                    with gr.Row():
                        md_label, zip_label = T("eval_download_md"), T("eval_download_zip")
                        eval_md = gr.DownloadButton(md_label, visible=False, size="sm", elem_id="eval-md")  # type: ignore[arg-type]
                        eval_zip = gr.DownloadButton(zip_label, visible=False, size="sm", elem_id="eval-zip")  # type: ignore[arg-type]
                with gr.Column(scale=2):
                    eval_summary = gr.Markdown(elem_id="eval-summary")
            eval_plots = gr.HTML(elem_id="eval-plots")
            eval_questions = gr.Dataframe(
                label=T("eval_questions"),
                interactive=False,
                visible=False,
                wrap=True,
                show_search="search",
                max_height=640,
                column_widths=["5%", "22%", "15%", "28%", "30%"],
                elem_id="eval-questions",
            )
        eval_outputs = [eval_status, eval_summary, eval_plots, eval_questions, eval_md, eval_zip]
        eval_btn.click(
            evaluation.run, eval_file, eval_outputs, api_name="evaluate", concurrency_limit=1
        ).then(
            lambda: None, None, eval_file, api_visibility="private"
        )  # the box empties, ready for the next set (the report names the one asked)

        list_btn.click(articles.table_for, None, table, api_name="list_articles")
        list_btn.click(articles.info_for, None, info, api_name="info")  # the settings line, for scripts

        # The page's language: set when it loads and by the switch; both then rewrite what the
        # server built (the switch also starts a new chat, so no answer keeps the old language).
        def localised(shown: TableView | None, request: gr.Request) -> tuple[Any, ...]:
            lg = request_language(request)
            heading, empty_article = chat.localised(lg)
            frame, listed = articles.table(lg, shown)  # the pager counts what the table now lists
            return (
                heading,
                empty_article,
                articles.info(lg),
                frame,
                listed,
                articles.pager(listed, request)[0],
                gr.update(choices=sort_choices(lg)),
                render.placeholder_html(t("select_article", lg)),
                "",  # the last ingest's or deletion's message was in the old language
                gr.update(visible=False),
                feeds_markdown(qa, lg),
                gr.update(label=t("tab_chat", lg)),
                gr.update(label=t("tab_articles", lg)),
                gr.update(label=t("tab_eval", lg)),
                evaluation.intro(lg),
                *Evaluation.empty(""),  # the last run's report was in the old language
            )

        texts = [
            panel_md,
            article,
            info,
            table,
            view,
            pager,
            sort,
            preview,
            status,
            confirm_row,
            web.feeds,
            chat_tab,
            articles_tab,
            eval_tab,
            eval_intro,
            *eval_outputs,
        ]
        loaded = demo.load(None, js=LANG_JS).then(localised, view, texts, api_visibility="private")
        switched = switch.click(None, js=SWITCH_JS).then(localised, view, texts, api_visibility="private")
        for event in (loaded, switched):
            event.then(chat.scope_choices, scope.pickers, scope.pickers, **private).then(
                chat.scope_status, scope.inputs, scope.status, **private
            )
        switched.then(
            lambda: ([], [], gr.update(choices=[], value=None)),
            None,
            [chatbot, turns, sources],
            api_visibility="private",
        )
    return demo


def sort_choices(lang: str) -> list[tuple[str, str]]:
    """The sort picker's ``(label, key)`` choices in ``lang``."""
    return [(t(f"sort_{key}", lang), key) for key in SORTS]


def _example_js(key: str) -> str:
    """Client-side only: an example button puts its question, as the page shows it, in the question box."""
    return f"() => document.querySelector('#ex-{key}').innerText.trim()"
