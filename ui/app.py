"""The Gradio page: a chat with a sources panel, and an articles tab to add and delete articles.

One ``NewsQA`` is shared by all sessions (its store serialises writes); everything a session owns
(its answers, hence what a citation marker points at) lives in a ``gr.State``, so two people asking
at once each get their own answer and their own sources.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no look-ups

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from ingest.readers import SUPPORTED_EXTENSIONS
from qa.api import NewsQA, QuestionError
from qa.types import Answer
from ui import render
from ui.assets import SCROLL_JS
from ui.web_sources import build_web_sources, wire_web_sources

EXAMPLES = [
    "Was wies der Generalstab in Kiew zurück?",
    "Was drohte Medwedew den ukrainischen Soldaten an?",
    "Was sagte Selenskyj?",
]


class UI:
    """The page's callbacks, bound to one shared ``NewsQA``."""

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa

    # ---- header ------------------------------------------------------------------------------
    def info(self) -> str:
        from qa.embeddings.factory import embedding_name

        s = self.qa.settings
        return render.info_line(
            self.qa.answerer.name, embedding_name(self.qa.embeddings), self.qa.store.count(), s.llm_model
        )

    # ---- chat --------------------------------------------------------------------------------
    def respond(
        self, message: str, history: list[dict], turns: list[Answer] | None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer, then replace it with the linked answer and its "Sources" box."""
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
            gr.ChatMessage(role="assistant", content=render.answer_markdown(final, turn)),
            gr.ChatMessage(
                role="assistant",
                content=render.sources_markdown(final),
                metadata={"title": render.sources_title(final), "status": "done"},
            ),
        ]
        choices = render.source_choices(final, turn)
        first = choices[0][1] if choices else None
        html = self.show(first, turns) if first else render.placeholder_html("No passages found.")
        yield (
            messages,
            turns,
            gr.update(choices=choices, value=first),
            html,
            render.panel_heading(final),
        )

    def show(self, key: str | None, turns: list[Answer] | None) -> str:
        """The article of a citation or passage key, the chosen sentence in focus."""
        parsed = render.parse_key(key or "")
        if not parsed or not turns or parsed[0] >= len(turns):
            return render.placeholder_html("Select a source to read it in its article.")
        turn, kind, number = parsed
        chosen, cited, retrieved = render.focus_for(turns[turn], kind, number)
        if chosen is None:
            return render.placeholder_html("That source is not part of this answer.")
        article = self.qa.article(chosen.article_id)
        if article is None:
            return render.placeholder_html("The article of this source has been deleted.")
        return render.article_html(article, cited, retrieved, focus=chosen.sentence_index)

    def show_from_marker(self, key: str, turns: list[Answer] | None) -> tuple[Any, str, Any]:
        """A marker click: the sources list switches to that marker's answer (an earlier one too),
        with the marker selected, so the list and the highlighted article always agree."""
        parsed = render.parse_key(key)
        if not parsed or not turns or parsed[0] >= len(turns):
            return gr.skip(), self.show(key, turns), gr.skip()
        answer = turns[parsed[0]]
        choices = gr.update(choices=render.source_choices(answer, parsed[0]), value=key)
        return (
            choices,
            self.show(key, turns),
            render.panel_heading(answer, latest=parsed[0] == len(turns) - 1),
        )

    # ---- articles ----------------------------------------------------------------------------
    def table(self) -> list[list[object]]:
        return render.article_rows(self.qa.articles())

    def ingest_files(
        self, files: list[str] | None, progress: gr.Progress | None = None
    ) -> tuple[str, Any, str]:
        """Ingest uploaded files; bad ones are reported by name and change nothing."""
        progress = progress or gr.Progress()
        if not files:
            return "Choose one or more files first.", self.table(), self.info()
        staged = self._stage(files)
        progress(0, desc="Reading files")

        def tick(done: int, total: int) -> None:
            progress(done / max(total, 1), desc=f"Embedding {done}/{total} sentences")

        result = self.qa.ingest([p for p, _ in staged], progress=tick)
        names = {str(p): name for p, name in staged}
        for problem in result.problems:  # keep only files that made it into the store
            Path(problem.path).unlink(missing_ok=True)
        lines = [self._summary(result.report)]
        lines += [
            f"- **Rejected {render.inert(names.get(p.path, Path(p.path).name))}:** "
            f"{render.inert(p.message.replace(str(Path(p.path).parent) + '/', ''))}"
            for p in result.problems
        ]
        return "\n".join(lines), self.table(), self.info()

    def _stage(self, files: list[str]) -> list[tuple[Path, str]]:
        """Copy uploads to ``<data_dir>/uploads/<name>``: a stable path gives a stable article id, so
        uploading a changed file again replaces its old version instead of adding a second one.

        Only the base name of an upload is used (no ``..`` or directories), and the copy is renamed
        over ``dest``: a symlink planted there is replaced, never written through."""
        target = Path(self.qa.settings.data_dir) / "uploads"
        target.mkdir(parents=True, exist_ok=True)
        staged = []
        for f in files:
            src = Path(getattr(f, "name", f))
            name = src.name  # the base name only: no directory part of what the client sent
            if name in ("", ".", ".."):
                name = "upload.txt"
            dest = target / name
            fd, tmp = tempfile.mkstemp(dir=target, prefix=".staging-", suffix=dest.suffix)
            os.close(fd)
            try:
                shutil.copyfile(src, tmp)
                os.replace(tmp, dest)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            staged.append((dest, name))
        return staged

    def add_text(
        self, title: str, text: str, progress: gr.Progress | None = None
    ) -> tuple[str, Any, str, Any, Any]:
        """Add pasted text as an article; a blank text is refused with a message."""
        progress = progress or gr.Progress()
        if not (text or "").strip():
            return (
                "Paste some text first: the text is empty.",
                self.table(),
                self.info(),
                gr.skip(),
                gr.skip(),
            )
        progress(0, desc="Embedding")
        try:
            report = self.qa.add_text(title or "", text)
        except ValueError as exc:  # IngestError is a ValueError
            return f"**Rejected:** {render.inert(str(exc))}", self.table(), self.info(), gr.skip(), gr.skip()
        return self._summary(report), self.table(), self.info(), "", ""

    def select_article(self, table: Any, evt: gr.SelectData) -> tuple[str, str]:
        """A click on a table row selects that article (for deletion) and previews it."""
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        try:
            article_id = str(table.iloc[row][render.TABLE_HEADERS[-1]])
        except (AttributeError, IndexError, KeyError):
            return "", render.placeholder_html("Select an article.")
        return article_id, self.preview(article_id)

    def preview(self, article_id: str) -> str:
        article = self.qa.article(article_id) if article_id else None
        if article is None:
            return render.placeholder_html("Select an article to read it.")
        return render.article_html(article)

    def delete(self, article_id: str) -> tuple[str, Any, str, str, str]:
        article_id = (article_id or "").strip()
        if not article_id:
            msg = "Select an article in the table first."
        elif self.qa.delete(article_id):
            msg = f"Deleted article `{render.esc(article_id)}`."
        else:
            msg = f"No article with id `{render.esc(article_id)}` (already deleted?)."
        return msg, self.table(), self.info(), "", render.placeholder_html("Select an article to read it.")

    def _summary(self, report: Any) -> str:
        parts = [
            f"{len(report.added)} added",
            f"{len(report.replaced)} replaced",
            f"{len(report.unchanged)} unchanged",
            f"{len(report.duplicates)} duplicates",
        ]
        head = "**Done:**" if report.changed else "**Nothing added.**"
        return f"{head} {', '.join(parts)}; {report.sentences} sentences in {report.seconds:.1f} s."


def build_app(qa: NewsQA) -> gr.Blocks:
    """The whole page; ``ui.server.launch`` serves it."""
    ui = UI(qa)
    with gr.Blocks(title="newsqa", fill_height=False) as demo:
        turns = gr.State([])
        with gr.Row():
            gr.Markdown("## newsqa · Fragen an die Nachrichten")
        info = gr.Markdown(ui.info, elem_id="info-line")
        with gr.Tab("Chat"), gr.Row(equal_height=False):
            with gr.Column(scale=5, elem_id="chat-col"):
                panel_md = gr.Markdown(render.panel_heading(None), render=False)
                sources = gr.Radio(
                    choices=[], label="Sources", elem_id="sources-list", render=False, interactive=True
                )
                article = gr.HTML(
                    render.placeholder_html("Select a source to read it in its article."),
                    elem_id="article-box",
                    render=False,
                )
                chatbot = gr.Chatbot(
                    elem_id="chatbot",
                    show_label=False,
                    height="66vh",
                    placeholder="Fragen Sie etwas zu den Artikeln.",
                )
                gr.ChatInterface(
                    ui.respond,
                    chatbot=chatbot,
                    textbox=gr.Textbox(placeholder="Ihre Frage …", submit_btn=True, scale=7),
                    additional_inputs=[turns],
                    additional_outputs=[turns, sources, article, panel_md],
                    examples=[[q, None] for q in EXAMPLES],
                    api_name="chat",
                    concurrency_limit=4,
                    fill_height=False,
                )
            with gr.Column(scale=4):
                panel_md.render()
                sources.render()
                article.render()
                key = gr.Textbox(elem_id="cite-key", elem_classes="hidden-ctl", show_label=False)
                go = gr.Button("show", elem_id="cite-go", elem_classes="hidden-ctl")
        sources.input(ui.show, [sources, turns], article, api_name="show_source")
        go.click(ui.show_from_marker, [key, turns], [sources, article, panel_md], api_name="show_marker")
        article.change(None, None, None, js=SCROLL_JS)  # also after a new answer: centre its citation

        with gr.Tab("Articles"), gr.Row(equal_height=False):
            with gr.Column(scale=1):
                files = gr.File(
                    label="Upload articles (.txt .md .html .json .jsonl)",
                    file_count="multiple",
                    file_types=sorted(SUPPORTED_EXTENSIONS),
                    type="filepath",
                )
                ingest_btn = gr.Button("Ingest files", variant="primary")
                with gr.Accordion("… or paste an article", open=False):
                    title = gr.Textbox(label="Title")
                    text = gr.Textbox(label="Text", lines=8)
                    paste_btn = gr.Button("Add article")
                web = build_web_sources(qa)
                status = gr.Markdown(elem_id="ingest-status")
            with gr.Column(scale=2):
                table = gr.Dataframe(
                    value=ui.table,
                    headers=render.TABLE_HEADERS,
                    datatype=["str", "str", "number", "str", "str"],
                    interactive=False,
                    label="Stored articles (click a row to select it)",
                    elem_id="articles-table",
                    wrap=True,
                )
                with gr.Row():
                    selected = gr.Textbox(label="Selected article id", interactive=False, scale=3)
                    delete_btn = gr.Button("Delete selected", variant="stop", scale=1)
                preview = gr.HTML(render.placeholder_html("Select an article to read it."), elem_id="preview")

        ingest_btn.click(ui.ingest_files, files, [status, table, info], api_name="ingest_files")
        paste_btn.click(ui.add_text, [title, text], [status, table, info, title, text], api_name="add_text")
        wire_web_sources(ui, web, status, table, info)
        table.select(ui.select_article, table, [selected, preview], api_visibility="private")
        delete_btn.click(
            ui.delete, selected, [status, table, info, selected, preview], api_name="delete_article"
        )
        demo.load(ui.table, None, table, api_name="list_articles")
    return demo
