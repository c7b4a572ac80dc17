"""Training examples from the production candidate generator over a real temporary store.

For every question: the candidates serving would rank (``find_candidates``), what is known of each
(``describe``), the ranker's feature matrix, and per candidate whether it holds the gold answer
(the evaluation's own ``unit_correct``). The same code path as ``HybridRetriever.retrieve``, so
features cannot drift between training and serving.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.api import NewsQA
from qa.eval.datasets import EvalSet, Example
from qa.eval.metrics import Unit, unit_correct
from qa.eval.runner import gold_for, ingest_articles, question_language
from qa.retrieval.candidates import CandidateLimits, describe, find_candidates
from qa.retrieval.features import features
from qa.types import Passage


@dataclass(slots=True)
class Collected:
    """One question's candidates: features, gold labels and the passages (for abstention)."""

    question: str
    language: str
    answerable: bool
    group: str  # the gold article (or the question's id): cross-validation folds never split one
    set_name: str
    x: np.ndarray
    y: np.ndarray
    passages: list[Passage]


@contextmanager
def training_store(data_dir: str | None, distractors: str | None = None) -> Iterator[NewsQA]:
    """A store to train on: a temporary one, or ``data_dir`` kept for the next run (articles already
    stored are unchanged and cost nothing to add again); ``distractors``: a 10kGNAD CSV stored too."""
    from qa.eval.distractors import load_distractors
    from qa.settings import Settings

    with ExitStack() as stack:
        root = data_dir or stack.enter_context(tempfile.TemporaryDirectory(prefix="newsqa-train-"))
        qa = NewsQA(Settings(data_dir=Path(root)))
        if distractors:
            qa.add_articles(load_distractors(distractors))
        yield qa


def ingest_sets(qa: NewsQA, *sets: EvalSet) -> dict[str, tuple[dict, dict]]:
    """Add every set's articles to the store; per set, ``(key -> Article, key -> stored id)``."""
    return {s.name: ingest_articles(qa, s, False, {}, None) for s in sets}


def collect(
    qa: NewsQA, evalset: EvalSet, ingested: tuple[dict, dict], examples: Sequence[Example] | None = None
) -> list[Collected]:
    """The candidates, features and labels of each question of ``evalset`` (or of ``examples``)."""
    articles, ids = ingested
    out = []
    for example in tqdm(examples or evalset.examples, desc=f"candidates: {evalset.name}", leave=False):
        gold = gold_for(example, ids, articles)
        view = find_candidates(qa.store, example.question, CandidateLimits())  # what serving uses
        candidates, passages = describe(qa.store, view, view.ids)
        labels = [unit_correct(Unit(p.article_id, p.start, p.end, p.text), gold) for p in passages]
        out.append(
            Collected(
                question=example.question,
                language=question_language(example),
                answerable=example.answerable,
                group=gold.article_id or example.id,
                set_name=evalset.name,
                x=features(example.question, candidates),
                y=np.asarray(labels, dtype=bool),
                passages=passages,
            )
        )
    return out
