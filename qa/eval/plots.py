"""PNG plots of an ``EvalReport``: hit@k curves, per-article first-citation accuracy, latency.

matplotlib is imported here only (Agg backend: no display needed), so the CLI's help and the
rest of the package never pay for it. Their words come in German and English (``TEXT``): the web
page's Evaluation tab shows them in the page's language, the CLI writes them in English.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.eval.summary import hit_curve, per_article

if TYPE_CHECKING:
    from qa.eval.report import EvalReport

TEXT: dict[str, dict[str, str]] = {
    "hit_title": {"de": "Treffer@k der Suche", "en": "Retrieval hit@k"},
    "hit_axis": {"de": "Treffer@k (richtiger Satz unter den ersten k)", "en": "hit@k (gold unit in top k)"},
    "distractors": {"de": " + Ablenker", "en": " + distractors"},
    "article_title": {"de": "Erstes Zitat richtig, je Artikel", "en": "First-citation accuracy per article"},
    "article_axis": {"de": "erstes Zitat richtig", "en": "first citation correct"},
    "latency_title": {"de": "newsqa: Zeit je Frage", "en": "newsqa latency per question"},
    "ms": {"de": "ms je Frage", "en": "ms per question"},
    "questions": {"de": "Fragen", "en": "questions"},
    "retrieve": {"de": "Suche", "en": "retrieve"},
    "answer": {"de": "Antwort", "en": "answer"},
    "total": {"de": "gesamt", "en": "total"},
}


def write_plots(report: EvalReport, out: Path, language: str = "en") -> dict[str, Path]:
    """The PNGs in ``out``; the per-article plot only when the questions name their articles.

    Titles, article names and system labels come from the data: matplotlib would read ``$…$`` in
    them as mathtext (and raise on ``$\\frac{$``), so no text of these plots is parsed as math.
    """
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context({"text.parse_math": False}):  # also while saving: ticks are drawn then
        return _write_plots(report, out, language)


def _write_plots(report: EvalReport, out: Path, language: str) -> dict[str, Path]:
    import matplotlib.pyplot as plt

    from qa.eval.report import SYSTEM_LABEL

    systems = list(dict.fromkeys(r["system"] for r in report.records))
    conditions = list(dict.fromkeys(r["condition"] for r in report.records))
    paths: dict[str, Path] = {}
    lang = language if language in ("de", "en") else "en"

    def text(key: str) -> str:
        return TEXT[key][lang]

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for condition in conditions:
        for system in systems:
            curve = hit_curve(report.records, system, condition)
            if curve:
                style = "-" if condition == "none" else "--"
                extra = "" if condition == "none" else text("distractors")
                label = SYSTEM_LABEL.get(system, system) + extra
                ax.plot(range(1, len(curve) + 1), curve, style, marker=".", label=label)
    ax.set(xlabel="k", ylabel=text("hit_axis"), title=text("hit_title"), ylim=(0, 1))
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    paths["hit_at_k"] = _save(fig, out / "hit_at_k.png")

    scores = {s: per_article(report.records, s) for s in systems}
    articles = list(scores["newsqa"]) if scores.get("newsqa") else []
    if articles:
        path = out / "per_article_first_citation.png"
        paths["per_article"] = _per_article(plt, path, scores, articles, systems, text)

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))  # answering is ~100x faster: own axis
    rows = [r for r in report.records if r["system"] == "newsqa" and r["condition"] == "none"]
    for ax, stages in ((left, ("retrieve", "total")), (right, ("answer",))):
        for stage in stages:
            ax.hist([r["timings"][stage] * 1000 for r in rows], bins=40, alpha=0.5, label=text(stage))
        ax.set(xlabel=text("ms"), ylabel=text("questions"))
        ax.legend()
    fig.suptitle(text("latency_title"))
    paths["latency"] = _save(fig, out / "latency.png")
    return paths


def _per_article(
    plt: Any, path: Path, scores: dict, articles: list[str], systems: list[str], text: Callable[[str], str]
) -> Path:
    from qa.eval.report import SYSTEM_LABEL

    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.28 * len(articles) + 1)))
    height = 0.8 / max(1, len(systems))
    for i, system in enumerate(systems):
        ys = [j + i * height for j in range(len(articles))]
        ax.barh(
            ys, [scores[system].get(a, 0.0) for a in articles], height, label=SYSTEM_LABEL.get(system, system)
        )
    ax.set_yticks(
        [j + 0.4 - height / 2 for j in range(len(articles))], [a[:40] for a in articles], fontsize=7
    )
    ax.invert_yaxis()
    ax.set(xlabel=text("article_axis"), title=text("article_title"), xlim=(0, 1))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
