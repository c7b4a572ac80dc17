"""The offline default: the answer is the source sentences themselves, each one cited.

No generative model that answers German well can be installed offline, so this answerer never
writes a word of its own beyond the "not in the sources" notice: it quotes the sentences the ranker
is confident about, so every claim in the answer is a source sentence verbatim. It abstains when
even the best sentence is unlikely to hold the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from qa.answerers.base import Answerer
from qa.language import not_in_sources
from qa.types import Answer, Citation, Passage

_PIECE = re.compile(r"\S+\s*")


class ExtractiveAnswerer(Answerer):
    """Quotes the top-ranked sentence, plus close runners-up, with ``[n]`` markers."""

    name = "extractive"

    def __init__(
        self,
        abstain_below: float = 0.03,
        max_citations: int = 3,
        top_k: int = 5,
        runner_up_ratio: float = 0.6,
    ) -> None:
        self.abstain_below = abstain_below
        self.max_citations = max_citations
        self.top_k = top_k
        self.runner_up_ratio = runner_up_ratio

    def select(self, passages: Sequence[Passage]) -> list[Passage]:
        """The sentences worth quoting: the best one, and others nearly as likely to answer."""
        if not passages or passages[0].score < self.abstain_below:
            return []
        bar = max(self.abstain_below, self.runner_up_ratio * passages[0].score)
        return [p for p in passages[: self.max_citations] if p.score >= bar]

    def stream(self, question: str, passages: Sequence[Passage], language: str) -> Iterator[str | Answer]:
        chosen = self.select(passages)
        citations = [Citation(marker=n, **p.model_dump()) for n, p in enumerate(chosen, start=1)]
        text = " ".join(f"{c.text} [{c.marker}]" for c in citations) or not_in_sources(language)
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
