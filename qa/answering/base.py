"""The one interface every answerer implements: passages in, a cited ``Answer`` out, streamable."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from qa.types import Answer, Passage


class Answerer(ABC):
    """Turns a question and its ranked source sentences into a cited answer.

    ``stream`` yields text pieces as they are produced and ends with the final ``Answer`` (whose
    citations are resolved only then); ``answer`` is the same without the pieces.
    """

    name: str
    label: str = ""
    """Which model answers, for people (the web chat shows it); empty: ``name`` says it."""

    @abstractmethod
    def stream(self, question: str, passages: Sequence[Passage], language: str) -> Iterator[str | Answer]:
        """Yield text deltas, then exactly one ``Answer``."""

    def answer(self, question: str, passages: Sequence[Passage], language: str) -> Answer:
        final = None
        for event in self.stream(question, passages, language):
            if isinstance(event, Answer):
                final = event
        if final is None:  # pragma: no cover - an answerer that breaks the contract
            raise RuntimeError(f"answerer {self.name!r} produced no answer")
        return final
