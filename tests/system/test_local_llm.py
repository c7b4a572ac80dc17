"""The whole LLM path against a real llama.cpp server on 127.0.0.1 with a real model.

``answerer=local`` starts llama-cpp-python's OpenAI-compatible server (a subprocess, as in
production) with SmolLM2-135M-Instruct: 98 MB, installed by ``make test``, fast enough for CI on 2
cores. Its German is poor (it mostly echoes sources), which is the point: its reply must still come
out with a verified citation to the right seed sentence, and nothing unbacked shown. The packaged
1.5B model runs the same path in ``newsqa eval --answerer local`` and bench/local_llm.py (its 1.1 GB
download and ~9 tokens/s would take minutes of CI per question).
"""

from __future__ import annotations

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
        local_sources=4, llm_deadline=300.0, llm_timeout=300.0,
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
