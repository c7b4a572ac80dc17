"""Names a question asks about that no candidate mentions: the rule beside the abstention model.

A question naming someone by two capitalised words in a row ("Joe Biden", "Helene Fischer") that no
candidate mentions is not in the sources, however well the rest of it matches the story; nor is one
naming a surname after a first name or title the sources give to someone else ("Christoph Waltz"
where they have "Christoph Schönborn"); nor one naming someone the sources know whom the article
it would be answered from never mentions ("Angela Merkel" about an article on geoblocking, in an
archive where other articles quote her). Names are matched by stem, hyphenated part, genitive, and
for English questions by consonant skeleton ("Kyiv" / "Kiew"). A rare name stored anywhere is among
the BM25 candidates, so "in no candidate" means "not stored".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from qa.retrieval.cues import text_info
from qa.text.glossary import german_words
from qa.text.language import detect_language
from qa.text.names import CAPITALISED, OFFICE_WORDS
from qa.text.stopwords import QUESTION_WORDS, RANKER_STOP
from qa.text.timewords import MONTHS_IN_QUESTIONS, PERIOD_WORDS, WEEKDAYS
from qa.text.tokens import WORD, stem
from qa.types import Passage

_DIGRAPHS = (
    ("tsch", "c"),
    ("sch", "s"),
    ("sh", "s"),
    ("zh", "s"),
    ("ch", "k"),
    ("kh", "k"),
    ("ck", "k"),
    ("ph", "f"),
)
_LETTERS = str.maketrans({"v": "w", "z": "s", "c": "k", "q": "k", "x": "ks"})
_VOWELS = re.compile(r"[aeiouyjhäöüàáâéèêíóôúß]+")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Consonant skeleton that survives German vs English transliteration of (mostly Slavic) names.

    "Kiew"/"Kyiv" -> "kw", "Medwedew"/"Medvedev" -> "mdwdw", "Selenskyj"/"Zelensky" -> "slnsk",
    "Charkiw"/"Kharkiv" -> "krkw": an English question about a name the German sources spell
    differently still finds it. A word-initial "h" is kept ("Hilfe" is not "Olaf"); skeletons
    shorter than two letters are not used.
    """
    s = word.lower()
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_LETTERS)
    s = s[:1] + _VOWELS.sub("", s[1:]) if s.startswith("h") else _VOWELS.sub("", s)
    return re.sub(r"(.)\1+", r"\1", s)


def tokens_of(text: str) -> frozenset[str]:
    return text_info(text).tset  # the ranker's per-text cache: these texts were just ranked


@lru_cache(maxsize=100_000)
def name_skeletons(text: str) -> frozenset[tuple[str, int]]:
    """``(skeleton, length)`` of the text's capitalised words: names are capitalised in the sources,
    and leaving out lower-case words keeps short skeletons from finding false friends."""
    words = (w.lower() for w in CAPITALISED.findall(text))
    return frozenset((k, len(w)) for w in words if len(k := skeleton(w)) >= 2)


def found_name(name: tuple[str, str], stems: set[str], skeletons: set[tuple[str, int]] | None) -> bool:
    """Exact stem match, or (``skeletons`` given: English questions) one of the word's glossary
    translations ("Russian" -> "russisch", "Vienna" -> "wien": capitalised in English, no names to
    look for) or a word of about the same length (+-2 letters) with the same consonant skeleton."""
    if name[0] in stems:
        return True
    if skeletons is None:
        return False
    if any(stem(g) in stems for g in german_words(name[1])):
        return True
    k, n = skeleton(name[1]), len(name[1])
    return len(k) >= 2 and any((k, m) in skeletons for m in range(n - 2, n + 3))


_PARTICLE = r"(?:de|da|di|del|della|van|bin|ibn|al|du|dos|le|la)"
_CAPITALISED_RUN = re.compile(rf"[A-ZÄÖÜ][\w'-]*(?:\s+(?:{_PARTICLE}\s+)?[A-ZÄÖÜ][\w'-]*)+")
"""Capitalised words in a row, through a lower-case name particle ("Staffan de Mistura"); German
"von"/"der" are left out: they join a name to an institution as often as to a surname."""
_NOT_NAMES = QUESTION_WORDS | RANKER_STOP | set(MONTHS_IN_QUESTIONS) | WEEKDAYS | PERIOD_WORDS | OFFICE_WORDS
"""Capitalised words that are not names: "Sie", "Ende Juli", "Montag", "White House" end a run."""


class Text(Protocol):
    """What the name checks read of a source: a candidate ``Passage`` or a whole article."""

    @property
    def text(self) -> str: ...

    @property
    def title(self) -> str: ...


def has_name_run(question: str) -> bool:
    """Whether the question has two capitalised words in a row: the cheap test before any lookup."""
    return _CAPITALISED_RUN.search(question) is not None


