"""The factory that picks the answerer the settings ask for: ``extractive``, ``llm`` or ``local``."""

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
    """The answerer the settings ask for (``auto``: the LLM when one is configured).

    ``local`` is the LLM answerer talking to a llama.cpp server this process starts: the same
    prompt, citation and verification code as any other server, with fewer sources (a CPU reads
    every prompt token: ``local_sources``).
    """
    chosen = name or settings.active_answerer
    if chosen == "extractive":
        return extractive_from(settings, embeddings)
    from qa.answering.llm import LLMAnswerer

    fallback = extractive_from(settings, embeddings)
    if chosen == "local":
        from qa.answering.local import local_label, local_server

        server = local_server(settings)
        fewer = {"llm_max_sources": settings.local_sources, "llm_source_ratio": settings.local_source_ratio}
        local = settings.model_copy(update=fewer)
        return LLMAnswerer.from_settings(
            local, embeddings, fallback, base_url=server.url, model=server.alias, kind="local",
            label=local_label(server),
        )  # fmt: skip
    return LLMAnswerer.from_settings(settings, embeddings=embeddings, fallback=fallback)
