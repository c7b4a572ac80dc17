"""The English -> German glossary: an English question's lexical side meets German sentences."""

from __future__ import annotations

import re

from qa.retrieval.cues import question_focus, word_grams
from qa.retrieval.features import FEATURE_NAMES, Candidate, features
from qa.text.glossary import german_words, glossary, lexical_form


def test_every_entry_has_german_words_and_repeated_entries_keep_both_lists() -> None:
    entries = glossary()
    assert len(entries) > 400 and all(entries.values())
    assert {"sagte", "erklärte"} <= set(entries["say"])
    assert {"angriff", "griff"} <= set(entries["attack"])  # listed as a noun and as a verb


def test_every_key_is_one_word_a_question_can_hold() -> None:
    """``lexical_form`` looks words up one at a time: a two-word or hyphenated key never matches."""
    assert all(re.fullmatch(r"[a-z]{3,}", key) for key in glossary()), [
        key for key in glossary() if not re.fullmatch(r"[a-z]{3,}", key)
    ]


def test_irregular_pasts_and_weak_verb_pasts_are_listed() -> None:
    assert {"nahm", "genommen"} <= set(german_words("took"))
    assert {"danken", "dankte"} <= set(german_words("thanked"))


def test_inflected_english_words_find_their_entry() -> None:
    assert "verletzt" in german_words("injured")
    assert german_words("countries") == german_words("country")
    assert "verurteilt" in german_words("convicted")
    assert german_words("kursk") == ()


def test_only_english_questions_get_german_words() -> None:
    english = "How many people were injured in the attack?"
    assert lexical_form(english).startswith(english) and "verletzte" in lexical_form(english).split()
    german = "Wie viele Menschen wurden bei dem Angriff verletzt?"
    assert lexical_form(german) == german


def test_an_english_focus_noun_is_looked_for_in_german() -> None:
    assert question_focus("Which court rejected the appeal?") == word_grams("gericht")


def test_an_english_question_prefers_the_german_sentence_that_answers_it() -> None:
    """Same dense score: the sentence with the translated words ("verletzt", "Angriff") ranks higher
    on the lexical columns than one sharing only the place name."""

    def cand(text: str) -> Candidate:
        return Candidate(text, "", "", "Marea", 0.5, 0.5, 1.0, 1.0, article_id="a", lead_text=text)

    answer = cand("Bei dem Angriff auf Marea wurden 23 Menschen verletzt.")
    other = cand("Marea liegt bei Aleppo.")
    x = features("How many people were injured in the attack on Marea?", [answer, other])
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    for name in ("cov_idf", "cng_idf", "en_x_cov_idf"):
        assert x[0, col[name]] > x[1, col[name]]
