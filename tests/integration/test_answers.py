"""Answers on the seed article: the right sentence, exact offsets, honest abstention."""

from __future__ import annotations

import pytest
from helpers import GENERALSTAB, SEED, SELENSKYJ_SAID

from qa.api import QuestionError
from qa.text.phrases import not_in_sources
from qa.types import Answer


def test_cites_the_sentence_that_answers_with_exact_offsets(seeded) -> None:
    answer = seeded.ask("Was wies der Generalstab in Kiew zurück?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.text == GENERALSTAB
    assert SEED.read_text(encoding="utf-8")[first.start : first.end] == GENERALSTAB
    assert first.marker == 1 and "[1]" in answer.text
    assert first.sentence_index == 5
    assert answer.language == "de" and answer.answerer == "extractive"


@pytest.mark.parametrize(
    ("question", "expected_start"),
    [
        ("Wer droht den ukrainischen Soldaten mit Vernichtung?", "Den ukrainischen Soldaten in Kursk droht"),
        ("Was gestand Selenskyj indirekt ein?", "Der ukrainische Präsident Wolodymyr Selenskyj gestand"),
        ("Wie stufte die Generalstaatsanwaltschaft die Verbrechen ein?", "Diese seien von der russischen"),
    ],
)
def test_other_questions_cite_their_sentence(seeded, question: str, expected_start: str) -> None:
    answer = seeded.ask(question)
    assert answer.citations, answer
    assert answer.citations[0].text.startswith(expected_start)


def test_every_citation_slices_the_source(seeded) -> None:
    text = SEED.read_text(encoding="utf-8")
    answer = seeded.ask("Was sagte Putin über die Verbrechen der Soldaten?")
    for c in answer.citations + answer.passages:
        assert text[c.start : c.end] == c.text


def test_abstains_on_a_person_the_article_never_mentions(seeded) -> None:
    answer = seeded.ask("Was hat Angela Merkel über die Energiewende gesagt?")
    assert answer.abstained
    assert answer.citations == []
    assert answer.text == not_in_sources("de")
    assert answer.passages, "the closest passages are still shown"


def test_english_question_gets_english_framing(seeded) -> None:
    answer = seeded.ask("Who is Angela Merkel married to?")
    assert answer.language == "en"
    assert answer.abstained and answer.text == not_in_sources("en")


def test_an_english_question_is_embedded_with_its_german_words(seeded) -> None:
    """The glossary's "danken" for "thank" reaches the question's vector, not only BM25."""
    from qa.embeddings.factory import encode_queries
    from qa.retrieval.candidates import find_candidates
    from qa.text.glossary import lexical_form

    question = "Whom did Zelensky thank?"
    view = find_candidates(seeded.store, question)
    expected = encode_queries(seeded.store.embeddings, [lexical_form(question)])[0]
    assert float(view.vector @ expected) > 0.9999
    german = "Wem dankte Selenskyj?"
    german_vector = encode_queries(seeded.store.embeddings, [german])[0]
    assert float(find_candidates(seeded.store, german).vector @ german_vector) > 0.9999
    answer = seeded.ask(question)
    assert answer.citations and answer.citations[0].text.startswith(SELENSKYJ_SAID[2]), answer


def test_answer_round_trips_through_json(seeded) -> None:
    answer = seeded.ask("Was wies der Generalstab in Kiew zurück?")
    again = Answer.model_validate_json(answer.model_dump_json())
    assert again == answer
    assert again.timings.total >= again.timings.retrieve > 0


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000])
def test_unaskable_questions_get_a_clear_error(seeded, question: str) -> None:
    with pytest.raises(QuestionError):
        seeded.ask(question)


def test_chain_is_a_runnable(seeded) -> None:
    answer = seeded.chain.invoke({"question": "Was wies der Generalstab in Kiew zurück?"})
    assert answer.citations[0].text == GENERALSTAB
    assert seeded.chain.invoke("Was wies der Generalstab in Kiew zurück?").citations[0].text == GENERALSTAB


def test_langchain_retriever_returns_sentences_with_offsets(seeded) -> None:
    docs = seeded.as_retriever(k=3).invoke("Was wies der Generalstab in Kiew zurück?")
    assert len(docs) == 3
    assert docs[0].page_content == GENERALSTAB
    meta = docs[0].metadata
    assert SEED.read_text(encoding="utf-8")[meta["start"] : meta["end"]] == GENERALSTAB
    assert meta["sentence_index"] == 5 and 0 <= meta["score"] <= 1


def test_streaming_yields_text_then_the_answer(seeded) -> None:
    events = list(seeded.stream("Was wies der Generalstab in Kiew zurück?"))
    assert isinstance(events[-1], Answer)
    assert "".join(e for e in events[:-1]) == events[-1].text


def test_follow_up_borrows_the_previous_question(seeded) -> None:
    history = [("Was drohte Medwedew den ukrainischen Soldaten in Kursk an?", "…")]
    answer = seeded.ask("Und was sagte Selenskyj dazu?", history)
    assert answer.standalone_question.startswith("Und was sagte Selenskyj dazu?")
    assert answer.citations
    assert all(any(said in c.text for said in SELENSKYJ_SAID) for c in answer.citations), answer.citations


def test_a_question_naming_its_subject_ignores_the_history(seeded) -> None:
    """The README's example: "Und was sagte Selenskyj?" after a Putin question is about Selenskyj."""
    history = [("Was sagte Putin?", "…")]
    answer = seeded.ask("Und was sagte Selenskyj?", history)
    assert answer.standalone_question == ""
    assert answer.citations == seeded.ask("Und was sagte Selenskyj?").citations
    assert answer.citations and not any("Putin" in c.text for c in answer.citations)
    assert seeded.ask("Wem dankte Selenskyj?", history).standalone_question == ""


def test_an_empty_store_says_how_to_add_articles(make_qa) -> None:
    qa = make_qa()
    answer = qa.ask("Was wies der Generalstab in Kiew zurück?")
    assert answer.abstained and "newsqa ingest" in answer.notice
    assert "newsqa ingest" in qa.ask("What did Kyiv deny?").notice and answer.language == "de"


@pytest.mark.parametrize("question", ["a", "?!.,;:", "\U0001f600\U0001f600\U0001f600", "und der die das"])
def test_a_question_with_nothing_to_look_up_abstains(seeded, question: str) -> None:
    answer = seeded.ask(question)
    assert answer.abstained and answer.citations == [] and answer.passages == []
