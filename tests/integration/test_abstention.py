"""Abstention on the seed store: questions about people the article never mentions get "not in the
sources"; answerable ones, including English questions over the German article, get an answer."""

from __future__ import annotations

import json

import pytest

from qa.answering.extractive import ExtractiveAnswerer
from qa.retrieval.absent_names import absent_names, skeleton
from qa.retrieval.abstention import AbstentionModel
from qa.retrieval.weights import weights_path
from qa.settings import Settings
from qa.text.names import name_words
from qa.types import Passage


def _passage(text: str, title: str = "T", score: float = 1.0) -> Passage:
    """One candidate sentence of article "a", as the answerer receives it."""
    where = {"sentence_index": 0, "start": 0, "end": len(text)}
    return Passage(article_id="a", title=title, source="a.txt", text=text, score=score, **where)


@pytest.mark.parametrize(
    "question",
    [
        "Was hat Angela Merkel über die Energiewende gesagt?",
        "Wer ist Olaf Scholz?",
        "Wann wurde Helene Fischer geboren?",
        "Was sagte Joe Biden zur Lage in Kursk?",  # the story is there, the person is not
        "Wer ist Scholz?",  # one name: the model decides, not the name rule
        "Was hat Merkel gesagt?",
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
        "How did the Russian prosecutors classify the crimes?",  # "Russian": "russischen"
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
    english = "What did the general staff in Kyiv deny?"
    for model in ("multilingual-e5-small", "use-multilingual-v3"):
        assert "threshold_en" in json.loads(weights_path(model, "abstention").read_text(encoding="utf-8"))
        trained = AbstentionModel.for_model(model)
        assert 0.05 < trained.threshold < 0.95 and 0.01 < trained.threshold_en < 0.95
        answerer = ExtractiveAnswerer(model=model)
        assert answerer.threshold == trained.threshold == answerer.threshold_for("Was wies Kiew zurück?")
        assert answerer.threshold_for(english) == trained.threshold_en
    assert ExtractiveAnswerer(abstain_below=0.9).threshold_for(english) == 0.9


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("Was sagte Joe Biden zur Lage in Kursk?", ["Joe Biden"]),
        ("What did Joe Biden say about Kursk?", ["Joe Biden"]),
        ("Was drohte Dmitri Medwedew den Soldaten an?", []),  # both words are in the article
        ("What did Dmitry Medvedev threaten?", []),  # spelt the English way, found by skeleton
        ("Was sagte Präsident Selenskyj?", []),  # one of the two words is enough
        ("Wann wurde Helene Fischer geboren?", ["Helene Fischer"]),
        ("Was schrieb Trump auf Truth Social?", []),
        ("Joe Biden sagte was?", []),  # at the start: capitalised for grammar, not a name pair
        ("Was sagte US-Präsident Joe Biden?", ["Joe Biden"]),  # the title is found, the name not
        ("What did Ukrainian President Volodymyr Zelensky say?", []),  # the surname is found
        ("What did the White House say about Kursk?", []),  # office words, translated in German
        ("Was wissen Sie Neues über Kursk?", []),  # "Sie" is no name
        ("Was geschah in Kursk Ende August?", []),
        # the first name or title is someone else's in the sources ("Dmitri Medwedew", "Präsident Donald")
        ("Was sagte Dmitri Peskow?", ["Dmitri Peskow"]),
        ("Was sagte Präsident Macron zur Lage in Kursk?", ["Präsident Macron"]),
        ("Was sagte Präsident Putin?", []),
        ("What did UN envoy Staffan de Mistura say about Kursk?", ["Staffan Mistura"]),  # a particle
    ],
)
def test_a_two_word_name_no_candidate_mentions_is_absent(seeded, question: str, absent: list[str]) -> None:
    passages = seeded.retriever.retrieve(question).passages
    assert absent_names(question, passages) == absent
    if absent:  # the rule decides, whatever the model says
        assert seeded.answerer.abstention.probability_answerable(question, passages) == 0.0


def test_hyphenated_names_count_as_mentioned_by_a_part() -> None:
    passage = _passage("Der Tarif B-free Premium kostet 20 Euro.", title="A1")
    assert absent_names("Was kostet der A1-Wertkartentarif B-free Premium?", [passage]) == []
    assert absent_names("Was kostet der Tarif Nokia Lumia?", [passage]) == ["Nokia Lumia"]
    odinga = passage.model_copy(update={"text": "Raila Odinga wurde Premierminister."})
    assert absent_names("Was sollte Odingas Rolle in der Regierung sein?", [odinga]) == []


def test_a_surname_after_someone_elses_first_name_is_absent_but_a_genitive_noun_is_not() -> None:
    passage = _passage("Hans Niessl lobte Apple. Apples Chef Tim Cook kam nach Eisenstadt.", title="Besuch")
    assert absent_names("Was sagte Hans Doskozil?", [passage]) == ["Hans Doskozil"]
    assert absent_names("Was sagte Hans Niessl?", [passage]) == []
    assert absent_names("Wann beginnt Apples Präsentation?", [passage]) == []  # "Apples Chef": a genitive


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


def test_an_amount_question_is_unmet_when_no_top_candidate_states_an_amount() -> None:
    from qa.retrieval.abstention import FEATURE_NAMES, question_features

    def passage(text: str, score: float) -> Passage:
        return _passage(text, score=score)

    unmet = FEATURE_NAMES.index("quant_unmet")
    no_amount = [passage("Die Tagung 2013/14 beschloss viele Gesetze.", 0.5), passage("Der Rat tagte.", 0.2)]
    question = "Wie viele Gesetze beschloss der Nationalrat in der Tagung 2013/14?"
    assert question_features(question, no_amount)[unmet] == 1.0  # the question's own "2013/14" is no amount
    stated = [passage("In der Tagung 2013/14 wurden 95 Gesetze beschlossen.", 0.5), *no_amount]
    assert question_features(question, stated)[unmet] == 0.0
    in_words = [passage("Es wurden zwölf Gesetze beschlossen.", 0.5)]
    assert question_features("How many laws were passed?", in_words)[unmet] == 0.0
    assert question_features("How many laws were passed?", no_amount[1:])[unmet] == 1.0
    assert question_features("Was beschloss der Rat?", no_amount)[unmet] == 0.0  # asks for no amount
    # number words count as whole words: "achten" (respect) and "Elfmeter" state no amount
    false_friends = [passage("Alle achten auf den Elfmeter.", 0.5), passage("Dreimal traf er.", 0.2)]
    assert question_features("Wie viele Tore fielen?", false_friends[:1])[unmet] == 1.0
    assert question_features("Wie viele Tore fielen?", false_friends)[unmet] == 0.0


def test_an_english_nationality_is_found_through_its_german_adjective() -> None:
    from qa.retrieval.abstention import FEATURE_NAMES, question_features

    question = "How did the Russian prosecutors classify the crimes?"
    found = [
        _passage(
            "Diese seien von der russischen Generalstaatsanwaltschaft als Terrorismus eingestuft worden."
        )
    ]
    missing = [_passage("Diese seien von der Generalstaatsanwaltschaft als Terrorismus eingestuft worden.")]
    names_any = FEATURE_NAMES.index("names_any")
    assert question_features(question, found)[names_any] == 1.0
    assert question_features(question, missing)[names_any] == 0.0
