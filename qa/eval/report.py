"""``EvalReport``: per-question records plus their summary, as JSON, Markdown and PNG plots.

The JSON keeps every question (question, language, gold, answer, citations, metrics, timings,
article, split) so a surprising number can be traced to the questions behind it; the Markdown
puts the systems side by side per split, per language and with / without distractors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from qa.eval.summary import METRICS, summarize
from qa.text.phrases import count, phrase

SYSTEM_LABEL = {
    "newsqa": "newsqa",
    "langchain": "LangChain naive (chunks)",
    "bm25": "BM25 only",
}
CONDITION_LABEL = {"none": "without distractors", "distractors": "with distractors"}


@dataclass(slots=False)
class EvalReport:
    """The result of :func:`qa.eval.evaluate`."""

    records: list[dict]
    config: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @cached_property
    def summary(self) -> dict:
        """``summary[condition][system][split][language]`` -> metric name -> value."""
        return summarize(self.records)

    def metric(self, name: str, system: str = "newsqa", split: str = "all", condition: str = "none",
               language: str = "all") -> float | None:  # fmt: skip
        """One number from the summary, e.g. ``report.metric("first_citation", split="test")``."""
        return self.summary[condition][system][split][language][name]

    def to_dict(self) -> dict:
        return {"config": self.config, "meta": self.meta, "summary": self.summary, "records": self.records}

    def markdown(self) -> str:
        return render_markdown(self)

    def asked_of(self, condition: str = "none", language: str = "en") -> str:
        """What a condition's questions were asked of: "Asked of your store (3 articles)", …"""
        return asked_of(self.config, self.meta, condition, language)

    @property
    def splits(self) -> list[str]:
        """The rows of the summary tables: each split the set names and ``all``, or ``["all"]``
        alone for a set without splits (one set, never halved)."""
        return _splits({r["split"]: None for r in self.records} | {"all": None})

    def write(self, out_dir: str | Path, plots: bool = True, language: str = "en") -> dict[str, Path]:
        """Write ``report.json``, ``summary.md`` and the PNG plots (their words in ``language``);
        returns their paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"json": out / "report.json", "markdown": out / "summary.md"}
        paths["json"].write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        paths["markdown"].write_text(self.markdown(), encoding="utf-8")
        if plots:
            from qa.eval.plots import write_plots

            paths.update(write_plots(self, out, language))
        return paths


def _fmt(value: float | None, scale: float = 1.0, digits: int = 3) -> str:
    return "–" if value is None else f"{value * scale:.{digits}f}"


def _splits(per_system: dict) -> list[str]:
    named = [s for s in per_system if s != "all"]
    return [*named, "all"] if len(named) > 1 else named or ["all"]


def asked_of(config: dict, meta: dict, condition: str = "none", language: str = "en") -> str:
    """The heading of one condition: the store it asked (and how many articles), or the set's own
    articles, with the distractors when they joined."""
    if config.get("store"):
        stored = count(meta.get("store_articles", 0), "article", language)
        return phrase("asked_store", language, articles=stored)
    if condition == "distractors" and "distractors" in meta:
        d = meta["distractors"]
        extra = count(d["articles"], "article", language)
        return phrase("asked_distractors", language, distractors=extra, file=d["file"])
    return phrase("asked_set", language, articles=count(meta.get("articles", 0), "article", language))


def render_markdown(report: EvalReport) -> str:
    """The summary tables: systems side by side per split, then languages, latency and distractors."""
    s, meta = report.summary, report.meta
    lines = [f"# Evaluation: {meta.get('dataset', '')}", ""]
    settings = ", ".join(f"{k}={v}" for k, v in report.config.items())
    lines += [f"Settings: {settings}. Corpus: {_corpus(meta)}.", ""]
    splits = report.splits
    by_split = splits != ["all"]  # a set without splits is one set: no split column
    header = ["system", *(["split"] if by_split else []), "n", *(label for _, label in METRICS)]
    header.append("chars cited")
    for condition, systems in s.items():
        lines += [f"## {report.asked_of(condition)}", ""]
        lines += _table(header)
        for system, per_split in systems.items():
            for split in splits:
                m = per_split[split]["all"]
                row = [SYSTEM_LABEL.get(system, system), *([split] if by_split else []), str(m["n"])]
                row += [_fmt(m[key]) for key, _ in METRICS] + [_fmt(m["cited_chars"], digits=0)]
                lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    lines += _fallbacks(report.records) + _languages(s) + _latency(s) + _distractor_delta(s)
    return "\n".join(lines).rstrip() + "\n"


def _fallbacks(records: Sequence[dict]) -> list[str]:
    """A warning when the configured answerer failed on some questions and its fallback answered:
    those rows measure the fallback, not the model (a server killed mid-run looked like this)."""
    fell = [r for r in records if r.get("fallback")]
    if not fell:
        return []
    return [
        f"**{len(fell)} of {len(records)} answers came from the fallback**, not the configured answerer; "
        f"first notice: {fell[0]['fallback']}",
        "",
    ]


def _corpus(meta: dict) -> str:
    articles = meta.get("articles", meta.get("store_articles", "?"))
    parts = [count(articles, "article", "en") if isinstance(articles, int) else f"{articles} articles"]
    if "sentences" in meta:
        sentences = count(meta["sentences"], "sentence", "en")
        parts.append(f"{sentences}, ingested in {meta.get('ingest_s', '?')} s")
    if "langchain_chunks" in meta:
        parts.append(f"{meta['langchain_chunks']} LangChain chunks")
    if "distractors" in meta:
        d = meta["distractors"]
        distractors = count(d["articles"], "article", "en")
        parts.append(f"distractors: {distractors} of {d['file']} ({meta['distractor_ingest_s']} s)")
    return "; ".join(parts)


def _table(header: list[str]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]


def _conditions(s: dict) -> tuple[list[str], dict[str, list[str]]]:
    """The condition column of the tables below: only when a run has both conditions."""
    both = len(s) > 1
    return (["condition"] if both else []), {c: [CONDITION_LABEL.get(c, c)] if both else [] for c in s}


def _languages(s: dict) -> list[str]:
    keys = ["first_citation", "citation_recall", "hit@1", "hit@5", "mrr", "contains_gold",
            "wrongful_abstention", "abstain_rate"]  # fmt: skip
    labels = dict(METRICS)
    head, cond = _conditions(s)
    header = [*head, "system", "language", "n", *(labels[k] for k in keys)]
    lines = ["## By question language", "", *_table(header)]
    for condition, systems in s.items():
        for system, per_split in systems.items():
            for language, m in per_split["all"].items():
                if language != "all":
                    row = [*cond[condition], SYSTEM_LABEL.get(system, system), language, str(m["n"])]
                    lines.append("| " + " | ".join(row + [_fmt(m[k]) for k in keys]) + " |")
    return [*lines, ""]


def _latency(s: dict) -> list[str]:
    head, cond = _conditions(s)
    head += ["system", "retrieval p50", "retrieval p95", "answer p50", "answer p95", "total p50", "total p95"]
    lines = ["## Latency per question (ms)", "", *_table(head)]
    for condition, systems in s.items():
        for system, per_split in systems.items():
            m = per_split["all"]["all"]
            cells = [
                _fmt(m[f"{st}_ms_{p}"], digits=1)
                for st in ("retrieve", "answer", "total")
                for p in ("p50", "p95")
            ]
            row = [*cond[condition], SYSTEM_LABEL.get(system, system), *cells]
            lines.append("| " + " | ".join(row) + " |")
    return [*lines, ""]


def _distractor_delta(s: dict) -> list[str]:
    if "distractors" not in s or "none" not in s:
        return []
    keys = ["first_citation", "citation_recall", "hit@1", "hit@5", "hit@20", "mrr", "wrongful_abstention",
            "abstain_rate", "total_ms_p50"]  # fmt: skip
    labels = dict(METRICS) | {"total_ms_p50": "total p50 ms"}
    header = ["system", *(labels[k] for k in keys)]
    lines = ["## Cost of the distractors (with − without, all questions)", "", *_table(header)]
    for system in s["none"]:
        a, b = s["none"][system]["all"]["all"], s["distractors"][system]["all"]["all"]
        cells = [
            "–" if a[k] is None or b[k] is None else f"{b[k] - a[k]:+.{1 if 'ms' in k else 3}f}" for k in keys
        ]
        lines.append("| " + " | ".join([SYSTEM_LABEL.get(system, system), *cells]) + " |")
    return [*lines, ""]
