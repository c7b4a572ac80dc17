"""The whole LLM path against a real llama.cpp server on 127.0.0.1 with a real model.

``answerer=local`` starts llama-cpp-python's OpenAI-compatible server (a subprocess, as in
production) with SmolLM2-135M-Instruct: 98 MB, installed by ``make test``, fast enough for CI on 2
cores. Its German is poor (it mostly echoes sources), which is the point: its reply must still come
out with a verified citation to the right seed sentence, and nothing unbacked shown. It is asked in
plain text: a 135M model fills a JSON schema with the schema's own placeholder, so the structured
request is checked for what the server does with it (the grammar holds the reply to the schema),
not for the answer's content. The packaged
1.5B model runs the same path in ``newsqa eval --answerer local`` and bench/local_llm.py (its 1.1 GB
download and ~9 tokens/s would take minutes of CI per question).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import GENERALSTAB, SEED, build_qa

from qa.answering.support import support_scores
from qa.types import Answer

pytestmark = [pytest.mark.server, pytest.mark.slow]

QUESTION = "Was wies der Generalstab in Kiew zurück?"


@pytest.fixture(scope="module")
def local_qa(tmp_path_factory: pytest.TempPathFactory, embeddings):
    from qa.answering.local import stop_servers
    from qa.answering.local_model import smollm2_model

    qa = build_qa(
        tmp_path_factory.mktemp("local-llm"), embeddings, answerer="local", local_model=str(smollm2_model()),
        local_sources=4, llm_deadline=300.0, llm_timeout=300.0, llm_structured=False,
    )  # fmt: skip
    qa.ingest([SEED])
    yield qa
    stop_servers()


def test_a_real_model_answer_carries_a_verified_citation_to_the_right_sentence(local_qa, embeddings) -> None:
    *pieces, answer = list(local_qa.stream(QUESTION))

    assert isinstance(answer, Answer) and "".join(pieces) == answer.text  # streamed = verified final state
    assert answer.answerer == "local:SmolLM2-135M-Instruct.Q4_1" and answer.notice == ""
    assert not answer.abstained and GENERALSTAB in [c.text for c in answer.citations]
    assert answer.verification is not None and answer.verification.verified >= 1
    # nothing shown is unbacked: the product's own grounding check passes every shown sentence
    assert all(claim.supported for claim in support_scores(answer, embeddings))
    assert local_qa.answerer.label == "SmolLM2-135M-Instruct.Q4_1.gguf (local, llama.cpp)"


def test_the_real_server_holds_a_structured_reply_to_the_schema(local_qa, monkeypatch) -> None:
    from qa.answering.llm import LLMAnswerer
    from qa.answering.structured import JsonClaimReader

    answerer = local_qa.answerer
    assert isinstance(answerer, LLMAnswerer) and answerer.structured is None
    monkeypatch.setattr(answerer, "structured", "llama.cpp")  # the same server, asked as the 1.5B is
    read: list[str] = []
    original = JsonClaimReader.feed

    def feed(self: JsonClaimReader, delta: str) -> list:
        read.append(delta)
        return original(self, delta)

    monkeypatch.setattr(JsonClaimReader, "feed", feed)
    answer = local_qa.ask(QUESTION)
    assert answerer.structured == "llama.cpp"  # the server took the format: not switched to plain text

    reply = json.loads("".join(read))  # the grammar made it JSON of the schema's shape
    assert isinstance(reply["sentences"], list)
    assert all(set(s) == {"text", "sources"} and isinstance(s["text"], str) for s in reply["sentences"])
    assert answer.notice == "" or "not shown" in answer.notice  # not a refused format, no fallback
    shown = [c.text for c in answer.citations]
    assert all(claim.supported for claim in support_scores(answer, None)) and len(shown) == len(set(shown))


def test_the_llm_path_asks_a_real_llama_cpp_server_in_plain_text_once_it_refuses_the_schema(local_qa) -> None:
    from qa.answering.llm import LLMAnswerer

    server = local_qa.answerer.endpoint  # the running server, now as `answerer=llm` would meet it
    as_llm = {"openai_base_url": server, "llm_model": "m", "llm_max_sources": 4, "llm_structured": True}
    llm = LLMAnswerer.from_settings(local_qa.settings.model_copy(update=as_llm), local_qa.embeddings)
    assert llm.structured == "openai"
    answer = llm.answer(QUESTION, local_qa.retriever.retrieve(QUESTION).passages, "de")

    assert llm.structured is None  # llama-cpp-python's server fails OpenAI's `json_schema` (HTTP 500)
    assert answer.notice == "" and GENERALSTAB in [c.text for c in answer.citations]


def test_the_servers_prompt_cache_stays_within_its_size() -> None:
    """llama-cpp-python counts only a saved prompt's KV bytes, not its ~100 MB copy of the scores
    (SmolLM2; 311 MB for the 1.5B): unbounded, the server grew by that per distinct prompt."""
    import urllib.request

    from qa.answering.local import LocalServer
    from qa.answering.local_model import smollm2_model

    server = LocalServer(smollm2_model(), "m", threads=2, context=2048, cache_bytes=256 << 20)
    server.start()
    try:
        assert server.process is not None
        status = Path(f"/proc/{server.process.pid}/status")
        sizes = []
        for n in range(10):
            prompt = f"Frage {n}: " + "Wort " * 200  # distinct prompts: each one is saved
            body = {"model": "m", "max_tokens": 2, "messages": [{"role": "user", "content": prompt}]}
            request = urllib.request.Request(
                f"{server.url}/chat/completions",
                json.dumps(body).encode(),
                {"Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=120).read()
            rss = next(line for line in status.read_text().splitlines() if line.startswith("VmRSS"))
            sizes.append(int(rss.split()[1]) // 1024)
    finally:
        server.stop()
    assert sizes[-1] - sizes[1] < 300, sizes  # MB; without the bound ~90 MB more per prompt (~750)
