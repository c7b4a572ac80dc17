"""Tokens and stems: the one tokenizer of the BM25 index, the ranker, abstention and the grounding check.

Lowercase ``\\w+`` words, each stemmed with the German Snowball stemmer, so a question's terms
match the index's. Stems are cached: the same few thousand words recur in every question.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("german")


@lru_cache(maxsize=300_000)
def stem(word: str) -> str:
    """The German Snowball stem of one lowercase word."""
    return _STEMMER.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lowercase ``\\w+`` tokens of ``text``, each stemmed."""
    return [stem(w) for w in WORD.findall(text.lower())]


@lru_cache(maxsize=100_000)
def tokens(text: str) -> tuple[str, ...]:
    """:func:`tokenize`, cached per text (candidates recur across questions and features)."""
    return tuple(tokenize(text))


def stems(words: str) -> frozenset[str]:
    """The stems of a whitespace-separated word list."""
    return frozenset(tokenize(words))
