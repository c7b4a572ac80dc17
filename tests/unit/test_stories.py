"""Reports of one story that disagree: newest first, the older marked; anything else left as it was."""

from __future__ import annotations

from qa.answering.stories import order_reports, same_story_disagreeing
from qa.text.numbers import quantities
from qa.types import Passage

OLD = "Bei dem Brand in der Lagerhalle in Kleinhausen wurden drei Menschen verletzt."
NEW = "Nach dem Brand in der Lagerhalle in Kleinhausen stieg die Zahl der verletzten Menschen auf sieben."
OTHER = "Beim Stadtfest in Kornwald spielten 12 Bands."


def passage(article: str, text: str, score: float, day: str) -> Passage:
    return Passage(
        article_id=article, title=article, source="s", sentence_index=0, text=text, start=0, end=len(text),
        score=score, date=day,
    )  # fmt: skip


def test_quantities_read_digits_and_words() -> None:
    assert quantities("drei Verletzte, 4,2 Millionen Euro und 12.000 Container") == {"3", "4.2", "12000"}
    assert quantities("ein Brand") == frozenset()  # "ein" is an article here, not a count


def test_newest_first_and_the_older_marked() -> None:
    old, new = passage("old", OLD, 0.8, "2025-03-10"), passage("new", NEW, 0.5, "2025-03-14")
    assert same_story_disagreeing(old, new)
    reports = order_reports([old], [old, new], most=3)  # the newer report joins: 0.5 >= 0.3 * 0.8
    assert [(r.passage.article_id, r.earlier) for r in reports] == [("new", False), ("old", True)]


def test_undated_same_numbers_or_other_stories_are_left_alone() -> None:
    old, new = passage("old", OLD, 0.8, ""), passage("new", NEW, 0.5, "")
    assert [r.passage.article_id for r in order_reports([old, new], [old, new], 3)] == ["old", "new"]
    same = passage("same", OLD.replace("Bei dem", "Beim"), 0.7, "2025-03-14")
    dated_old = passage("old", OLD, 0.8, "2025-03-10")
    assert not any(r.earlier for r in order_reports([dated_old, same], [dated_old, same], 3))
    other = passage("other", OTHER, 0.7, "2025-03-14")
    assert [r.passage.article_id for r in order_reports([dated_old, other], [dated_old, other], 3)] == [
        "old",
        "other",
    ]
