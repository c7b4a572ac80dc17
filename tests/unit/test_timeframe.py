"""Time in questions, resolved against a fixed clock into a window of publication days, and selections."""

from __future__ import annotations

from datetime import date

import pytest

from qa.scope.question import prefer_recent, scope_of
from qa.scope.selection import Selection, SelectionError, selection_of, source_names
from qa.scope.timeframe import asks_for_latest, resolve_time
from qa.store.records import StoredArticle
from qa.text.phrases import scope_line
from qa.types import Passage

TODAY = date(2025, 3, 14)  # a Friday


@pytest.mark.parametrize(
    ("question", "since", "until", "expression"),
    [
        ("Was passierte gestern in Kleinhausen?", date(2025, 3, 13), date(2025, 3, 14), "gestern"),
        ("What happened yesterday in Kleinhausen?", date(2025, 3, 13), date(2025, 3, 14), "yesterday"),
        ("Was geschah letzte Woche?", date(2025, 3, 3), date(2025, 3, 10), "letzte woche"),
        ("What happened last week?", date(2025, 3, 3), date(2025, 3, 10), "last week"),
        ("Was war diese Woche los?", date(2025, 3, 10), TODAY, "diese woche"),
        ("Was geschah im März?", date(2025, 3, 1), TODAY, "im märz"),
        ("Was geschah im Mai?", date(2024, 5, 1), date(2024, 6, 1), "im mai"),  # May has not come yet
        ("Was hat sich seit März geändert?", date(2025, 3, 1), TODAY, "seit märz"),
        ("What happened in March?", date(2025, 3, 1), TODAY, "in march"),
        ("Was gab es im letzten Monat?", date(2025, 2, 1), date(2025, 3, 1), "letzten monat"),
        ("Was passierte in den letzten drei Tagen?", date(2025, 3, 11), TODAY, "letzten drei tagen"),
        ("What happened in the past 2 weeks?", date(2025, 2, 24), TODAY, "past 2 weeks"),
        ("Was geschah in diesem Jahr?", date(2025, 1, 1), TODAY, "diesem jahr"),
        ("Was war in diesem Monat los?", date(2025, 3, 1), TODAY, "diesem monat"),
        ("Was geschah in den letzten zwei Jahren?", date(2023, 1, 1), TODAY, "letzten zwei jahren"),
    ],
)
def test_relative_time_resolves_against_the_clock(
    question: str, since: date, until: date, expression: str
) -> None:
    window = resolve_time(question, TODAY)
    assert window is not None and (window.since, window.until, window.expression) == (
        since,
        until,
        expression,
    )


@pytest.mark.parametrize(
    "question",
    [
        "Wer ist heute Bürgermeister?",
        "Was sagte Putin am Morgen?",
        "Wer hat das Rennen gewonnen?",
        "May I ask?",
        "Wie viele Personen bewohnten das Gebiet im März 2015?",  # a year: when it happened, not published
        "Wie hat sich die Stadt in den letzten Jahren verändert?",  # a vague stretch, not 2024
        "Was wurde in den vergangenen Wochen beschlossen?",
        "Was sagte sie am letzten Tag der Konferenz?",  # the conference's last day, not yesterday
        "Was geschah an diesem Tag?",
        "How did it change in recent years?",
    ],
)
def test_no_window_without_a_time_expression(question: str) -> None:
    assert resolve_time(question, TODAY) is None


def test_latest() -> None:
    assert asks_for_latest("Was ist der neueste Stand beim Brand?")
    assert asks_for_latest("How many are injured now?")
    assert not asks_for_latest("Wie viele Menschen wurden verletzt?")


def stored(article_id: str, day: str, source: str = "feed") -> StoredArticle:
    url = f"https://news.example/{article_id}" if source == "feed" else ""
    return StoredArticle(article_id, "T", source, url, day, "h", 1, 1, 1, "")


ARTICLES = [
    stored("a", "2025-03-10T08:00:00+01:00"),
    stored("b", "2025-03-13"),
    stored("c", "", "notes/c.txt"),
]


def test_selection_parts() -> None:
    assert Selection(since=date(2025, 3, 11)).admitted(ARTICLES) == {"b"}  # undated: outside every range
    assert Selection(until=date(2025, 3, 10)).admitted(ARTICLES) == {"a"}
    assert Selection(article_ids=("c",)).admitted(ARTICLES) == {"c"}
    assert Selection(source="news.example").admitted(ARTICLES) == {"a", "b"}
    assert Selection(source="notes").admitted(ARTICLES) == {"c"}


