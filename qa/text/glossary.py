"""German words for an English question's words, so its lexical side can meet German sources.

The dense model is multilingual, but BM25 and the ranker's stem features compare stems: an English
question over German articles shares only names and numbers with them ("injured" never matches
"verletzt"). :func:`lexical_form` appends the German words of ``data/en_de.txt`` (a general news
vocabulary) to an English question; German questions are returned unchanged. The result feeds
tokenisation and the question's dense vector (e5 puts an English question nearer the German
sentence that answers it when the German words come along); language detection, names and
answer-type cues read the question as asked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from qa.text.language import detect_language
from qa.text.tokens import WORD

GLOSSARY_FILE = Path(__file__).with_name("data") / "en_de.txt"
_SUFFIXES = ("", "s", "es", "ed", "d", "ing", "ies", "ied")


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """English word -> German words; an English word listed twice (noun and verb) keeps both lists."""
    out: dict[str, list[str]] = {}
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        english, sep, german = line.partition(":")
        if sep and not line.startswith("#"):
            words = out.setdefault(english.strip().lower(), [])
            words += [w for w in german.split() if w not in words]
    return {k: tuple(v) for k, v in out.items()}


def german_words(word: str) -> tuple[str, ...]:
    """The German words for one lowercase English word, trying it without an inflection ending
    ("injured" -> "injure", "countries" -> "country"); empty when the glossary has none."""
    entries = glossary()
    for ending in _SUFFIXES:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            base = word[: len(word) - len(ending)]
            for candidate in (base, base + "e", base + "y"):
                if candidate in entries:
                    return entries[candidate]
    return ()


@lru_cache(maxsize=20_000)
def lexical_form(question: str) -> str:
    """The question with the German words of its English words appended (German questions as they are)."""
    if detect_language(question) != "en":
        return question
    extra = [g for w in WORD.findall(question.lower()) for g in german_words(w)]
    return f"{question} {' '.join(extra)}" if extra else question
