"""The one interface every answerer implements: passages in, a cited ``Answer`` out, streamable."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from qa.text.phrases import not_in_sources, not_mentioned
from qa.types import Answer, Passage


class Answerer(ABC):
    """Turns a question and its ranked source sentences into a cited answer.

    ``stream`` yields text pieces as they are produced and ends with the final ``Answer`` (whose
    citations are resolved only then); ``answer`` is the same without the pieces.
    """

    name: str
    label: str = ""
    """Which model answers, for people (the web chat shows it); empty: ``name`` says it."""
    top_k: int = 5
    """How many of the closest sentences an answer shows beside its citations."""

    @abstractmethod
    def stream(self, question: str, passages: Sequence[Passage], language: str) -> Iterator[str | Answer]:
        """Yield text deltas, then exactly one ``Answer``."""

    def respond(
        self, question: str, passages: Sequence[Passage], language: str, lacking: Sequence[str] = ()
    ) -> Iterator[str | Answer]:
        """``stream``, unless the retriever found that the question names someone the article it
        would be answered from never mentions (``Retrieval.lacking``): then "not in the sources",
        with the closest sentences still shown, a notice naming who is missing, and no model asked
        (a small one answers "Was sagte Angela Merkel ...?" with another person's words)."""
        if not lacking:
            yield from self.stream(question, passages, language)
            return
        text = not_in_sources(language)
        yield text
        yield Answer(
            question=question,
            text=text,
            abstained=True,
            language=language,
            answerer=self.name,
            passages=list(passages[: self.top_k]),
            notice=not_mentioned(language, lacking),
        )

    def answer(self, question: str, passages: Sequence[Passage], language: str) -> Answer:
        final = None
        for event in self.stream(question, passages, language):
            if isinstance(event, Answer):
                final = event
        if final is None:  # pragma: no cover - an answerer that breaks the contract
            raise RuntimeError(f"answerer {self.name!r} produced no answer")
        return final