def test_scope_keeps_undated_articles_for_a_window_the_question_implies() -> None:
    scope = scope_of("Was passierte gestern?", None, TODAY, lambda: ARTICLES)
    assert scope.allowed == {"b", "c"} and scope.expression == "gestern"
    explicit = scope_of("Was passierte gestern?", Selection(since=date(2025, 3, 1)), TODAY, lambda: ARTICLES)
    assert explicit.allowed == {"b"}  # the caller's own date range excludes undated articles
    assert scope_of("Was passierte?", None, TODAY, lambda: ARTICLES).allowed is None
    some = scope_of("Was passierte?", Selection(source="news.example"), TODAY, lambda: ARTICLES)
    assert some.allowed == {"a", "b"}
    everything = scope_of(
        "Was passierte?", Selection(until=date(2030, 1, 1), undated=True), TODAY, lambda: ARTICLES
    )
    assert everything.allowed is None  # admitting every article restricts nothing: retrieval runs as without


def test_scope_line_says_what_was_asked() -> None:
    window = Selection(since=date(2025, 3, 13), until=date(2025, 3, 14))
    assert scope_line("de", window, "gestern") == (
        "Gefragt wurden nur Artikel vom 2025-03-13 bis 2025-03-14 (aus „gestern“)."
    )
    assert scope_line("en", Selection(article_ids=("abc",))) == "Asked of the articles abc."
    assert scope_line("de", None) == ""


def passage(article: str, score: float, day: str) -> Passage:
    return Passage(
        article_id=article, title="T", source="s", sentence_index=0, text=article, start=0, end=1,
        score=score, date=day,
    )  # fmt: skip


def test_prefer_recent_reorders_only_close_passages() -> None:
    ranked = [
        passage("old", 0.9, "2025-03-10"),
        passage("new", 0.8, "2025-03-14"),
        passage("far", 0.2, "2025-03-15"),
    ]
    assert [p.article_id for p in prefer_recent(ranked)] == ["new", "old", "far"]
    undated = [passage("x", 0.9, ""), passage("y", 0.8, "")]
    assert prefer_recent(undated) == undated


def test_scope_line_names_a_chosen_article_by_its_title() -> None:
    one = Selection(article_ids=("abc",))
    assert (
        scope_line("de", one, titles={"abc": "Preise in Bonn"})
        == "Gefragt wurde nur der Artikel „Preise in Bonn“."
    )
    assert scope_line("en", one, titles={"abc": "Prices"}) == "Asked of the article “Prices”."
    both = Selection(article_ids=("abc",), until=date(2025, 3, 14))
    assert scope_line("de", both, titles={"abc": "X"}) == (
        "Gefragt wurden nur der Artikel „X“ und Artikel bis zum 2025-03-14."
    )


@pytest.mark.parametrize(
    ("parts", "key"),
    [
        ({"since": "2025-13-01"}, "bad_date"),
        ({"until": "14.03.2025"}, "bad_date"),
        ({"since": "2025-03-14", "until": "2025-03-01"}, "since_after_until"),
        ({"article_ids": [7]}, "not_text"),  # an API client's number: no AttributeError on .strip()
        ({"article_ids": [["a"]]}, "not_text"),
        ({"source": 3}, "not_text"),
        ({"until": 20250314}, "not_text"),
    ],
)
def test_a_selection_as_typed_is_refused_with_a_reason(parts: dict[str, str], key: str) -> None:
    with pytest.raises(SelectionError) as caught:
        selection_of(**parts)  # type: ignore[arg-type]
    assert caught.value.key == key
    assert caught.value.say("de") != caught.value.say("en") and str(caught.value) == caught.value.say("en")


def test_a_selection_as_typed() -> None:
    assert selection_of([""], " ", " ", "") is None  # nothing typed: all articles
    made = selection_of(["b "], "", " 2025-03-01", "2025-03-14")
    assert made == Selection(article_ids=("b",), since=date(2025, 3, 1), until=date(2025, 3, 14))


def test_a_selection_naming_an_article_not_stored_is_refused() -> None:
    with pytest.raises(SelectionError, match="gone"):
        scope_of("Was passierte?", Selection(article_ids=("gone",)), TODAY, lambda: ARTICLES)
    assert scope_of("Was passierte?", Selection(article_ids=("a",)), TODAY, lambda: ARTICLES).allowed == {"a"}


def test_source_names_are_sources_a_selection_admits() -> None:
    names = source_names(ARTICLES)
    assert names == sorted(set(names))
    for name in names:
        assert Selection(source=name).admitted(ARTICLES), name
