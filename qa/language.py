"""Which language a question is in, so the answer's own words follow it (German or English).

A stop-word vote is enough to tell the two languages newsqa speaks apart, costs microseconds and
needs no model; anything else falls back to German, the corpus language.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zäöüß]+")
_GERMAN = frozenset(
    "der die das den dem des ein eine einen einem und oder nicht ist sind war wurde wer wie was wann wo "
    "warum welche welcher welches hat haben mit von zu im auf für sich auch dass nach bei aus über".split()
)
_ENGLISH = frozenset(
    "the a an and or not is are was were who how what when where why which has have with of to in on "
    "for by from did does do about that this".split()
)


def detect_language(text: str) -> str:
    """``"en"`` when English stop words outnumber German ones, otherwise ``"de"``."""
    words = _WORD.findall(text.lower())
    german = sum(w in _GERMAN for w in words) + 2 * any(c in text for c in "äöüßÄÖÜ")
    english = sum(w in _ENGLISH for w in words)
    return "en" if english > german else "de"


NOT_IN_SOURCES = {
    "de": "Dazu steht nichts in den Quellen.",
    "en": "The sources do not answer this question.",
}


def not_in_sources(language: str) -> str:
    return NOT_IN_SOURCES.get(language, NOT_IN_SOURCES["de"])
