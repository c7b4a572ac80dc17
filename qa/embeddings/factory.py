"""Which embeddings the settings ask for, and one way to encode with any of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qa.embeddings.e5 import E5Embeddings
from qa.embeddings.local import LocalEmbeddings
from qa.embeddings.use import UniversalSentenceEncoderEmbeddings
from qa.embeddings.vectors import normalize

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from qa.settings import Settings


def encode(embeddings: Embeddings, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
    """Embed ``texts`` (sentences, passages) as a normalised float32 matrix with any ``Embeddings``.

    ``threads`` (local models only): threads for this call.
    """
    if isinstance(embeddings, LocalEmbeddings):
        return embeddings.encode(texts, threads=threads)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return normalize(np.asarray(embeddings.embed_documents(list(texts)), dtype=np.float32))


def encode_queries(embeddings: Embeddings, texts: Sequence[str]) -> np.ndarray:
    """Embed questions: models trained with a query prefix (e5) get it, others encode as passages."""
    if isinstance(embeddings, LocalEmbeddings):
        return embeddings.encode_queries(texts)
    return encode(embeddings, texts)


def embedding_name(embeddings: Embeddings) -> str:
    """A name recorded in the store, so a store is never queried with another model's vectors."""
    return getattr(embeddings, "name", None) or f"openai:{getattr(embeddings, 'model', 'unknown')}"


def make_embeddings(settings: Settings) -> Embeddings:
    """The configured embeddings: offline e5 by default, USE or OpenAI (or a compatible server) on request."""
    if settings.embeddings == "openai":
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(  # type: ignore[call-arg]  # api_key / base_url are field aliases
            model=settings.embedding_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            check_embedding_ctx_length=False,  # avoids a tiktoken download, which fails offline
        )
    if settings.embeddings == "use-multilingual":
        return UniversalSentenceEncoderEmbeddings(threads=settings.embedding_threads)
    return E5Embeddings(threads=settings.embedding_threads)
