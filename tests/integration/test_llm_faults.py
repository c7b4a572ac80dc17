"""Malformed, endless and cut LLM replies end in an answer with a notice, never a crash or a hang.

Against the scripted server on 127.0.0.1 (tests/fake_openai.py), through the whole path: NewsQA ->
LLMAnswerer -> ChatOpenAI -> openai -> HTTP. Each case failed on main before: a traceback, a CLI that
ran until killed, or a cut or self-contradicting reply shown as a complete answer.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import helpers
import pytest
from fake_openai import FakeOpenAI, Reply
from helpers import GENERALSTAB

from qa.api import NewsQA
from qa.text.phrases import not_in_sources

pytestmark = pytest.mark.server

QUESTION = "Was wies der Generalstab in Kiew zurück?"
ANSWER = "Der Generalstab in Kiew wies zurück, dass die Soldaten eingekesselt seien"


def llm_qa(data_dir: Path, embeddings, url: str, **overrides) -> NewsQA:
    """Deadlines, not timeouts, end these replies: the timeout is long."""
    return helpers.llm_qa(data_dir, embeddings, url, **{"llm_timeout": 10.0, **overrides})


def warm(qa: NewsQA) -> NewsQA:
    """Load the answerer (LangChain, the fallback's weights), the indexes and the grounding model
    (USE, loaded on the first verified sentence) before timing."""
    from qa.answering.support import grounding_model
    from qa.embeddings.factory import encode

    assert qa.answerer and qa.retriever.retrieve(QUESTION).passages
    encode(grounding_model(qa.embeddings), [QUESTION])
    return qa


# ---- #18 item 4: a total deadline per answer ----------------------------------------------------
def test_an_endless_stream_is_ended_by_the_deadline_with_the_fallback(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.replies.append(Reply("und so weiter", forever=True, chunk_delay=0.02))
    qa = warm(llm_qa(store_dir, embeddings, fake.url, llm_deadline=2.0))
    started = time.perf_counter()
    answer = qa.ask(QUESTION)

    assert time.perf_counter() - started < 6  # the per-read timeout (10 s) never fires: chunks keep coming
    assert answer.answerer == "extractive" and answer.citations[0].text == GENERALSTAB
    assert "did not finish within 2 s (NEWSQA_LLM_DEADLINE)" in answer.notice


def test_an_endless_answer_keeps_its_verified_sentences_and_says_it_was_cut(
    store_dir: Path, embeddings, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Through ``newsqa ask --json`` (in process): the command ends, with the notice in the JSON."""
    from qa import cli

    fake.replies.append(Reply(f"{ANSWER} [1].", forever=True, chunk_delay=0.02))
    qa = warm(llm_qa(store_dir, embeddings, fake.url, llm_deadline=3.0))
    monkeypatch.setattr(cli, "_qa", lambda: qa)
    started = time.perf_counter()
    assert cli.main(["ask", QUESTION, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)

    assert time.perf_counter() - started < 10
    assert answer["answerer"].startswith("llm:") and answer["text"].startswith(f"{ANSWER} [1].")
    assert "NEWSQA_LLM_DEADLINE" in answer["notice"] and "incomplete" in answer["notice"]
    assert {c["text"] for c in answer["citations"]} == {GENERALSTAB}


# ---- #18 item 5: malformed output falls back with a notice --------------------------------------
def test_a_marker_of_5000_digits_is_dropped_not_a_traceback(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.replies.append(f"{ANSWER} [{'9' * 5000}].")
    answer = llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)

    assert answer.dropped_markers == 1 and answer.text == f"{ANSWER} [1]."  # newsqa cites it instead
    assert [c.text for c in answer.citations] == [GENERALSTAB]


def test_invalid_utf8_in_a_stream_chunk_falls_back_with_a_notice(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    bad = b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":' + (
        b'[{"index":0,"delta":{"content":"\xff\xfe kaputt"},"finish_reason":null}]}\n\n'
    )
    fake.replies.append(Reply(f"{ANSWER} [1].", raw=bad))
    answer = llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)

    assert answer.answerer == "extractive" and answer.citations[0].text == GENERALSTAB
    assert "sent a malformed reply" in answer.notice


@pytest.mark.parametrize("cut_after_a_sentence", [True, False])
def test_a_stream_closed_without_done_is_not_taken_as_complete(
    store_dir: Path, embeddings, fake: FakeOpenAI, cut_after_a_sentence: bool
) -> None:
    content = f"{ANSWER} [1]. Außerdem sagte der Generalstab" if cut_after_a_sentence else "Der Generalstab"
    fake.replies.append(Reply(content, finish=False))
    answer = llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)

    assert "closed the stream before the answer was complete" in answer.notice
    if cut_after_a_sentence:  # the verified sentence stays; the cut one is never shown
        assert answer.answerer.startswith("llm:") and answer.text == f"{ANSWER} [1]."
        assert "incomplete" in answer.notice
    else:
        assert answer.answerer == "extractive" and answer.citations[0].text == GENERALSTAB


def test_not_in_sources_after_answer_text_does_not_contradict_itself(
    store_dir: Path, embeddings, fake: FakeOpenAI
) -> None:
    fake.replies.append(f"{ANSWER} [1]. NOT_IN_SOURCES")
    answer = llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)
    assert not answer.abstained and answer.text == f"{ANSWER} [1]."
    assert "NOT_IN_SOURCES" not in answer.text and not_in_sources("de") not in answer.text
    assert "also said the sources do not answer" in answer.notice

    fake.replies.append("Putin wurde 1952 in Leningrad geboren. NOT_IN_SOURCES")
    answer = llm_qa(store_dir, embeddings, fake.url).ask(QUESTION)
    assert answer.abstained and answer.text == not_in_sources("de") and answer.citations == []
    assert answer.unsupported == ["Putin wurde 1952 in Leningrad geboren."]
