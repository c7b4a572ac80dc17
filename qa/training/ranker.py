"""Fit the sentence ranker on production candidates: ``python -m qa.training.ranker``.

Asks XQuAD-de dev and the news dev set of a temporary store (optionally with distractors), fits
a logistic regression on the candidates' features, reports article-fold cross-validated hit@1
next to the shipped weights on the same candidates, and with ``--write`` exports the weights.
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
from qa.training.fit import fit_logreg, folds, logits

C = 0.5


def train(collected: Sequence[Collected], c: float = C) -> dict[str, Any]:
    """Weights for the answerable questions whose gold sentence is among the candidates."""
    usable = [q for q in collected if q.answerable and q.y.any()]
    x = np.vstack([q.x for q in usable])
    y = np.concatenate([q.y for q in usable])
    # every question weighs the same, however many candidates it has
    weight = np.concatenate([np.full(len(q.y), 1.0 / len(q.y)) for q in usable]) * len(y) / len(usable)
    spec = fit_logreg(x, y, c, weight)
    return {"features": list(FEATURE_NAMES), **spec}


def hit_at(collected: Sequence[Collected], score: Any, k: int = 1) -> float:
    """Share of answerable questions whose top-``k`` candidates by ``score(x)`` hold the gold."""
    answerable = [q for q in collected if q.answerable]
    hits = [bool(q.y[np.argsort(-score(q.x))[:k]].any()) if len(q.y) else False for q in answerable]
    return float(np.mean(hits)) if hits else 0.0


def cross_validated(collected: Sequence[Collected], k: int = 5) -> float:
    """hit@1 with each article fold scored by weights fitted on the other folds."""
    groups = [q.group for q in collected]
    hits, total = 0.0, 0
    for held in folds(groups, k):
        test = [collected[i] for i in held]
        train_set = [q for i, q in enumerate(collected) if i not in set(held.tolist())]
        spec = train(train_set)
        n = sum(q.answerable for q in test)
        hits += hit_at(test, lambda x, s=spec: logits(s, x)) * n
        total += n
    return hits / max(1, total)


def main(argv: list[str] | None = None) -> int:
    from qa.embeddings.factory import embedding_name
    from qa.training.collect import collect, ingest_sets, training_store
    from qa.training.sets import news_dev, xquad_dev

    args = cli.parser(__doc__.split("\n")[0]).parse_args(argv)
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
        "cv_hit@1": cross_validated(collected),
    }
    try:
        shipped = SentenceRanker.for_model(model)
        report["shipped_hit@1"] = {name: hit_at(qs, shipped.logits) for name, qs in per_set.items()}
    except (ValueError, OSError) as exc:  # no shipped weights, or of another feature set
        report["shipped_hit@1"] = str(exc)
    spec = train(collected)
    report["fitted_hit@1 (on its own training data)"] = hit_at(collected, lambda x: logits(spec, x))
    print(json.dumps(report, indent=2))
    if args.write:
        spec["trained_on"] = [s.name for s in sets] + (["10kGNAD distractors"] if args.distractors else [])
        cli.write_weights(model, "ranker", spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
