"""Hybrid retrieval that returns ranked source sentences, not just chunks.

The candidates (:mod:`qa.retrieval.candidates`) come from dense chunk search and BM25 over
sentences and chunks; the learned :class:`~qa.retrieval.ranker.SentenceRanker` turns what is known
of each into the probability that the sentence answers the question. Sentences are what get cited;
chunks only lend their context.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass

from qa.embeddings.factory import embedding_name
from qa.retrieval.absent_names import has_name_run, unmentioned_by_article
from qa.retrieval.candidates import CandidateLimits, describe, find_candidates
from qa.retrieval.cues import text_info
from qa.retrieval.followup import is_thin
from qa.retrieval.ranker import SentenceRanker
from qa.store import ArticleStore
from qa.text.stopwords import content_stems
from qa.text.tokens import tokens
from qa.types import Passage


@dataclass(frozen=True, slots=True)
class Retrieval:
    """All candidates for one question, best first, with the scores they were ranked by.

    ``lacking``: names the question asks about that the best candidate's article never mentions
    though other sources do (:func:`lacking_names`); then the sources do not answer it.
    """

    question: str
    passages: list[Passage]
    lacking: tuple[str, ...] = ()


class HybridRetriever:
    """Dense candidates over chunks and BM25 ones over sentences and chunks, ranked by the sentence ranker."""

    def __init__(
        self,
        store: ArticleStore,
        ranker: SentenceRanker | None = None,
        limits: CandidateLimits | None = None,
    ) -> None:
        self.store = store
        self.ranker = ranker or SentenceRanker.for_model(embedding_name(store.embeddings))
        self.limits = limits or CandidateLimits()

    def retrieve(self, question: str, context: str = "", allowed: Set[str] | None = None) -> Retrieval:
        """Rank every candidate sentence for ``question``; an empty store gives no passages.

        ``context`` (a follow-up's previous question) widens the candidate set; the ranking uses the
        question itself unless it is too thin to rank by ("Und wann war das?"). ``allowed``: only
        sentences of these article ids (a selection, qa/selection.py); none at all when it is empty.
        """
        store = self.store
        store.refresh()
        # The lexical index holds every stored sentence (kept in step with Chroma): asking it costs
        # microseconds, a Chroma ``count`` a round trip.
        if (
            len(store.sentence_index) == 0
            or not (content_stems(question) or context)
            or (allowed is not None and not allowed)
        ):
            return Retrieval(question, [])  # nothing stored, or a question with nothing to look up
        combined = f"{question} {context}".strip()
        found = [find_candidates(store, question, self.limits, allowed)]
        if context:
            found.append(find_candidates(store, combined, self.limits, allowed))
        ids = list(dict.fromkeys(i for f in found for i in f.ids))
        rank_by = found[-1] if context and is_thin(question) else found[0]
        candidates, passages = describe(store, rank_by, ids)
        for passage, score in zip(passages, self.ranker.score(rank_by.text, candidates), strict=True):
            passage.score = float(score)
        codes_first(question, passages)
        ranked = sorted(passages, key=lambda p: p.score, reverse=True)
        return Retrieval(question, ranked, tuple(lacking_names(store, question, ranked)))


def lacking_names(store: ArticleStore, question: str, ranked: Sequence[Passage]) -> list[str]:
    """Names of ``question`` the article of its best candidate never mentions, though another
    candidate does (``qa.retrieval.absent_names.unmentioned_by_article``); the whole article is
    read, not only its candidate sentences, so a name said once further down still counts."""
    if not ranked or not has_name_run(question):
        return []
    article = store.get_article(ranked[0].article_id)
    return unmentioned_by_article(question, ranked, article) if article is not None else []


def codes_first(question: str, passages: Sequence[Passage]) -> None:
    """A question naming codes ("Nummer4x0", "A380", "LH400": letters and digits in one word) is
    answered first by the sentences holding all of them: the others' scores are capped below the
    best such sentence's. The ranker sees codes too rarely in training to weigh an exact match,
    and near-identical sentences differing only in the code are otherwise a coin toss."""
    codes = {t for t in tokens(question) if any(c.isdigit() for c in t) and any(c.isalpha() for c in t)}
    if not codes:
        return
    holds = [codes <= text_info(p.text).tset for p in passages]
    if any(holds):
        cap = 0.9 * max(p.score for p, held in zip(passages, holds, strict=True) if held)
        for p, held in zip(passages, holds, strict=True):
            if not held:
                p.score = min(p.score, cap)
