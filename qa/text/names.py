"""Name-like words of a question: what it is about, in its own words.

Abstention checks whether the sources mention them; follow-up handling asks whether a question
names its own subject ("Wem dankte Selenskyj?") or leans on the previous one ("Und wann war das?").
"""

from __future__ import annotations

import re

from qa.text.stopwords import QUESTION_WORDS, RANKER_STOP
from qa.text.tokens import WORD, stem

CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\w'-]*")

OFFICE_WORDS = frozenset(
    "president prime minister chancellor secretary general foreign interior health finance federal "
    "central national international european united states nations union white house supreme court "
    "bank reserve fund monetary council commission committee parliament government ministry office "
    "department agency party army navy air force forces security red cross world cup league "
    "republic kingdom city state north south east west new".split()
)
"""English words capitalised in the names of offices and institutions ("Foreign Minister", "White
House", "European Central Bank") that German sources translate: in an English question they say
nothing about whether the person or body is stored."""


def name_words(question: str) -> list[tuple[str, str]]:
    """``(stem, word)`` of the question's name-like words: capitalised, not its first word, not a
    question word.

    In German this also catches nouns ("Energiewende"), which is intended: a question whose nouns
    appear nowhere in the sources is as suspicious as one whose person does not.
    """
    out: list[tuple[str, str]] = []
    for m in CAPITALISED.finditer(question):
        if not question[: m.start()].strip():
            continue  # sentence-initial: capitalised for grammar, not because it is a name
        for word in WORD.findall(m.group(0).lower()):
            if word in QUESTION_WORDS or word.isdigit():
                continue
            word_stem = stem(word)
            if word_stem not in RANKER_STOP and all(word_stem != s for s, _ in out):
                out.append((word_stem, word))
    return out
