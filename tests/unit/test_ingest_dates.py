"""Publication dates: each form a source gives becomes ISO 8601; a dateline is found, an event date not."""

from __future__ import annotations

from datetime import date

import pytest

from ingest import article_from_text, build_article
from ingest.dates import dateline_date, day_of, iso_date


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-03-14", "2025-03-14"),
        ("2025-03-14T09:30:00Z", "2025-03-14T09:30:00+00:00"),  # Atom / RFC 3339
        ("Fri, 14 Mar 2025 09:30:00 +0100", "2025-03-14T09:30:00+01:00"),  # RSS pubDate / RFC 822
        ("14.03.2025", "2025-03-14"),
        ("14. März 2025", "2025-03-14"),
        ("March 14, 2025", "2025-03-14"),
        ("2025-13-01", ""),  # no such month
        ("irgendwann", ""),
        ("", ""),
    ],
)
def test_iso_date_normalises_every_form(given: str, expected: str) -> None:
    assert iso_date(given) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlin, 14. März 2025 – Die Regierung beschloss das Gesetz.", "2025-03-14"),
        ("BERLIN (dpa) 02.01.2024: Der Zug kam zu spät.", "2024-01-02"),
        ("Am 3. März 2020 wurde der Vertrag unterzeichnet.", ""),  # an event, not the article's date
        ("Die Zahl stieg im ganzen Land seit langer Zeit bis 14.03.2025 an.", ""),
        ("14. März 2025 – Der Stadtrat tagte.", "2025-03-14"),
        ("Hamburg, Freitag, 14.03.2025: Der Hafen meldet einen Rekord.", "2025-03-14"),
        ("Frankfurt am Main, 14. März 2025 (dpa) Die Börse schloss fester.", "2025-03-14"),
        ("Der 9. November 1989 veränderte Deutschland für immer.", ""),  # history, not the dateline
        ("Nach dem 11. September 2001 – so sagte er – war alles anders.", ""),
        ("Berlin, 14. März 2025 war ein kalter Tag.", ""),  # a place and a date, but in a sentence
    ],
)
def test_dateline(text: str, expected: str) -> None:
    assert dateline_date(text) == expected


def test_article_dates_are_iso_and_fall_back_to_the_dateline() -> None:
    given = build_article("T", "Ein Satz über das Wetter.", "x.json", date="14.03.2025")
    assert given.date == "2025-03-14"
    from_dateline = article_from_text("T", "Hamburg, 2. April 2025 – Der Hafen wächst.")
    assert from_dateline.date == "2025-04-02"
    assert article_from_text("T", "Kein Datum hier.").date == ""


def test_day_of_reads_stored_dates() -> None:
    assert day_of("2025-03-14T23:30:00+01:00") == date(2025, 3, 14)
    assert day_of("14.3.2025") == date(2025, 3, 14)
    assert day_of("") is None
