"""Fit the sentence ranker on production candidates: ``python -m qa.training.ranker``.

Asks XQuAD-de dev and the news dev set of a temporary store (optionally with distractors), fits a
listwise ranker on the candidates' features (``fit.fit_listwise``; ``--pointwise``: the logistic
regression shipped before), reports article-fold
cross-validated hit@1 next to the shipped weights on the same candidates, and with ``--write``
exports the weights.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from qa.retrieval.features import FEATURE_NAMES
from qa.retrieval.ranker import SentenceRanker
from qa.training import cli
from qa.training.collect import Collected
from qa.training.fit import fit_listwise, fit_logreg, folds, logits
from qa.training.sets import NEWS_SET

C = 0.5
# A news question counts as much as an XQuAD one: the news set is large enough to hold its share of
# the fit, and weighing it more costs XQuAD-de without helping news (docs/benchmarks.md).
NEWS_WEIGHT = 1.0


def train(collected: Sequence[Collected], listwise: bool = True) -> dict[str, Any]:
    """Weights for the answerable questions whose gold sentence is among the candidates.

    Listwise (what ships): each question's softmax over its candidates, news questions weighted
    ``NEWS_WEIGHT``; ``listwise=False`` is the pointwise logistic regression shipped before
    (docs/benchmarks.md compares them).
    """
    usable = [q for q in collected if q.answerable and q.y.any()]
    if listwise:
        weights = [NEWS_WEIGHT if q.set_name == NEWS_SET else 1.0 for q in usable]
        spec = fit_listwise([q.x for q in usable], [q.y for q in usable], weights=weights)
    else:
        x = np.vstack([q.x for q in usable])
        y = np.concatenate([q.y for q in usable])
        # every question weighs the same, however many candidates it has
        weight = np.concatenate([np.full(len(q.y), 1.0 / len(q.y)) for q in usable]) * len(y) / len(usable)
        spec = fit_logreg(x, y, C, weight)
    return {"features": list(FEATURE_NAMES), **spec}


def hit_at(collected: Sequence[Collected], score: Any, k: int = 1) -> float:
    """Share of answerable questions whose top-``k`` candidates by ``score(x)`` hold the gold."""
    answerable = [q for q in collected if q.answerable]
    hits = [bool(q.y[np.argsort(-score(q.x))[:k]].any()) if len(q.y) else False for q in answerable]
    return float(np.mean(hits)) if hits else 0.0


def cross_validated(collected: Sequence[Collected], listwise: bool = True, k: int = 5) -> dict[int, bool]:
    """Per answerable question (by index): does its top candidate hold the gold, scored by weights
    fitted on the other article folds."""
    hits: dict[int, bool] = {}
    for held in folds([q.group for q in collected], k):
        held_set = set(held.tolist())
        spec = train([q for i, q in enumerate(collected) if i not in held_set], listwise)
        for i in held:
            q = collected[i]
            if q.answerable:
                hits[int(i)] = bool(len(q.y)) and bool(q.y[np.argmax(logits(spec, q.x))])
    return hits


def _share(hits: dict[int, bool], where: Any) -> float:
    chosen = [hit for i, hit in hits.items() if where(i)]
    return round(float(np.mean(chosen)), 3) if chosen else 0.0


def main(argv: list[str] | None = None) -> int:
    from qa.embeddings.factory import embedding_name
    from qa.training.collect import collect, ingest_sets, training_store
    from qa.training.sets import news_dev, xquad_dev

    parser = cli.parser(__doc__.split("\n")[0])
    parser.add_argument("--pointwise", action="store_true", help="fit the earlier pointwise ranker")
    args = parser.parse_args(argv)
    sets = [xquad_dev(args.xquad), news_dev(args.gnad)]
    with training_store(args.data_dir, args.gnad if args.distractors else None) as qa:
        ingested = ingest_sets(qa, *sets)
        per_set = {s.name: collect(qa, s, ingested[s.name]) for s in sets}
        model = embedding_name(qa.embeddings)
    collected = [q for questions in per_set.values() for q in questions]
    report: dict[str, Any] = {
        "model": model,
        "questions": len(collected),
        "gold_among_candidates": float(np.mean([q.y.any() for q in collected if q.answerable])),
    }
    hits = cross_validated(collected, not args.pointwise)
    set_of = [name for name, questions in per_set.items() for _ in questions]
    report["cv_hit@1"] = _share(hits, lambda i: True)
    for name in per_set:
        for language in ("de", "en"):
            chosen = {
                i: hit for i, hit in hits.items() if set_of[i] == name and collected[i].language == language
            }
            if chosen:
                report[f"cv_hit@1 {name} {language}"] = _share(chosen, lambda i: True)
    try:
        shipped = SentenceRanker.for_model(model)
        report["shipped_hit@1"] = {name: hit_at(qs, shipped.logits) for name, qs in per_set.items()}
    except (ValueError, OSError) as exc:  # no shipped weights, or of another feature set
        report["shipped_hit@1"] = str(exc)
    spec = train(collected, not args.pointwise)
    report["fitted_hit@1 (on its own training data)"] = hit_at(collected, lambda x: logits(spec, x))
    print(json.dumps(report, indent=2))
    if args.write:
        spec["trained_on"] = [s.name for s in sets] + (["10kGNAD distractors"] if args.distractors else [])
        cli.write_weights(model, "ranker", spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
