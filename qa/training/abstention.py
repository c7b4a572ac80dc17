"""Fit the abstention model on production candidates: ``python -m qa.training.abstention``.

Answerable questions are XQuAD-de dev's and the news dev set's; unanswerable ones are the news
set's written ones plus, per article fold, the questions about articles left out of the store
(so "not in the sources" is learned from real near misses, not invented questions). The threshold
is the highest that keeps cross-validated wrongful abstention at or below ``MAX_WRONG_ABSTAIN``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.retrieval.abstention import FEATURE_NAMES, WEIGHTS_PATH, question_features
from qa.retrieval.ranker import SentenceRanker
from qa.training.collect import Collected
from qa.training.fit import fit_logreg, folds, logits
from qa.types import Passage

MAX_WRONG_ABSTAIN = 0.05
C = 0.3


def ranked(q: Collected, ranker: SentenceRanker) -> list[Passage]:
    """The question's passages scored by the ranker, best first, as the answerer receives them."""
    scores = ranker.probabilities(q.x) if q.passages else np.zeros(0)
    scored = [p.model_copy(update={"score": float(s)}) for p, s in zip(q.passages, scores, strict=True)]
    return sorted(scored, key=lambda p: p.score, reverse=True)


def matrix(collected: Sequence[Collected], ranker: SentenceRanker) -> tuple[np.ndarray, np.ndarray]:
    x = np.vstack([question_features(q.question, ranked(q, ranker)) for q in collected])
    return x, np.array([q.answerable for q in collected])


def threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The highest probability cut that abstains on at most ``MAX_WRONG_ABSTAIN`` of answerable ones."""
    answerable = np.sort(p[y])
    return float(answerable[math.floor(MAX_WRONG_ABSTAIN * len(answerable))]) if len(answerable) else 0.5


def report(x: np.ndarray, y: np.ndarray, groups: Sequence[str], k: int = 5) -> dict[str, Any]:
    """Cross-validated (by article fold) wrongful abstention and abstention on unanswerable ones."""
    p = np.zeros(len(y))
    for held in folds(groups, k):
        train = np.setdiff1d(np.arange(len(y)), held)
        spec = fit_logreg(x[train], y[train], C)
        p[held] = 1 / (1 + np.exp(-logits(spec, x[held])))
    cut = threshold(p, y)
    return {
        "answerable": int(y.sum()),
        "unanswerable": int((~y).sum()),
        "cv_threshold": cut,
        "cv_wrongful_abstention": float((p[y] < cut).mean()),
        "cv_abstained_unanswerable": float((p[~y] < cut).mean()),
    }


def main(argv: list[str] | None = None) -> int:
    from qa.api import NewsQA
    from qa.settings import Settings
    from qa.training.collect import collect, ingest_sets
    from qa.training.sets import held_out_articles, news_dev, xquad_dev

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--xquad", default="../shared/data/xquad.de.json", help="XQuAD-de JSON (dev split used)"
    )
    parser.add_argument("--gnad", default="../shared/data/10kgnad_test.csv", help="10kGNAD test CSV")
    parser.add_argument("--write", action="store_true", help=f"export the weights to {WEIGHTS_PATH}")
    args = parser.parse_args(argv)
    xquad, news = xquad_dev(args.xquad), news_dev(args.gnad)
    kept, gone = held_out_articles(xquad, fold=0, folds=4)
    with tempfile.TemporaryDirectory(prefix="newsqa-train-") as tmp:
        qa = NewsQA(Settings(data_dir=Path(tmp)))
        ingested = ingest_sets(qa, kept, news)
        kept_questions = [
            e for e in kept.examples if e.article is None or e.article in ingested[kept.name][1]
        ]
        collected = collect(qa, kept, ingested[kept.name], kept_questions)
        collected += collect(qa, gone, ({}, {}))
        collected += collect(qa, news, ingested[news.name])
    x, y = matrix(collected, SentenceRanker.from_default())
    figures = report(x, y, [q.group for q in collected])
    spec = fit_logreg(x, y, C)
    p = 1 / (1 + np.exp(-logits(spec, x)))
    spec = {"features": list(FEATURE_NAMES), **spec, "threshold": threshold(p, y)}
    print(json.dumps(figures, indent=2))
    if args.write:
        WEIGHTS_PATH.write_text(json.dumps(spec) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
