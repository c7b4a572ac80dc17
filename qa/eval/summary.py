"""Aggregate per-question records into metric tables: by condition, system, split and language.

Answer, citation and retrieval metrics are means over answerable questions (a metric that does
not apply to a question, e.g. citation precision of an abstention, is left out of its mean);
abstention rates are means over unanswerable questions; latencies are percentiles over all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

# (key in the summary, key in the record's metrics or a derived name, table header)
METRICS: tuple[tuple[str, str], ...] = (
    ("first_citation", "first cit."),
    ("citation_recall", "cit. recall"),
    ("citation_precision", "cit. prec."),
    ("char_precision", "char prec."),
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
    ("hit@20", "hit@20"),
    ("mrr", "MRR"),
    ("em", "EM"),
    ("f1", "F1"),
    ("contains_gold", "has gold"),
    ("answered_citation", "cit. ok (answered)"),
    ("grounded", "grounded"),
    ("verified", "verified"),
    ("by_model", "model cited"),
    ("aligned", "aligned"),
    ("wrongful_abstention", "wrong abst."),
    ("abstain_rate", "abstain (unans.)"),
)
_SOURCE = {"mrr": "rr"}


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def aggregate(records: Sequence[dict]) -> dict:
    """Metrics of one group of records (one system, condition, split and language)."""
    answerable = [r for r in records if r["metrics"]["answerable"]]
    unanswerable = [r for r in records if not r["metrics"]["answerable"]]
    out: dict = {"n": len(records), "n_answerable": len(answerable), "n_unanswerable": len(unanswerable)}
    for key, _ in METRICS:
        if key == "wrongful_abstention":
            out[key] = _mean(float(r["abstained"]) for r in answerable)
        elif key == "abstain_rate":
            out[key] = _mean(float(r["abstained"]) for r in unanswerable)
        elif key in ("grounded", "verified", "by_model", "aligned"):
            out[key] = _mean(r["metrics"].get(key) for r in records)
        else:
            out[key] = _mean(r["metrics"].get(_SOURCE.get(key, key)) for r in answerable)
    out["cited_chars"] = _mean(float(r["metrics"]["cited_chars"]) for r in records if r["citations"])
    for stage in ("retrieve", "answer", "total"):
        times = np.array([r["timings"][stage] for r in records]) * 1000
        out[f"{stage}_ms_p50"] = float(np.percentile(times, 50)) if len(times) else None
        out[f"{stage}_ms_p95"] = float(np.percentile(times, 95)) if len(times) else None
    return out


def summarize(records: Sequence[dict]) -> dict:
    """``summary[condition][system][split][language]`` -> metrics; ``"all"`` pools splits/languages."""
    summary: dict = {}
    for condition in dict.fromkeys(r["condition"] for r in records):
        for system in dict.fromkeys(r["system"] for r in records):
            group = [r for r in records if r["condition"] == condition and r["system"] == system]
            if not group:
                continue
            per_split: dict = {}
            for split in [*sorted({r["split"] for r in group}), "all"]:
                in_split = [r for r in group if split in ("all", r["split"])]
                per_lang = {"all": aggregate(in_split)}
                for language in sorted({r["language"] for r in in_split}):
                    per_lang[language] = aggregate([r for r in in_split if r["language"] == language])
                per_split[split] = per_lang
            summary.setdefault(condition, {})[system] = per_split
    return summary


def per_article(records: Sequence[dict], system: str, condition: str = "none") -> dict[str, float]:
    """First-citation accuracy per gold article (answerable questions that name one)."""
    by_article: dict[str, list[float]] = {}
    for r in records:
        name = r.get("article_title") or r.get("article")
        if name and r["system"] == system and r["condition"] == condition and r["metrics"]["answerable"]:
            by_article.setdefault(str(name), []).append(r["metrics"]["first_citation"])
    return {a: sum(v) / len(v) for a, v in by_article.items()}


def hit_curve(records: Sequence[dict], system: str, condition: str = "none", max_k: int = 20) -> list[float]:
    """hit@k for k = 1..max_k: share of answerable questions with the gold unit in the top k."""
    ranks = [
        r["metrics"]["gold_rank"]
        for r in records
        if r["system"] == system and r["condition"] == condition and r["metrics"]["answerable"]
    ]
    if not ranks:
        return []
    return [sum(1 for x in ranks if x is not None and x <= k) / len(ranks) for k in range(1, max_k + 1)]
