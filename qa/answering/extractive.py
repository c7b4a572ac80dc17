"""The offline default: the answer is the source sentences themselves, each one cited.

No generative model that answers German well can be installed offline, so this answerer never
writes a word of its own beyond the "not in the sources" notice: it quotes the sentences the ranker
is confident about, so every claim in the answer is a source sentence verbatim. Whether to answer
at all is a question-level decision (:class:`~qa.retrieval.abstention.AbstentionModel`: is this answered by
the store?), because the ranker's best probability alone cannot tell "a weak match for an
answerable question" from "a generic match for a question about something never mentioned".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from qa.answering.base import Answerer
from qa.answering.stories import order_reports
from qa.retrieval.abstention import AbstentionModel
from qa.retrieval.cues import ASKS_SAYING, question_names, text_info
from qa.retrieval.weights import DEFAULT_MODEL
from qa.text.phrases import earlier_report, not_in_sources
from qa.types import Answer, Citation, Passage

_PIECE = re.compile(r"\S+\s*")


class ExtractiveAnswerer(Answerer):
    """Quotes the top-ranked sentence, plus close runners-up, with ``[n]`` markers."""

    name = "extractive"

    def __init__(
        self,
        abstain_below: float | None = None,
        max_citations: int = 3,
        top_k: int = 5,
        runner_up_ratio: float = 0.6,
        runner_up_floor: float = 0.03,
        abstention: AbstentionModel | None = None,
        model: str = DEFAULT_MODEL,
    ) -> None:
        """``model``: the embedding model whose candidates the answerer judges (it picks the
        abstention weights). ``abstain_below``: threshold on the abstention model's probability that
        the question is answerable, for both languages (``None``: the ones trained with the model).
        Runners-up are cited when their ranker score is at least ``runner_up_ratio`` of the best
        one's and at least ``runner_up_floor``."""
        self.abstain_below = abstain_below
        self.max_citations = max_citations
        self.top_k = top_k
        self.runner_up_ratio = runner_up_ratio
        self.runner_up_floor = runner_up_floor
        self._abstention = abstention
        self.model = model

    @property
    def abstention(self) -> AbstentionModel:
        """Loaded on first use, so building the answerer stays free."""
        if self._abstention is None:
            self._abstention = AbstentionModel.for_model(self.model)
        return self._abstention

    @property
    def threshold(self) -> float:
        """The configured threshold, else the one trained with the abstention model (German)."""
        return self.abstention.threshold if self.abstain_below is None else self.abstain_below

    def threshold_for(self, question: str) -> float:
        """The configured threshold, else the trained one for the question's language."""
        return self.abstention.threshold_for(question) if self.abstain_below is None else self.abstain_below

    def answerable(self, question: str, passages: Sequence[Passage]) -> bool:
        """Whether the candidates answer ``question`` at all (no candidates: never)."""
        if not passages:
            return False
        return self.abstention.probability_answerable(question, passages) >= self.threshold_for(question)

    def select(self, passages: Sequence[Passage], question: str | None = None) -> list[Passage]:
        """The sentences worth quoting: the best one, and others nearly as likely to answer.

        With ``question``, nothing is quoted when the abstention model judges it unanswerable, and a
        runner-up to "what did X say" is quoted only when it is X's (:func:`_on_topic`); the
        runner-up choice stays on ranker scores (their ratio to the best sentence's).
        """
        if not passages or (question is not None and not self.answerable(question, passages)):
            return []
        bar = max(self.runner_up_floor, self.runner_up_ratio * passages[0].score)
        names = question_names(question) if question and ASKS_SAYING.search(question) else set()
        chosen = [passages[0]]
        for p in passages[1 : self.max_citations]:
            if p.score >= bar and _on_topic(p, names, chosen):
                chosen.append(p)
        return chosen

    def stream(self, question: str, passages: Sequence[Passage], language: str) -> Iterator[str | Answer]:
        reports = order_reports(self.select(passages, question), passages, self.max_citations)
        citations = [
            Citation(marker=n, earlier_report=r.earlier, **r.passage.model_dump())
            for n, r in enumerate(reports, start=1)
        ]
        text = " ".join(
            f"{earlier_report(language, c.day) if c.earlier_report else ''}{c.text} [{c.marker}]"
            for c in citations
        )
        text = text or not_in_sources(language)
        yield from _PIECE.findall(text)
        yield Answer(
            question=question,
            text=text,
            abstained=not citations,
            language=language,
            answerer=self.name,
            citations=citations,
            passages=list(passages[: self.top_k]),
        )


def _on_topic(passage: Passage, names: set[str], chosen: Sequence[Passage]) -> bool:
    """Whether a runner-up may stand beside the quoted sentences of an answer to what someone said
    (``names``: the question's, stems of its capitalised words): it mentions one of them, or
    continues a quoted sentence (its neighbour in the same article), or there are no names. "Was
    sagte Selenskyj?" quotes his words and not, for scoring nearly as well, a quote of Putin's
    elsewhere in the article. Applied to every question, the rule cost news and XQuAD-de answers
    more right runner-ups than wrong ones (docs/benchmarks.md)."""
    if not names or names & text_info(passage.text).tset:
        return True
    return any(
        c.article_id == passage.article_id and abs(c.sentence_index - passage.sentence_index) == 1
        for c in chosen
    )
