"""Grounding: is each claim of an answer supported by the sentences it cites?

Scored with the same support check the LLM answerer uses to flag unsupported claims
(:func:`qa.answering.support.support_scores`: content-stem overlap, plus embedding similarity when
embeddings are given), so the metric and the product agree on what "supported" means. An
extractive answer quotes its sources verbatim, so it is always supported; the metric matters
for the LLM answerer, which writes its own words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from qa.types import Answer


def grounding_verdicts(answer: Answer, embeddings: Embeddings | None = None) -> list[bool]:
    """One verdict per claim (answer sentence with content words); empty for an abstention."""
    from qa.answering.support import support_scores

    return [claim.supported for claim in support_scores(answer, embeddings)]
