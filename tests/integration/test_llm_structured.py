"""Structured replies end to end: the model is asked for JSON sentences with their source numbers.

The fake server on 127.0.0.1 (tests/fake_openai.py) streams the scripted JSON in pieces, as a
server under a schema does; the numbers in it are checked like ``[n]`` markers, never trusted.
"""

from __future__ import annotations

import json
from pathlib import Path

import helpers
import pytest
from fake_openai import FakeOpenAI, Reply
from helpers import GENERALSTAB

from qa.answering.llm import LLMAnswerer
from qa.answering.prompt import STRUCTURED_PROMPT, SYSTEM_PROMPT
from qa.answering.structured import ANSWER_SCHEMA, response_format
from qa.settings import Settings
from qa.text.phrases import not_in_sources
from qa.types import Answer

pytestmark = pytest.mark.server

QUESTION = "Was wies der Generalstab in Kiew zurück?"
MEDWEDEW = "Den ukrainischen Soldaten in Kursk droht dem russischen Spitzenpolitiker Dmitri Medwedew"


def number_of(request: dict, sentence_start: str) -> int:
    """The number the request's sources block gave the sentence starting with ``sentence_start``."""
    for line in request["messages"][-1]["content"].splitlines():
        if line.startswith("[") and line.split("] ", 1)[1].startswith(sentence_start):
            return int(line[1 : line.index("]")])
    raise AssertionError(f"{sentence_start!r} not among the sources sent")


def reply(*sentences: tuple[str, list[int]]) -> str:
    return json.dumps({"sentences": [{"text": t, "sources": s} for t, s in sentences]}, ensure_ascii=False)


def two_sentences(request: dict) -> str:
    """The Generalstab's sentence with its right number, then Medwedew's threat with none."""
    generalstab = "Der Generalstab in Kiew wies zurück, dass die Soldaten eingekesselt seien."
    return reply(
        (generalstab, [number_of(request, "Der Gen")]),
        ("Medwedew drohte den Soldaten in Kursk mit Vernichtung.", []),  # no number: newsqa aligns it
    )


