"""The fixed phrases newsqa's answers say in the reader's language, German or English."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.scope.selection import Selection

NOT_IN_SOURCES = {
    "de": "Dazu steht nichts in den Quellen.",
    "en": "The sources do not answer this question.",
}


def not_in_sources(language: str) -> str:
    """The honest "not in the sources" answer in ``language`` (German when unknown)."""
    return NOT_IN_SOURCES.get(language, NOT_IN_SOURCES["de"])


EMPTY_STORE = {
    "de": "Es sind noch keine Artikel gespeichert. Fügen Sie welche hinzu: newsqa ingest PFAD (oder im "
    "Web-Chat unter Articles).",
    "en": "The store holds no articles yet. Add some with: newsqa ingest PATH (or in the web chat's "
    "Articles tab).",
}


def empty_store(language: str) -> str:
    """What to tell a reader who asks a store without articles, in ``language``."""
    return EMPTY_STORE.get(language, EMPTY_STORE["de"])


EARLIER_REPORT = {"de": "Früherer Bericht ({day}): ", "en": "Earlier report ({day}): "}


def earlier_report(language: str, day: str) -> str:
    """The label before a quoted sentence that a newer report of the same story contradicts."""
    return EARLIER_REPORT.get(language, EARLIER_REPORT["de"]).format(day=day)


SCOPE = {
    "de": {
        "head": "Gefragt wurden nur",
        "articles": "die Artikel {ids}",
        "source": "Artikel aus {source}",
        "range": "Artikel vom {since} bis {until}",
        "since": "Artikel ab dem {since}",
        "until": "Artikel bis zum {until}",
        "from": "aus „{expression}“",
        "and": " und ",
    },
    "en": {
        "head": "Asked of",
        "articles": "the articles {ids}",
        "source": "articles from {source}",
        "range": "articles published {since} to {until}",
        "since": "articles published {since} or later",
        "until": "articles published {until} or earlier",
        "from": 'from "{expression}"',
        "and": " and ",
    },
}


def scope_line(language: str, selection: Selection | None, expression: str = "") -> str:
    """What a question was asked of, in ``language``: "" for all articles."""
    if selection is None or selection.empty:
        return ""
    words = SCOPE.get(language, SCOPE["de"])
    parts = []
    if selection.article_ids:
        parts.append(words["articles"].format(ids=", ".join(selection.article_ids)))
    if selection.source:
        parts.append(words["source"].format(source=selection.source))
    since, until = selection.since, selection.until
    if since and until:
        parts.append(words["range"].format(since=since.isoformat(), until=until.isoformat()))
    elif since or until:
        key = "since" if since else "until"
        parts.append(words[key].format(since=since and since.isoformat(), until=until and until.isoformat()))
    said = f" ({words['from'].format(expression=expression)})" if expression else ""
    return f"{words['head']} {words['and'].join(parts)}{said}."
