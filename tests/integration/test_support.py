"""The grounding check with the real embedding model: a translation of a source sentence is supported."""

from __future__ import annotations

from helpers import GENERALSTAB

from qa.answering.support import support_scores
from qa.types import Answer, Citation, Passage


def passage(text: str, index: int) -> Passage:
    return Passage(
        article_id="a1", title="Titel", source="test", sentence_index=index, text=text,
        start=0, end=len(text), score=0.5,
    )  # fmt: skip


def _answer(text: str, cited: list[str]) -> Answer:
    citations = [Citation(marker=i, **passage(t, i).model_dump()) for i, t in enumerate(cited, start=1)]
    return Answer(question="?", text=text, abstained=False, language="de", answerer="t", citations=citations)


def test_support_scores_with_embeddings_accepts_a_translation(embeddings) -> None:
    answer = _answer("The general staff in Kyiv denied that the troops were surrounded [1].", [GENERALSTAB])
    [lexical] = support_scores(answer)
    [both] = support_scores(answer, embeddings)
    assert not lexical.supported and both.supported and both.semantic is not None and both.semantic > 0.6
