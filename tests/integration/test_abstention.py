"""Abstention on the seed store: questions about people the article never mentions get "not in the
sources"; answerable ones, including English questions over the German article, get an answer."""

from __future__ import annotations

import pytest

from qa.answering.extractive import ExtractiveAnswerer
from qa.retrieval.abstention import AbstentionModel, skeleton
from qa.settings import Settings
from qa.text.names import name_words


@pytest.mark.parametrize(
    "question",
    [
        "Was hat Angela Merkel über die Energiewende gesagt?",
        "Wer ist Olaf Scholz?",
        "Wann wurde Helene Fischer geboren?",
        "Was sagte Joe Biden zur Lage in Kursk?",  # the story is there, the person is not
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
    model = seeded.answerer.abstention
    yes = seeded.retriever.retrieve("Was wies der Generalstab in Kiew zurück?").passages
    no = seeded.retriever.retrieve("Wer ist Olaf Scholz?").passages
    p_yes = model.probability_answerable("Was wies der Generalstab in Kiew zurück?", yes)
    p_no = model.probability_answerable("Wer ist Olaf Scholz?", no)
    assert p_yes > model.threshold > p_no
    assert model.probability_answerable("Wer ist Olaf Scholz?", []) < model.threshold


def test_default_threshold_is_the_one_trained_with_the_model() -> None:
    assert Settings(_env_file=None).abstain_below is None
    for model in ("multilingual-e5-small", "use-multilingual-v3"):
        trained = AbstentionModel.for_model(model).threshold
        assert 0.05 < trained < 0.95
        assert ExtractiveAnswerer(model=model).threshold == trained
    assert ExtractiveAnswerer(abstain_below=0.9).threshold == 0.9


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
