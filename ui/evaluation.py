"""The Evaluation tab's callback: a question set the user uploads, asked of the store the page serves.

A thin face on ``qa.eval.evaluate`` (the CLI's ``newsqa eval FILE --store``): it reads the set,
runs it with a progress bar, and turns the ``EvalReport`` into the page's pieces (the summary
table in the page's language, the plots, one row per question, the report files to download).
A run is bounded (``MAX_QUESTIONS``, fewer when a model answers); a bad file gets one line,
naming the line or field.
"""

from __future__ import annotations

import base64
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from ui import render
from ui.session import session_folder
from ui.strings import count, request_language, t

if TYPE_CHECKING:
    import pandas as pd

    from qa.api import NewsQA
    from qa.eval import EvalReport

LOG = logging.getLogger(__name__)

MAX_QUESTIONS = 300
"""Questions asked per run from the page; a larger set is sampled (seed 0: the same sample each
time), so one upload cannot hold the shared answerer for long (~0.1 s a question, extractive)."""
MAX_MODEL_QUESTIONS = 30
"""The same bound when a language model answers (``llm``, ``local``): seconds a question, and an
``llm`` run spends the server's API budget."""

PLOTS = (("hit_at_k", "plot_hit_at_k"), ("per_article", "plot_per_article"), ("latency", "plot_latency"))
QUESTION_COLUMNS = ("q_n", "q_question", "q_result", "q_answer", "q_citations")
LATENCY_ROWS = ("total_ms_p50", "total_ms_p95")


class Evaluation:
    """The Evaluation tab's callbacks, bound to one shared ``NewsQA``."""

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa
        # one folder for the process, one subfolder per session (removed when its tab closes)
        self._reports = tempfile.TemporaryDirectory(prefix="newsqa-eval-page-")

    def max_questions(self) -> int:
        """Questions a run asks at most with the answerer this page serves."""
        return MAX_QUESTIONS if self.qa.settings.active_answerer == "extractive" else MAX_MODEL_QUESTIONS

    def intro(self, lang: str) -> str:
        """The tab's introduction, with the bound on a run (and why it is low, for a model)."""
        limit, answerer = self.max_questions(), self.qa.settings.active_answerer
        text = t("eval_intro", lang, limit=limit)
        return text if answerer == "extractive" else f"{text} {t('eval_model_cap', lang, answerer=answerer)}"

    def run(
        self, path: str | None, request: gr.Request | None = None, progress: gr.Progress | None = None
    ) -> tuple[Any, ...]:
        """Ask the uploaded set of the store; returns the status line, the summary, the plots,
        the questions table and the two downloads."""
        from qa.eval import DatasetError, evaluate, load_dataset

        lang = request_language(request)
        progress = progress or gr.Progress()
        if not path:
            return self.empty(t("eval_choose", lang))
        if self.qa.store.count() == 0:
            return self.empty(t("eval_empty_store", lang))
        progress(0, desc=t("eval_reading", lang))
        name = Path(path).name
        started = time.perf_counter()
        try:
            evalset = load_dataset(path)
        except (DatasetError, RecursionError, UnicodeError) as exc:  # a bad file: one line, naming it
            return self.empty(t("eval_bad", lang, message=render.inert(about_file(exc, path, name))))
        notes, most = [], self.max_questions()
        if len(evalset.examples) > most:
            notes.append(t("eval_capped", lang, n=len(evalset.examples), limit=most))
        if evalset.articles:
            notes.append(t("eval_own_articles", lang))

        def tick(done: int, total: int) -> None:
            progress(done / max(total, 1), desc=t("eval_asking", lang, done=done, total=total))

        limit = most if len(evalset.examples) > most else None
        try:
            report = evaluate(evalset, qa=self.qa, limit=limit, progress=tick)
        except DatasetError as exc:  # the set, found wanting once selected (still the file's fault)
            return self.empty(t("eval_bad", lang, message=render.inert(about_file(exc, path, name))))
        except Exception as exc:  # the answerer, the store, …: not the file; said as such, logged
            LOG.exception("evaluation of %s failed", name)
            return self.empty(t("eval_failed", lang, message=render.inert(one_line(exc))))
        seconds = number(time.perf_counter() - started, lang, 1)
        asked = count(report.meta["questions"], "question", lang)
        answerer = render.esc(report.config["answerer"])
        done = t("eval_done", lang, questions=asked, seconds=seconds, answerer=answerer)
        try:
            files = self.write(report, request, lang)
        except Exception as exc:  # the run's figures stand; the files (and plots) are missing: say so
            LOG.exception("the report of %s was not written", name)
            message = one_line(exc).replace(self._reports.name, "…")
            notes.append(t("eval_write_failed", lang, message=render.inert(message)))
            files = {}
        hidden = gr.update(value=None, visible=False)
        return (
            "\n\n".join([done, *notes]),
            summary_markdown(report, lang),
            plots_html(files, lang),
            gr.update(value=self.questions(report, lang), visible=True),
            gr.update(value=str(files["markdown"]), visible=True) if files else hidden,
            gr.update(value=str(files["zip"]), visible=True) if files else hidden,
        )

    @staticmethod
    def empty(status: str) -> tuple[Any, ...]:
        """The tab with ``status`` and no result (before a run, after a refused one)."""
        hidden = gr.update(value=None, visible=False)
        return status, "", "", hidden, hidden, hidden

    def write(self, report: EvalReport, request: gr.Request | None, lang: str) -> dict[str, Path]:
        """The report's files in the session's folder (the last run's only), and all of them zipped."""
        folder = session_folder(self._reports.name, request)
        shutil.rmtree(folder, ignore_errors=True)
        files = report.write(folder / "newsqa-eval", language=lang)
        archive = shutil.make_archive(str(folder / "newsqa-eval"), "zip", folder, "newsqa-eval")
        return {**files, "zip": Path(archive)}

    def forget_session(self, request: gr.Request | None = None) -> None:
        """A closed tab's report files go with it."""
        shutil.rmtree(session_folder(self._reports.name, request), ignore_errors=True)

    def questions(self, report: EvalReport, lang: str) -> pd.DataFrame:
        """One row per question: what was asked, how it went, the answer and what it cited."""
        import pandas as pd

        titles = {a.id: a.title for a in self.qa.articles()}
        rows = []
        for n, r in enumerate((r for r in report.records if r["condition"] == "none"), start=1):
            cited = [
                f"[{i}] „{render.short(c['text'], 200)}“ — {titles.get(c['article_id'], c['article_id'])}"
                for i, c in enumerate(r["citations"], start=1)
            ]
            rows.append([n, r["question"], t(result_key(r), lang), r["answer"], "\n".join(cited)])
        return pd.DataFrame(rows, columns=[t(k, lang) for k in QUESTION_COLUMNS])


