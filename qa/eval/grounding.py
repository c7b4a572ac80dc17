"""Whether an answer's claim is grounded in the sentences it cites.

The metric only needs ``supports(claim, cited_texts) -> bool``. This is a lexical check: the
claim is supported when its normalised text occurs in a cited sentence, or when at least
``threshold`` of its content tokens (stemmed, stop words and one-letter tokens left out) occur in
the cited sentences. An extractive answer quotes its sources verbatim and is always supported; the
check matters for the LLM answerer, which writes its own words.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.eval.metrics import contains_normalized

_STOP = frozenset(
    "der die das den dem des ein eine einen einem einer eines und oder aber ist sind war waren wurde "
    "wurden hat haben in im am an auf aus bei mit von vom zu zum zur für über als auch nicht sich es "
    "er sie wir ihr the a an and or is are was were in on at of to for with by from as it not".split()
)


def content_tokens(text: str) -> set[str]:
    """Stemmed tokens that carry content: no stop words, no single characters."""
    from qa.ranking import tokenize

    words = [w for w in text.lower().split() if w.strip(".,;:!?\"'()") not in _STOP]
    return {t for t in tokenize(" ".join(words)) if len(t) > 1}


def lexical_supports(claim: str, cited: Sequence[str], threshold: float = 0.8) -> bool:
    """True when the cited texts hold the claim verbatim or hold most of its content tokens."""
    if not cited:
        return False
    if any(contains_normalized(text, claim) for text in cited):
        return True
    wanted = content_tokens(claim)
    if not wanted:
        return True
    have = set().union(*(content_tokens(text) for text in cited))
    return len(wanted & have) / len(wanted) >= threshold
