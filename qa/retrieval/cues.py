"""What the ranker's features read from one text or one question: numbers, dates, names, quotes,
character 4-grams, term proximity. Cached per text, since candidates recur across questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

from qa.text.glossary import german_words
from qa.text.numbers import NUMBER_WORD
from qa.text.stopwords import QUESTION_WORDS, RANKER_STOP
from qa.text.tokens import WORD, stem, tokens

NUM = re.compile(r"\d+(?:[.,]\d+)*")
YEAR = re.compile(r"\b(1\d{3}|20\d{2})\b|\bJahrhundert")
MONTH = re.compile(
    r"\b(Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)
MEASURE = re.compile(
    r"%|\bProzent|\$|€|£|\bDollar|\bEuro|\bMillion|\bMilliard|\bPfund|\bkm\b|\bMeter|\bTonnen"
)
CAUSE = re.compile(r"\b(weil|denn|aufgrund|wegen|daher|deshalb|dadurch|um zu|da)\b", re.IGNORECASE)
CAP = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZÄÖÜ]\w+")
QUOTE = re.compile(r"[„“”\"«»]|\b(sagte|sagt|erklärte|betonte|meinte|so|laut)\b")
# "Welche Obergrenze ...", "In welcher Minute ...", "Wie viele Kassetten ...": the noun the answer is
# an instance of, the first capitalised word within three words of the question word (German nouns are
# capitalised); English "which court" / "what price": the next word.
_FOCUS_DE = re.compile(
    r"\b(?i:welche[rsmn]?|wie ?viele?|was für(?: eine?[nmrs]?)?)\s+(?:[a-zäöüß-]+\s+){0,2}?([A-ZÄÖÜ][\w-]+)"
)
_FOCUS_EN = re.compile(r"\b(?i:which|what|how many|how much)\s+(?i:(?:kind|sort|type) of\s+)?([a-z][\w-]+)")
ASKS_SAYING = re.compile(
    r"\b(sagte?|sagen|erklärte?|äußerte|betonte|meinte|kritisierte|forderte|warnte|said|say|says|stated)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TextInfo:
    """What the features need from one text, independent of the question (cached per text)."""

    tokens: tuple[str, ...]
    tset: frozenset[str]
    content: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    nums: frozenset[str]
    years: frozenset[str]
    month: bool
    measure: bool
    cause: bool
    quote: bool
    cap_stems: tuple[str, ...]


@lru_cache(maxsize=100_000)
def text_info(text: str) -> TextInfo:
    toks = tokens(text)
    tset = frozenset(toks)
    return TextInfo(
        tokens=toks,
        tset=tset,
        content=tset - RANKER_STOP,
        bigrams=frozenset(pairwise(toks)),
        nums=frozenset(NUM.findall(text)),
        years=frozenset(m.group(0) for m in YEAR.finditer(text)),
        month=bool(MONTH.search(text)),
        measure=bool(MEASURE.search(text)),
        cause=bool(CAUSE.search(text)),
        quote=bool(QUOTE.search(text)),
        cap_stems=tuple(stem(w.lower()) for w in CAP.findall(text)),
    )


def states_quantity(text: str, question: str) -> bool:
    """Whether ``text`` states an amount the question does not already name: a number other than
    the question's own ("2013/14" in the question is no answer to "wie viele") or a number word."""
    return bool(text_info(text).nums - text_info(question).nums) or bool(NUMBER_WORD.search(text))


@lru_cache(maxsize=100_000)
def grams(text: str) -> frozenset[str]:
    """Character 4-grams of the lowercased ``\\w+`` words of ``text``, each word padded with ``#``."""
    return frozenset().union(*(word_grams(w) for w in WORD.findall(text.lower())))


def word_grams(word: str) -> frozenset[str]:
    """Character 4-grams of one lowercased word padded with ``#`` ("#rhein#": "#rhe" ... "ein#")."""
    padded = f"#{word}#"
    return frozenset(padded[i : i + 4] for i in range(len(padded) - 3))


@lru_cache(maxsize=20_000)
def question_grams(question: str) -> tuple[frozenset[str], ...]:
    """4-gram sets of the question's distinct content words of 4+ letters (as ``_grams`` pads them)."""
    out: dict[str, frozenset[str]] = {}
    for w in WORD.findall(question.lower()):
        if len(w) >= 4 and w not in out and stem(w) not in RANKER_STOP:
            out[w] = word_grams(w)
    return tuple(out.values())


@lru_cache(maxsize=20_000)
def question_focus(question: str) -> frozenset[str]:
    """The 4-grams (:func:`word_grams`) of the noun the question asks for an instance of
    ("Welche Obergrenze" -> "obergrenze"), empty when it names none. The answering sentence often
    holds this noun while the question's other words sit in the lead it elaborates."""
    match = _FOCUS_DE.search(question)
    word = match.group(1).lower() if match else ""
    if not match and (match := _FOCUS_EN.search(question)):
        word = match.group(1).lower()
        word = next(iter(german_words(word)), word)  # "which court" -> "gericht"
    return frozenset() if len(word) < 4 or word in QUESTION_WORDS else word_grams(word)


def soft_match(
    wgrams: Sequence[frozenset[str]], texts: Sequence[str], memo: dict[str, list[int]]
) -> np.ndarray:
    """Per text and question word, the number of the word's 4-grams found in the text (divide by the
    word's 4-gram count for the share: 1.0 for the word or a compound holding it, e.g.
    "Staatsanwaltschaft" in "Generalstaatsanwaltschaft"; high for inflections). ``memo`` caches
    the counts per text within one question (neighbours are often candidates too)."""
    out = []
    for text in texts:
        hit = memo.get(text)
        if hit is None:
            g = grams(text) if text else frozenset()
            hit = memo[text] = [len(w & g) for w in wgrams]
        out.append(hit)
    return np.array(out, dtype=float)


def proximity(tokens: Sequence[str], qset: set[str]) -> float:
    """Distinct question stems in the sentence / length of the shortest token span holding all of
    them (1.0: adjacent); one matched stem scores ``1 / len(qset)``, none 0."""
    pos = [k for k, t in enumerate(tokens) if t in qset]
    need = len({tokens[k] for k in pos})
    if need <= 1:
        return need / max(1, len(qset))
    cnt: dict[str, int] = {}
    have = lo = 0
    best = len(tokens)
    for hi in pos:
        t = tokens[hi]
        cnt[t] = cnt.get(t, 0) + 1
        have += cnt[t] == 1
        while have == need:
            best = min(best, hi - pos[lo] + 1)
            t0 = tokens[pos[lo]]
            cnt[t0] -= 1
            have -= cnt[t0] == 0
            lo += 1
    return need / best


def question_names(question: str) -> set[str]:
    """Stems of the question's capitalised words after its first word (names and nouns), minus stopwords."""
    return {stem(w.lower()) for w in CAP.findall(question)} - RANKER_STOP
