"""The factory that picks the answerer the settings ask for: ``extractive`` or ``llm``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa.answering.base import Answerer
from qa.answering.extractive import ExtractiveAnswerer

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from qa.settings import Settings


def extractive_from(settings: Settings, embeddings: Embeddings | None = None) -> ExtractiveAnswerer:
    from qa.embeddings.factory import embedding_name
    from qa.retrieval.weights import DEFAULT_MODEL

    return ExtractiveAnswerer(
        abstain_below=settings.abstain_below,
        max_citations=settings.max_citations,
        top_k=settings.top_k,
        model=embedding_name(embeddings) if embeddings is not None else DEFAULT_MODEL,
    )


def make_answerer(
    settings: Settings, embeddings: Embeddings | None = None, name: str | None = None
) -> Answerer:
    """The answerer the settings ask for (``auto``: the LLM when one is configured)."""
    chosen = name or settings.active_answerer
    if chosen == "llm":
        from qa.answering.llm import LLMAnswerer

        return LLMAnswerer.from_settings(
            settings, embeddings=embeddings, fallback=extractive_from(settings, embeddings)
        )
    return extractive_from(settings, embeddings)
