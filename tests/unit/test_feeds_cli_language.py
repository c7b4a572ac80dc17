"""The feeds CLI speaks the CLI's language (``NEWSQA_LANGUAGE``, else the locale), as the rest does."""

from __future__ import annotations

import pytest

from ingest.errors import IngestProblem
from qa.cli import main
from qa.feeds.cli import report
from qa.feeds.registry import FeedPoll

FEED = "https://news.example/feed.xml"


@pytest.mark.parametrize(
    ("lang", "polled", "unchanged", "skipped"),
    [
        ("de", f"{FEED}: 1 neu, 0 ersetzt, 2 schon gespeichert",
         f"{FEED}: seit der letzten Abfrage unverändert",
         "newsqa: übersprungen https://news.example/a: HTTP 404"),
        ("en", f"{FEED}: 1 added, 0 replaced, 2 already stored",
         f"{FEED}: not modified since the last poll", "newsqa: skipped https://news.example/a: HTTP 404"),
    ],
)  # fmt: skip
def test_poll_lines(
    lang: str, polled: str, unchanged: str, skipped: str, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = IngestProblem("https://news.example/a", "https://news.example/a: HTTP 404")
    polls = [
        FeedPoll(FEED, added=["a1"], known=["k1", "k2"], problems=[problem]),
        FeedPoll(FEED, not_modified=True),
    ]
    assert report(polls, as_json=False, lang=lang) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [polled, unchanged] and err.splitlines() == [skipped]


def test_feed_commands_in_german(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSQA_LANGUAGE", "de")
    assert main(["feeds", "list"]) == 0
    assert capsys.readouterr().out.strip() == "Gefolgte Feeds: 0"
    assert main(["feeds", "remove", FEED]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == f"newsqa: {FEED}: diesem Feed wird nicht gefolgt (siehe `newsqa feeds list`)"
    assert out.strip() == "0 Feeds entfernt; ihre Artikel bleiben im Speicher"
    assert main(["update"]) == 0
    assert "Keinem Feed wird gefolgt" in capsys.readouterr().err
