"""Abstention on the seed store: questions about people the article never mentions get "not in the
sources"; answerable ones, including English questions over the German article, get an answer."""

from __future__ import annotations

import time

import pytest

from qa.abstention import AbstentionModel, name_words, skeleton
from qa.answerers.extractive import DEFAULT_ABSTAIN_BELOW
from qa.settings import Settings


@pytest.mark.parametrize(
    "question",
    [
        "Was hat Angela Merkel über die Energiewende gesagt?",
        "Wer ist Olaf Scholz?",
        "Wann wurde Helene Fischer geboren?",
    ],
)
def test_abstains_on_people_never_mentioned(seeded, question: str) -> None:
    answer = seeded.ask(question)
    assert answer.abstained, answer.citations
    assert answer.citations == [] and answer.passages


@pytest.mark.parametrize(
    "question",
    [
        "Was wies der Generalstab in Kiew zurück?",
        "What did the general staff in Kyiv deny?",
        "Was sagte Selenskyj?",
        "Was drohte Medwedew den ukrainischen Soldaten an?",
    ],
)
def test_answers_what_the_article_says(seeded, question: str) -> None:
    answer = seeded.ask(question)
    assert not answer.abstained
    assert answer.citations


def test_probability_is_cheap_and_ordered(seeded) -> None:
    model = AbstentionModel.from_default()
    yes = seeded.retriever.retrieve("Was wies der Generalstab in Kiew zurück?").passages
    no = seeded.retriever.retrieve("Wer ist Olaf Scholz?").passages
    model.probability_answerable("warm-up", yes)
    started = time.perf_counter()
    p_yes = model.probability_answerable("Was wies der Generalstab in Kiew zurück?", yes)
    p_no = model.probability_answerable("Wer ist Olaf Scholz?", no)
    assert (time.perf_counter() - started) / 2 < 0.002
    assert p_yes > DEFAULT_ABSTAIN_BELOW > p_no
    assert model.probability_answerable("Wer ist Olaf Scholz?", []) < DEFAULT_ABSTAIN_BELOW


def test_setting_default_matches_the_answerer() -> None:
    assert Settings(_env_file=None).abstain_below == DEFAULT_ABSTAIN_BELOW


def test_name_words_skip_question_words_and_the_first_word() -> None:
    assert [w for _, w in name_words("Wer ist Olaf Scholz?")] == ["olaf", "scholz"]
    assert [w for _, w in name_words("What did the general staff in Kyiv deny?")] == ["kyiv"]
    assert name_words("Was sagte er?") == []


@pytest.mark.parametrize(
    ("german", "english"),
    [("Kiew", "Kyiv"), ("Medwedew", "Medvedev"), ("Selenskyj", "Zelensky"), ("Charkiw", "Kharkiv")],
)
def test_skeleton_bridges_transliterations(german: str, english: str) -> None:
    assert skeleton(german) == skeleton(english)
