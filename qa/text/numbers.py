"""Counts written out in words, German and English: one home for time expressions ("in den letzten
drei Tagen") and for telling reports apart that give different numbers ("drei" vs. "sieben Verletzte")."""

from __future__ import annotations

import re

NUMBER_WORDS: dict[str, int] = {
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "eins": 1, "zwei": 2, "drei": 3, "vier": 4,
    "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
    "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "zwanzig": 20, "dreißig": 30, "hundert": 100,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "hundred": 100,
}  # fmt: skip

ARTICLE_WORDS = frozenset({"ein", "eine", "einen", "einem", "einer", "one"})
"""Number words that are mostly articles ("ein Brand"): never counted as a stated quantity."""

# Any word that states an amount (for "does this sentence answer a how-many question"), whole
# words only: "zwei", "dreimal", "dreißig", "Hunderte", "Millionen"; not "achten" or "Elfmeter".
NUMBER_WORD = re.compile(
    r"\b(?:(?:zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)(?:zehn|zig|ßig|hundert|tausend)*"
    r"(?:er|mal)?|zwanzig|sechzehn|sechzig|siebzehn|siebzig|hunderte?n?|tausende?n?|dutzende?n?|"
    r"hälfte|drittel|viertel|doppelte?[nrs]?|verdoppel\w*|halbiert\w*|million\w*|milliard\w*)\b",
    re.IGNORECASE,
)

_DIGITS = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_WORD = re.compile(r"[a-zäöüß]+")


def quantities(text: str) -> frozenset[str]:
    """The numbers a text states, digits and number words alike, normalised ("sieben" -> "7")."""
    found = {m.replace(".", "").replace(",", ".") for m in _DIGITS.findall(text)}
    words = _WORD.findall(text.lower())
    found |= {str(NUMBER_WORDS[w]) for w in words if w in NUMBER_WORDS and w not in ARTICLE_WORDS}
    return frozenset(found)