def absent_names(question: str, passages: Sequence[Text]) -> list[str]:
    """Names of two or more capitalised words in a row (through a particle: "Staffan de Mistura")
    that no candidate mentions, or whose surname no candidate has after a first name or title the
    sources give to someone else.

    A run of capitalised words ("Bundeskanzler Olaf Scholz", "US-Präsident Joe Biden") counts as
    absent from the words after its last mentioned one: "Joe Biden" when only "US-Präsident" is
    found, nothing when "Scholz" is (a title or a first name the sources leave out is no sign the
    person is missing). The question's first word (capitalised for grammar) and words that are no
    names ("Sie", months, weekdays, "Ende", English office words) are left out. A word is
    mentioned when a candidate has its stem, one of its hyphenated parts, its name without a
    genitive s ("Odingas"), or, for an English question, a word with the same consonant skeleton
    of four or more letters ("Medvedev" for "Medwedew"; shorter skeletons find false friends among
    German nouns). A rare name stored anywhere is among the BM25 candidates, so "in no candidate"
    means "not stored"."""
    fuzzy = detect_language(question) == "en"
    stems: set[str] = set()
    skeletons: set[tuple[str, int]] = set()
    for p in passages:
        stems |= tokens_of(p.text) | tokens_of(p.title)
        if fuzzy:
            skeletons |= name_skeletons(p.text) | name_skeletons(p.title)

    def mentioned(word: str) -> bool:
        parts = WORD.findall(word.lower())
        parts += [w[:-1] for w in parts if w.endswith("s") and len(w) > 3]  # genitive: "Odingas"
        return any(
            stem(w) in stems
            or (fuzzy and len(skeleton(w)) >= 4 and found_name((stem(w), w), stems, skeletons))
            for w in parts
        )

    pairs: frozenset[tuple[str, str]] | None = None  # read only when a run needs them (rarely)
    absent = []
    for m in _CAPITALISED_RUN.finditer(question):
        words = [w for w in m.group(0).split() if w[:1].isupper()]  # without its particles
        if not question[: m.start()].strip():
            words = words[1:]  # the question's first word
        runs: list[list[str]] = [[]]
        for word in words:
            if word.lower() in _NOT_NAMES:
                runs.append([])
            else:
                runs[-1].append(word)
        for run in runs:
            last = max((k for k, word in enumerate(run) if mentioned(word)), default=-1)
            if len(run) - last - 1 >= 2:
                absent.append(" ".join(run[last + 1 :]))
            elif last == len(run) - 2:
                if pairs is None:
                    pairs = _source_pairs(passages)
                if _paired_with_another(run[last], run[-1], pairs, fuzzy):
                    absent.append(" ".join(run[last:]))
    return absent


def _paired_with_another(first: str, last: str, pairs: frozenset[tuple[str, str]], fuzzy: bool) -> bool:
    """Whether the sources put another name after ``first``: "Christoph Schönborn" where the question
    asks about "Christoph Waltz", "Innenminister Sobotka" where it asks about "Innenminister Kickl",
    and for an English question the same consonant skeleton ("Cristian Tello" for "Cristiano
    Ronaldo"). Then the mentioned word is someone else's first name or title and ``last``, mentioned
    nowhere, names a person the sources do not have. ``pairs``: the sources' capitalised word pairs
    (:func:`_capitalised_pairs`). A genitive or a place's adjective ("Apples Präsentation",
    "Berliner Ausstellungshaus" where the sources have "Apple" or "Berlin") is followed by a noun,
    not a surname, and never counts; "Hans" or "Peter" is neither (no "Han" or "Pet" in the sources)."""
    key = first.lower()
    bases = {key[: -len(e)] for e in ("s", "er") if key.endswith(e)}
    if any(a == base for a, _ in pairs for base in bases):
        return False
    wanted, sk = stem(last.lower()), skeleton(key)
    return any(
        b
        and (a == key or (fuzzy and len(sk) >= 4 and skeleton(a) == sk))
        and b not in _NOT_NAMES
        and stem(b) != wanted
        for a, b in pairs
    )


def unmentioned_by_article(question: str, passages: Sequence[Passage], article: Text) -> list[str]:
    """Names the sources know that the best candidate's ``article`` never mentions.

    In an archive, the person a question names is usually stored somewhere ("Angela Merkel" is in
    dozens of articles), so :func:`absent_names` over all candidates finds her; the article that
    best matches the rest of the question ("die Geoblocking-Initiative der EU-Kommission") may still
    never mention her, and then its sentences do not say what she said. Only names whose last two
    words stand together in some candidate count ("Angela Merkel" as a name elsewhere): a run of
    capitalised nouns the question composed ("Anteil Erwerbsloser", "Berliner Ausstellungshaus")
    stands together nowhere and is left to the abstention model."""
    absent = absent_names(question, [article])
    if not absent:
        return []
    pairs = _source_pairs(passages)
    return [name for name in absent if len(w := name.lower().split()) >= 2 and (w[-2], w[-1]) in pairs]


def _source_pairs(passages: Sequence[Text]) -> frozenset[tuple[str, str]]:
    """:func:`_capitalised_pairs` of every candidate's text and title."""
    return frozenset().union(*(_capitalised_pairs(t) for p in passages for t in (p.text, p.title)))


@lru_cache(maxsize=100_000)
def _capitalised_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Lower-cased pairs of adjacent words of ``text`` whose first is capitalised, and with the second
    capitalised too or empty: "Christoph Schönborn" -> ("christoph", "schönborn"), a lone
    "Berlin" -> ("berlin", "") (so a place's adjective finds its place)."""
    words = re.findall(r"[\w'-]+|[^\w\s]", text)
    out = set()
    for a, b in zip(words, [*words[1:], ""], strict=True):
        if a[:1].isupper():
            out.add((a.lower(), b.lower() if b[:1].isupper() else ""))
    return frozenset(out)
