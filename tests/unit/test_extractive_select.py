"""Which sentences the extractive answerer quotes beside its best one."""

from __future__ import annotations

from qa.answering.extractive import ExtractiveAnswerer
from qa.types import Passage


def _passage(index: int, text: str, score: float, article: str = "a") -> Passage:
    return Passage(
        article_id=article, title="Kursk", source="seed", sentence_index=index, text=text,
        start=0, end=len(text), score=score,
    )  # fmt: skip


SELENSKYJ = _passage(17, "Ich kann nur unseren Kämpfern danken, sagte der Staatschef.", 0.8)
PUTIN = _passage(9, "Ihnen wird das Leben garantiert, sagte Putin.", 0.7)
CONTINUES = _passage(16, "Die Situation ist sehr schwer.", 0.65)
NAMES_HIM = _passage(20, "Selenskyj hatte dies stets als großen Erfolg bezeichnet.", 0.6)


def _quoted(question: str, passages: list[Passage]) -> list[int]:
    answerer = ExtractiveAnswerer(abstain_below=0.0)  # always answers: only the runner-up rule is tested
    return [p.sentence_index for p in answerer.select(passages, question)]


def test_a_runner_up_about_someone_else_is_not_quoted() -> None:
    """ "Was sagte Selenskyj?": not a Putin quote scoring nearly as well; the sentence next to the
    best one (his quote continues there) and one naming him are."""
    assert _quoted("Was sagte Selenskyj?", [SELENSKYJ, PUTIN, CONTINUES]) == [17, 16]
    assert _quoted("Was sagte Selenskyj?", [SELENSKYJ, PUTIN, NAMES_HIM]) == [17, 20]


def test_a_neighbour_in_another_article_does_not_count() -> None:
    elsewhere = CONTINUES.model_copy(update={"article_id": "b"})
    assert _quoted("Was sagte Selenskyj?", [SELENSKYJ, elsewhere]) == [17]


def test_only_what_someone_said_is_held_to_their_name() -> None:
    """Elsewhere every close runner-up stays: there the rule cost more right ones than wrong ones."""
    assert _quoted("Was geschah mit Selenskyj?", [SELENSKYJ, PUTIN, CONTINUES]) == [17, 9, 16]
    assert _quoted("Was wurde gesagt?", [SELENSKYJ, PUTIN, CONTINUES]) == [17, 9, 16]