def test_a_json_reply_streams_each_sentence_with_its_verified_sources(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.script = two_sentences
    *pieces, answer = list(helpers.llm_qa(store_dir, embeddings, fake.url).stream(QUESTION))

    assert isinstance(answer, Answer) and len(pieces) == 2 and "".join(pieces) == answer.text
    assert answer.text == (
        "Der Generalstab in Kiew wies zurück, dass die Soldaten eingekesselt seien [1]. "
        "Medwedew drohte den Soldaten in Kursk mit Vernichtung [2]."
    )
    assert [c.text[:40] for c in answer.citations] == [GENERALSTAB[:40], MEDWEDEW[:40]]
    check = answer.verification
    assert check is not None and (check.sentences, check.by_model, check.aligned) == (2, 1, 1)
    [request] = fake.requests
    assert request["response_format"] == response_format("openai")
    assert request["messages"][0] == {"role": "system", "content": STRUCTURED_PROMPT}
    assert request["max_tokens"] == 400  # the client's own extra body is kept beside the format


def test_a_json_source_number_on_the_wrong_sentence_does_not_stand(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.script = lambda r: reply(
        (
            "Der Generalstab in Kiew wies zurück, dass die Soldaten eingekesselt seien.",
            [number_of(r, "Den ukr")],
        ),
        ("Putin wurde 1952 in Leningrad geboren.", [number_of(r, "Der Gen")]),
    )
    answer = helpers.llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)

    assert [c.text for c in answer.citations] == [GENERALSTAB]  # newsqa's alignment, not the model's number
    assert answer.text == "Der Generalstab in Kiew wies zurück, dass die Soldaten eingekesselt seien [1]."
    assert answer.unsupported == ["Putin wurde 1952 in Leningrad geboren."]


def test_a_question_naming_someone_no_source_mentions_is_not_put_to_the_model(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.replies.append(reply(("Angela Merkel dankte den Kämpfern für diese Operation.", [1])))
    answer = helpers.llm_qa(store_dir, embeddings, fake.url).ask(
        "Was sagte Angela Merkel zu den Kämpfen in Kursk?"
    )

    assert answer.abstained and answer.citations == [] and fake.requests == []


def test_an_empty_json_answer_abstains(store_dir: Path, embeddings, fake: FakeOpenAI) -> None:
    fake.replies.append('{"sentences": []}')
    answer = helpers.llm_qa(store_dir, embeddings, fake.url).ask(
        "Wie viele Panzer verlor die Armee in Kursk?"
    )

    assert answer.abstained and answer.citations == [] and answer.text == not_in_sources("de")
    assert len(fake.requests) == 1


def test_a_json_reply_cut_at_the_token_limit_keeps_its_complete_sentences(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.script = lambda r: two_sentences(r)[:-40]
    answer = helpers.llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)

    assert answer.text == "Der Generalstab in Kiew wies zurück, dass die Soldaten eingekesselt seien [1]."
    assert [c.text for c in answer.citations] == [GENERALSTAB]


@pytest.mark.parametrize("status", [400, 422, 500])
def test_a_server_refusing_the_format_is_asked_in_plain_text_from_then_on(
    store_dir: Path, embeddings, fake: FakeOpenAI, status: int
) -> None:
    def script(request: dict) -> Reply | str:
        if "response_format" in request:
            return Reply(status=status, body={"error": {"message": "response_format is not supported"}})
        number = number_of(request, "Der Gen")
        return f"Der Generalstab wies zurück, dass die Soldaten eingekesselt seien [{number}]."

    fake.script = script
    qa = helpers.llm_qa(store_dir, embeddings, fake.url)
    first, second = qa.ask(QUESTION), qa.ask(QUESTION)

    for answer in (first, second):
        assert [c.text for c in answer.citations] == [GENERALSTAB] and answer.notice == ""
    assert ["response_format" in r for r in fake.requests] == [True, False, False]
    assert fake.requests[1]["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}


def test_the_local_server_is_asked_in_llama_cpp_python_s_dialect(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.script = lambda r: reply(
        ("Der Generalstab wies die Einkesselung zurück.", [number_of(r, "Der Gen")])
    )
    qa = helpers.llm_qa(store_dir, embeddings, fake.url)
    settings = Settings(data_dir=store_dir, llm_timeout=1.0, llm_max_retries=0)
    local = LLMAnswerer.from_settings(settings, embeddings, base_url=fake.url, model="m", kind="local")
    answer = local.answer(QUESTION, qa.retriever.retrieve(QUESTION).passages, "de")

    assert fake.requests[0]["response_format"] == {"type": "json_object", "schema": ANSWER_SCHEMA}
    assert [c.text for c in answer.citations] == [GENERALSTAB] and not answer.abstained


def test_plain_text_asked_for_when_structured_output_is_off(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.script = lambda r: f"Der Generalstab wies die Einkesselung zurück [{number_of(r, 'Der Gen')}]."
    answer = helpers.llm_qa(store_dir, embeddings, fake.url, llm_structured=False).ask(QUESTION)

    assert "response_format" not in fake.requests[0] and [c.text for c in answer.citations] == [GENERALSTAB]
    assert fake.requests[0]["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}


def test_a_server_failing_both_ways_keeps_the_format_and_says_so(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.script = lambda r: Reply(status=500)
    qa = helpers.llm_qa(store_dir, embeddings, fake.url)
    answer = qa.ask(QUESTION)

    assert "failed with HTTP 500" in answer.notice and answer.answerer == "extractive"  # the fallback
    assert ["response_format" in r for r in fake.requests] == [True, False]
    assert qa.answerer.structured == "openai"  # a broken server is no sign it lacks the format