def result_key(record: dict) -> str:
    """How one question went, as the string key of its verdict."""
    m = record["metrics"]
    if not m["answerable"]:
        return "res_abstained" if record["abstained"] else "res_answered"
    if m.get("first_citation"):
        return "res_right"
    if m.get("citation_recall"):
        return "res_later"
    return "res_abstained_wrongly" if record["abstained"] else "res_wrong"


def summary_markdown(report: EvalReport, lang: str) -> str:
    """The report's summary for newsqa as one table in ``lang``: a row per metric that applies to
    some column, a column per split (when the set names splits) and per question language."""
    from qa.eval.summary import METRICS

    summary = report.summary["none"]["newsqa"]
    columns: list[tuple[str, dict]] = []
    # the split names and language codes come from the file: inert, whatever the loader let in
    for split in (s for s in report.splits if s != "all"):  # none for a set without splits
        columns.append((f"{render.inert(split)} ({summary[split]['all']['n']})", summary[split]["all"]))
    columns.append((t("eval_all", lang, n=summary["all"]["all"]["n"]), summary["all"]["all"]))
    languages = [k for k in summary["all"] if k != "all"]
    if len(languages) > 1:
        for code in languages:
            m = summary["all"][code]
            own = f"{render.inert(code)} ({m['n']})"
            label = t(f"eval_lang_{code}", lang, n=m["n"]) if code in ("de", "en") else own
            columns.append((label, m))
    lines = [f"### {report.asked_of(language=lang)}", ""]
    lines += ["| " + " | ".join([t("eval_metric", lang), *(c for c, _ in columns)]) + " |"]
    lines += ["|---|" + "---:|" * len(columns)]
    for key in [k for k, _ in METRICS] + list(LATENCY_ROWS):
        values = [m.get(key) for _, m in columns]
        if all(v is None for v in values):
            continue  # e.g. the LLM's figures for the extractive answerer
        digits = 1 if key in LATENCY_ROWS else 3
        cells = [number(v, lang, digits) for v in values]
        lines.append("| " + " | ".join([t(f"m_{key}", lang), *cells]) + " |")
    return "\n".join(lines) + "\n"


def about_file(exc: BaseException, path: str, name: str) -> str:
    """What is wrong with an uploaded file, naming it by its name (not the server's path)."""
    return one_line(exc).replace(str(path), name)


def one_line(exc: BaseException) -> str:
    """An exception as one line of the page: its message's first line, else its type."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def number(value: float | None, lang: str, digits: int = 3) -> str:
    """A figure as the page's language writes it (``0,500`` in German); ``–`` where none applies."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "de" else text


def plots_html(files: dict[str, Path], lang: str) -> str:
    """The report's plots, inline (``data:`` images: nothing fetched, nothing served), captioned."""
    figures = []
    for key, caption in PLOTS:
        if key in files:
            data = base64.b64encode(files[key].read_bytes()).decode("ascii")
            label = render.esc(t(caption, lang))
            figures.append(
                f'<figure class="eval-plot"><img src="data:image/png;base64,{data}" alt="{label}">'
                f"<figcaption>{label}</figcaption></figure>"
            )
    return f'<div class="eval-plots">{"".join(figures)}</div>'
