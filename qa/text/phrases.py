"""The fixed phrases newsqa's answers say in the reader's language, German or English."""

from __future__ import annotations

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
