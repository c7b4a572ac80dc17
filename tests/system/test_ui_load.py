"""The running web chat under load, and follow-ups through it: 20 people asking at once each get
their own answer (no error, no answer or source of another session), and a follow-up question is
answered with the session's chat history."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from gradio_client import Client
from helpers import GENERALSTAB, SEED, SELENSKYJ_SAID, build_qa, free_port
from ui_helpers import ask_many, served

pytestmark = pytest.mark.server

# Five questions about the seed article, each with the sentence its answer must cite first.
CASES = {
    "Was wies der Generalstab in Kiew zurück?": GENERALSTAB,
    "Wer droht den ukrainischen Soldaten mit Vernichtung?": "Den ukrainischen Soldaten in Kursk droht dem",
    "Was gestand Selenskyj indirekt ein?": "Der ukrainische Präsident Wolodymyr Selenskyj gestand indirekt",
    "Was schrieb Trump auf Truth Social?": "Genau in diesem Moment sind Tausende ukrainische Soldaten",
    "Was lobte der Kremlchef?": "Der Kremlchef lobte erneut, dass Trump alles tue",
}
MEDWEDEW = "Den ukrainischen Soldaten in Kursk droht dem russischen Spitzenpolitiker Dmitri Medwedew"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[str]:
    qa = build_qa(tmp_path_factory.mktemp("ui-load"), embeddings, auth="")
    qa.ingest([SEED])
    with served(qa, free_port()) as url:
        Client(url, verbose=False).predict("Was sagte Putin?", api_name="/chat")  # warm up once
        yield url


def test_twenty_concurrent_questions_each_get_their_own_cited_answer(url: str) -> None:
    """20 clients (20 sessions) ask 5 different questions at once through the queue.

    Fails if answers or sessions get mixed: each answer must cite its own question's sentence and
    none of the other four, and be its session's first turn (``0-1``: the per-session ``gr.State``;
    a shared turns list would number them 0..19). Fails too on any queue error or a stuck queue."""
    questions = [list(CASES)[i % len(CASES)] for i in range(20)]
    started = time.perf_counter()
    results = ask_many(url, questions, timeout=45)
    elapsed = time.perf_counter() - started
    for question, (messages, choices, article_html, _heading) in zip(questions, results, strict=True):
        expected = CASES[question]
        answer, sources = messages[0]["content"], messages[1]
        assert expected in answer and 'href="#cite-0-1"' in answer, (question, answer)
        assert expected in sources["content"], (question, sources)
        others = [s for q, s in CASES.items() if q != question]
        assert not any(s in answer for s in others), (question, answer)
        assert choices["value"] == "0-1" and expected in choices["choices"][0][0], (question, choices)
        focus = article_html.split('<mark class="cited focus"', 1)[1].split("</mark>", 1)[0]
        assert expected in focus, (question, focus)
    assert elapsed < 45, f"20 concurrent questions took {elapsed:.1f} s"


def test_follow_up_uses_the_sessions_chat_history(url: str) -> None:
    """The ``/chat`` endpoint takes only the message: the history lives in the session
    (ChatInterface's ``chatbot_state``), so a follow-up is asked on the same client.

    "Und was sagte er dazu?" resolves "er" only through the history (alone it cites a Putin
    sentence): it fails if ``respond`` stops passing the history to ``qa.stream``."""
    client = Client(url, verbose=False)
    messages, choices, *_ = client.predict(
        "Was drohte Medwedew den ukrainischen Soldaten an?", api_name="/chat"
    )
    assert MEDWEDEW in messages[0]["content"] and choices["value"] == "0-1"

    messages, choices, article_html, _ = client.predict("Und was sagte Selenskyj dazu?", api_name="/chat")
    answer = messages[0]["content"]
    assert any(said in answer for said in SELENSKYJ_SAID) and 'href="#cite-1-1"' in answer, answer
    assert "Putin" not in answer, answer  # not a quote of Putin's scoring nearly as well
    assert choices["value"] == "1-1"  # the session's 2nd turn
    cited = article_html.split('<mark class="cited focus"', 1)[1].split("</mark>", 1)[0]
    for shown in (choices["choices"][0][0], cited):  # a sentence naming him, or his own words
        assert any(said in shown for said in SELENSKYJ_SAID), shown

    other = Client(url, verbose=False)  # a second session with the same first question
    other.predict("Was drohte Medwedew den ukrainischen Soldaten an?", api_name="/chat")
    messages, choices, *_ = other.predict("Und was sagte er dazu?", api_name="/chat")
    assert MEDWEDEW in messages[0]["content"] and choices["value"] == "1-1", messages[0]["content"]
    alone, *_ = Client(url, verbose=False).predict("Und was sagte er dazu?", api_name="/chat")
    assert MEDWEDEW not in alone[0]["content"], "control: without the history 'er' stays unresolved"
