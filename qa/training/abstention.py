"""Fit the abstention model on production candidates: ``python -m qa.training.abstention``.

Answerable questions are XQuAD-de dev's and the news dev set's; unanswerable ones are the news
set's written ones plus the questions about every other XQuAD-de dev article, asked after that
article is deleted from the store (so "not in the sources" is learned from real near misses:
the rest of the store answers with what it has). Per question language, the threshold keeps
cross-validated wrongful abstention at or below ``MAX_WRONG_ABSTAIN``; the probabilities it is
chosen on are serving's, ``absent_names`` included.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from qa.retrieval.absent_names import absent_names
from qa.retrieval.abstention import FEATURE_NAMES, question_features
from qa.retrieval.hybrid import lacking_names
from qa.retrieval.ranker import SentenceRanker
from qa.store import ArticleStore
from qa.text.language import detect_language
from qa.training import cli
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


def answers_nothing(store: ArticleStore, q: Collected, ranker: SentenceRanker) -> bool:
    """Whether serving abstains before the model is asked (``qa.retrieval.hybrid.lacking_names``
    and ``AbstentionModel.probability_answerable``'s own rule)."""
    best_first = ranked(q, ranker)
    if not best_first or absent_names(q.question, best_first):
        return True
    return bool(lacking_names(store, q.question, best_first))


def threshold(p: np.ndarray, y: np.ndarray) -> float:
    """A cut that abstains on at most ``MAX_WRONG_ABSTAIN`` of the answerable ones: midway between
    the last answerable probability it gives up and the first it keeps (not on the latter, where a
    question scoring a hair lower would flip); half the lowest when it may give up none."""
    answerable = np.sort(p[y])
    if not len(answerable):
        return 0.5
    k = math.floor(MAX_WRONG_ABSTAIN * len(answerable))
    return float(answerable[0] / 2 if k == 0 else (answerable[k - 1] + answerable[k]) / 2)


def report(
    x: np.ndarray, y: np.ndarray, groups: Sequence[str], english: np.ndarray, gated: np.ndarray, k: int = 5
) -> dict[str, Any]:
    """Cross-validated (by article fold) cuts per language, wrongful abstention and abstention on
    unanswerable ones; ``gated``: questions ``absent_names`` answers for (probability 0)."""
    p = np.zeros(len(y))
    for held in folds(groups, k):
        train = np.setdiff1d(np.arange(len(y)), held)
        spec = fit_logreg(x[train], y[train], C)
        p[held] = 1 / (1 + np.exp(-logits(spec, x[held])))
    p[gated] = 0.0
    figures: dict[str, Any] = {"answerable": int(y.sum()), "unanswerable": int((~y).sum())}
    for name, mask in (("", ~english), ("_en", english)):
        cut = threshold(p[mask], y[mask])
        figures[f"cv_threshold{name}"] = cut
        figures[f"cv_wrongful_abstention{name}"] = float((p[y & mask] < cut).mean())
        figures[f"cv_abstained_unanswerable{name}"] = float((p[~y & mask] < cut).mean())
    return figures


def main(argv: list[str] | None = None) -> int:
    from qa.embeddings.factory import embedding_name
    from qa.training.collect import collect, ingest_sets, training_store
    from qa.training.sets import news_dev, xquad_dev

    args = cli.parser(__doc__.split("\n")[0]).parse_args(argv)
    xquad, news = xquad_dev(args.xquad), news_dev(args.gnad)
    with training_store(args.data_dir, args.gnad if args.distractors else None) as qa:
        ingested = ingest_sets(qa, xquad, news)
        ids = ingested[xquad.name][1]
        held = {key for n, key in enumerate(sorted(ids)) if n % 2}  # every other XQuAD dev article
        for key in held:
            qa.delete(ids[key])
        try:
            asked = [e for e in xquad.examples if e.article not in held]
            gone = [
                replace(e, answers=(), starts=(), evidence=()) for e in xquad.examples if e.article in held
            ]
            collected = collect(qa, xquad, ingested[xquad.name], asked)
            collected += collect(qa, xquad, ({}, {}), gone)
            collected += collect(qa, news, ingested[news.name])
            model = embedding_name(qa.embeddings)
            ranker = SentenceRanker.for_model(model)
            # as serving decides: no candidates, an absent name, or a name the answering article
            # lacks (read while the held-out articles are still deleted) answer nothing
            gated = np.array([answers_nothing(qa.store, q, ranker) for q in collected])
        finally:
            ingest_sets(qa, xquad)  # a kept store gets its held-out articles back
    x, y = matrix(collected, ranker)
    english = np.array([detect_language(q.question) == "en" for q in collected])
    figures = report(x, y, [q.group for q in collected], english, gated)
    # the cross-validated cuts: probabilities of questions the model was fitted on are overconfident
    spec = {"features": list(FEATURE_NAMES), **fit_logreg(x, y, C)}
    spec |= {"threshold": figures["cv_threshold"], "threshold_en": figures["cv_threshold_en"]}
    print(json.dumps(figures, indent=2))
    if args.write:
        cli.write_weights(model, "abstention", spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
