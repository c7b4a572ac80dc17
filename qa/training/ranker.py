"""Fit the sentence ranker on production candidates: ``python -m qa.training.ranker``.

Asks XQuAD-de dev and the news dev set of a temporary store (optionally with distractors), fits
a logistic regression on the candidates' features, reports article-fold cross-validated hit@1
next to the shipped weights on the same candidates, and with ``--write`` exports the weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.retrieval.features import FEATURE_NAMES
from qa.retrieval.ranker import WEIGHTS_PATH, SentenceRanker
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
    from qa.api import NewsQA
    from qa.eval.distractors import load_distractors
    from qa.settings import Settings
    from qa.training.collect import collect, ingest_sets
    from qa.training.sets import news_dev, xquad_dev

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--xquad", default="../shared/data/xquad.de.json", help="XQuAD-de JSON (dev split used)"
    )
    parser.add_argument("--gnad", default="../shared/data/10kgnad_test.csv", help="10kGNAD test CSV")
    parser.add_argument("--distractors", action="store_true", help="store all 10kGNAD rows as distractors")
    parser.add_argument("--write", action="store_true", help=f"export the weights to {WEIGHTS_PATH}")
    args = parser.parse_args(argv)
    sets = [xquad_dev(args.xquad), news_dev(args.gnad)]
    with tempfile.TemporaryDirectory(prefix="newsqa-train-") as tmp:
        qa = NewsQA(Settings(data_dir=Path(tmp)))
        ingested = ingest_sets(qa, *sets)
        if args.distractors:
            qa.add_articles(load_distractors(args.gnad))
        collected = [q for s in sets for q in collect(qa, s, ingested[s.name])]
    shipped = SentenceRanker.from_default()
    report = {
        "questions": len(collected),
        "gold_among_candidates": float(np.mean([q.y.any() for q in collected if q.answerable])),
        "shipped_hit@1": hit_at(collected, shipped.logits),
        "cv_hit@1": cross_validated(collected),
    }
    spec = train(collected)
    report["fitted_hit@1 (on its own training data)"] = hit_at(collected, lambda x: logits(spec, x))
    print(json.dumps(report, indent=2))
    if args.write:
        spec["trained_on"] = [s.name for s in sets] + (["10kGNAD distractors"] if args.distractors else [])
        WEIGHTS_PATH.write_text(json.dumps(spec) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
