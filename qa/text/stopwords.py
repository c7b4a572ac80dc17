"""Every word list newsqa uses to tell content from function words: this module is their one home.

The lists are composed from named parts because their users need different cuts of them: the
ranker's features were trained with :data:`RANKER_STOP` (function words plus question words), the
grounding check ignores reporting verbs and English function words (:data:`CLAIM_STOP`), abstention
skips question words when it looks for names, language detection votes with short marker lists,
and answer scoring drops articles as SQuAD's normalisation does.
"""

from __future__ import annotations

from qa.text.tokens import stems, tokenize

GERMAN_ARTICLES = "der die das den dem des ein eine einen einem einer eines"
ENGLISH_ARTICLES = "the a an"

GERMAN_FUNCTION_WORDS = (
    f"{GERMAN_ARTICLES} und oder aber sowie als wie auch in im ins am an auf aus bei mit nach seit von "
    "vom vor zu zum zur um über unter durch für gegen ohne bis ist sind war waren wird werden wurde wurden "
    "worden hat haben hatte hatten sein seine seiner seinen ihr ihre ihren ihrer es er sie sich man nicht "
    "kein keine dass daß ob wenn so noch nur sehr dies diese dieser dieses"
)
ENGLISH_FUNCTION_WORDS = (
    f"{ENGLISH_ARTICLES} and or of to in on at for by with from as is are was were be been has have had it "
    "its this that these those he she they his her their not no also"
)
GERMAN_QUESTION_WORDS = (
    "wer wen wem wessen was wann wo wohin woher warum wieso weshalb weswegen wie welche welcher welches "
    "welchen welchem"
)
ENGLISH_QUESTION_WORDS = "who whom whose what when where why which how"

# What the ranker's weights were trained with: function words, the question words it asks with, and
# the vague quantity words of "wie viele", "wie hoch", "gibt es".
_RANKER_EXTRA = (
    "zwischen während wegen zwei jener welche welcher welches welchem welchen wer wem wen wessen was wann "
    "wo wohin woher warum wieso weshalb viele vielen wieviel hoch lang groß alt gibt gab kann konnte können"
)
# Words of attribution ("laut", "sagte") state who said a thing, not the thing a claim asserts.
_REPORTING = "laut zufolge demnach allerdings jedoch sagte sagt erklärte said says according"

RANKER_STOP: frozenset[str] = stems(f"{GERMAN_FUNCTION_WORDS} {_RANKER_EXTRA}")
"""Stems the ranker and abstention treat as carrying no content."""

CLAIM_STOP: frozenset[str] = stems(f"{GERMAN_FUNCTION_WORDS} {_REPORTING} {ENGLISH_FUNCTION_WORDS}")
"""Stems the grounding check ignores when it compares a claim with its sources."""

QUESTION_WORDS: frozenset[str] = frozenset(
    f"{GERMAN_QUESTION_WORDS} {ENGLISH_QUESTION_WORDS} is are was were did does do i ich".split()
)
"""Lowercase words that open or shape a question and are never names."""

ARTICLES: frozenset[str] = frozenset(f"{GERMAN_ARTICLES} {ENGLISH_ARTICLES}".split())
"""Dropped by answer normalisation (SQuAD drops "a an the"; German articles likewise)."""

LANGUAGE_MARKERS: dict[str, frozenset[str]] = {
    "de": frozenset(
        (
            "der die das den dem des ein eine einen einem und oder nicht ist sind war wurde wer wie wann "
            "wo warum welche welcher welches welchem welchen wem wen hat haben mit von zu im zum zur am vom "
            "beim auf für sich auch dass nach bei aus über"
        ).split()
    ),
    "en": frozenset(
        "the a and or not is are were who how what when where why which has have with of to on "
        "for by from did does do about that this much many after his her its their".split()
    ),
}
"""Frequent words that vote for a language; a short list tells German from English reliably.

Words both languages use ("in", "was", "an") vote for neither: "Was sagte Joe Biden zur Lage in
Kursk?" is German."""


def content_stems(text: str) -> set[str]:
    """Stemmed tokens that carry meaning: no stop words (:data:`CLAIM_STOP`), no one-letter tokens.

    Empty for a text that says nothing to look up ("a", "?!", emoji).
    """
    return {t for t in tokenize(text) if t not in CLAIM_STOP and (len(t) > 1 or t.isdigit())}
