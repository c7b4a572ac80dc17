"""The fixed phrases newsqa's answers say in the reader's language, German or English."""

from __future__ import annotations

NOT_IN_SOURCES = {
    "de": "Dazu steht nichts in den Quellen.",
    "en": "The sources do not answer this question.",
}


def not_in_sources(language: str) -> str:
    """The honest "not in the sources" answer in ``language`` (German when unknown)."""
    return NOT_IN_SOURCES.get(language, NOT_IN_SOURCES["de"])
