"""Training reads the production candidates: what it collects is what serving ranks."""

from __future__ import annotations

import numpy as np
from helpers import GENERALSTAB, SEED

from qa.eval.datasets import EvalArticle, EvalSet, Example
from qa.retrieval.features import FEATURE_NAMES
from qa.training.abstention import matrix
from qa.training.collect import collect, ingest_sets
from qa.training.ranker import hit_at, train


def test_collected_candidates_are_what_the_retriever_ranks(make_qa) -> None:
    qa = make_qa()
    text = SEED.read_text(encoding="utf-8")
    evalset = EvalSet(
        "seed",
        [
            Example(
                "q1", "Was wies der Generalstab in Kiew zurück?", (), evidence=(GENERALSTAB,), article="seed"
            ),
            Example("q2", "Wer ist Vize-Vorsitzender des Sicherheitsrates?", ("Medwedew",), article="seed"),
            Example("q3", "Was sagte Joe Biden über Kanada?", (), article=None),
        ],
        [EvalArticle("seed", "Seed", text, "dev")],
    )
    ingested = ingest_sets(qa, evalset)[evalset.name]
    collected = collect(qa, evalset, ingested)
    first = collected[0]
    served = qa.retriever.retrieve(first.question).passages
    assert {p.sentence_id for p in first.passages} == {p.sentence_id for p in served}
    assert first.x.shape == (len(first.passages), len(FEATURE_NAMES))
    # the label marks exactly the gold sentence
    assert [p.text for p, y in zip(first.passages, first.y, strict=True) if y] == [GENERALSTAB]
    assert not collected[2].answerable and not collected[2].y.any()
    spec = train(collected)
    assert spec["features"] == list(FEATURE_NAMES) and len(spec["coef"]) == len(FEATURE_NAMES)
    assert hit_at(collected[:1], lambda x: x[:, FEATURE_NAMES.index("bm25")]) in (0.0, 1.0)
    x, y = matrix(collected, qa.retriever.ranker)
    assert x.shape[0] == 3 and list(y) == [True, True, False] and np.isfinite(x).all()
