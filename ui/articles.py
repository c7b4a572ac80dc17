"""The articles tab's callbacks: upload or paste articles, list them, read one, delete one.

Messages are in the page's language (``ui.strings.request_language``, from each request). A
rejected file gets one line naming it once; a deletion asks first, naming the article's title.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.text.phrases import ingest_summary
from ui import render
from ui.paging import DEFAULT_SORT, TableView, page_of
from ui.strings import request_language, t, table_headers

if TYPE_CHECKING:
    import pandas as pd

    from qa.api import NewsQA
    from qa.store import IngestReport


class Articles:
    """The articles tab's callbacks, bound to one shared ``NewsQA``."""

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa

    def info_for(self, request: gr.Request | None = None) -> str:
        """The ``info`` endpoint: the settings line in the caller's language."""
        return self.info(request_language(request))

    def info(self, lang: str) -> str:
        """The settings line at the top of the page (answerer, embeddings, article count)."""
        from qa.embeddings.factory import embedding_name

        return render.info_line(
            self.qa.answerer.name,
            embedding_name(self.qa.embeddings),
            self.qa.store.count(),
            self.qa.settings.llm_model,
            language=lang,
        )

    def table_for(self, request: gr.Request | None = None) -> Any:  # no hint Gradio cannot resolve
        """The ``list_articles`` endpoint: every stored article (a script pages by itself), newest
        first, with headers in the caller's language."""
        import pandas as pd

        rows = render.article_rows(self.qa.articles())
        return pd.DataFrame(rows, columns=table_headers(request_language(request)))

    def table(self, lang: str, view: TableView | None = None) -> tuple[pd.DataFrame, TableView]:
        """The page of the table ``view`` asks for (searched and sorted first), headers in the page's
        language, and the view with what the listing found (its page clamped to the pages there are)."""
        import pandas as pd

        rows, shown = page_of(render.article_rows(self.qa.articles()), view or TableView())
        return pd.DataFrame(rows, columns=table_headers(lang)), shown

    def previous_page(
        self, view: TableView | None, request: gr.Request | None = None
    ) -> tuple[Any, TableView]:
        return self._turn(view, -1, request)

    def next_page(self, view: TableView | None, request: gr.Request | None = None) -> tuple[Any, TableView]:
        return self._turn(view, 1, request)

    def _turn(self, view: TableView | None, step: int, request: gr.Request | None) -> tuple[Any, TableView]:
        view = view or TableView()
        return self.table(request_language(request), replace(view, page=view.page + step))

    def search(
        self, query: str, view: TableView | None, request: gr.Request | None = None
    ) -> tuple[Any, TableView]:
        """The first page of the articles with ``query`` in their title, source or a date."""
        return self.table(request_language(request), replace(view or TableView(), query=query or "", page=1))

    def sort(
        self, key: str, view: TableView | None, request: gr.Request | None = None
    ) -> tuple[Any, TableView]:
        """The first page in the order ``key`` names (``ui.paging.SORTS``)."""
        return self.table(
            request_language(request), replace(view or TableView(), sort=key or DEFAULT_SORT, page=1)
        )

    def pager(self, view: TableView | None, request: gr.Request | None = None) -> tuple[str, Any, Any]:
        """The pager line, and the previous and next buttons usable only where there is a page to go to."""
        view = view or TableView()
        line = render.pager_line(view, request_language(request))
        return line, gr.update(interactive=view.page > 1), gr.update(interactive=view.page < view.pages)

    def ingest_files(
        self,
        files: list[str] | None,
        view: TableView | None = None,
        request: gr.Request | None = None,
        progress: gr.Progress | None = None,
    ) -> tuple[str, Any, TableView, str]:
        """Ingest uploaded files; bad ones are reported by name, one line each, and change nothing."""
        lang = request_language(request)
        progress = progress or gr.Progress()
        if not files:
            return t("choose_files", lang), *self.table(lang, view), self.info(lang)
        staged = self._stage(files)
        progress(0, desc=t("reading", lang))

        def tick(done: int, total: int) -> None:
            progress(done / max(total, 1), desc=t("embedding_n", lang, done=done, total=total))

        result = self.qa.ingest([p for p, _ in staged], progress=tick)
        names = {str(p): name for p, name in staged}
        for problem in result.problems:  # keep only files that made it into the store
            Path(problem.path).unlink(missing_ok=True)
        lines = [self.summary(result.report, lang)]
        for p in result.problems:
            name = names.get(p.path, Path(p.path).name)
            message = p.message.replace(p.path, name)  # the staged path means nothing to the user
            if not message.startswith(name):
                message = f"{name}: {message}"
            lines.append("- " + t("rejected", lang, message=render.inert(message)))
        return "\n".join(lines), *self.table(lang, view), self.info(lang)

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
        self,
        title: str,
        text: str,
        view: TableView | None = None,
        request: gr.Request | None = None,
        progress: gr.Progress | None = None,
    ) -> tuple[Any, ...]:
        """Add pasted text as an article; a blank text is refused with a message."""
        lang = request_language(request)
        progress = progress or gr.Progress()
        if not (text or "").strip():
            return t("empty_text", lang), *self.table(lang, view), self.info(lang), gr.skip(), gr.skip()
        progress(0, desc=t("embedding", lang))
        try:
            report = self.qa.add_text(title or "", text)
        except ValueError as exc:  # IngestError is a ValueError
            message = t("rejected", lang, message=render.inert(str(exc)))
            return message, *self.table(lang, view), self.info(lang), gr.skip(), gr.skip()
        return self.summary(report, lang), *self.table(lang, view), self.info(lang), "", ""

    def select_article(
        self, evt: gr.SelectData, request: gr.Request | None = None
    ) -> tuple[str, str, str, Any]:
        """A click on a table row selects that article (for deletion) and previews it.

        The row's own values name the article, so a sorted or searched table selects the row shown."""
        lang = request_language(request)
        row = evt.row_value or []
        article_id = str(row[-1]) if row else ""
        article = self.qa.article(article_id) if article_id else None
        if article is None:
            return "", "", render.placeholder_html(t("select_article", lang)), gr.update(visible=False)
        chosen = f"**{render.inert(article.title)}**"
        return article_id, chosen, render.article_html(article, language=lang), gr.update(visible=False)

    def ask_delete(self, article_id: str, request: gr.Request | None = None) -> tuple[str, Any]:
        """The confirmation before a deletion, naming the article's title."""
        lang = request_language(request)
        stored = {a.id: a for a in self.qa.articles()}.get((article_id or "").strip())
        if stored is None:
            return t("select_first", lang), gr.update(visible=False)
        question = t("confirm_delete", lang, title=render.inert(stored.title))
        return question, gr.update(visible=True)

    def delete(
        self, article_id: str, view: TableView | None = None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Delete the selected article; the message names its title."""
        lang = request_language(request)
        article_id = (article_id or "").strip()
        title = next((a.title for a in self.qa.articles() if a.id == article_id), "")
        if not article_id:
            msg = t("select_first", lang)
        elif self.qa.delete(article_id):
            msg = t("deleted", lang, title=render.inert(title))
        else:
            msg = t("no_article", lang, id=render.esc(article_id))
        placeholder = render.placeholder_html(t("select_article", lang))
        hidden = gr.update(visible=False)
        return msg, *self.table(lang, view), self.info(lang), "", "", placeholder, hidden

    def summary(self, report: IngestReport, lang: str) -> str:
        head = t("done" if report.changed else "nothing_added", lang)
        return f"{head} {ingest_summary(report, lang)}"
