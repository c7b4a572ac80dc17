"""The question's language: it picks the answer's phrases and the ranker's English columns."""

from __future__ import annotations

import pytest

from qa.text.language import detect_language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Was sagte Joe Biden zur Lage in Kursk?", "de"),  # "was" and "in" are German too
        ("In welchem Jahr starb Tesla?", "de"),
        ("Was sagte Selenskyj?", "de"),
        ("Welche Rolle spielt Christoph Waltz in Tarantinos Western The Hateful Eight?", "de"),
        ("What did the general staff in Kyiv deny?", "en"),
        ("How much was Colombia's Carlos Bacca fined after his red card against Brazil?", "en"),
        ("Who was in charge?", "en"),
    ],
)
def test_the_language_of_a_question(question: str, language: str) -> None:
    assert detect_language(question) == language
