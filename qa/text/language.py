"""Which language a question is in, so the answer's own words follow it (German or English).

A vote of frequent words is enough to tell the two languages newsqa speaks apart, costs
microseconds and needs no model; anything else falls back to German, the corpus language.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from qa.text.stopwords import LANGUAGE_MARKERS

_WORD = re.compile(r"[a-zäöüß]+")


def detect_language(text: str) -> str:
    """``"en"`` when English marker words outnumber German ones, otherwise ``"de"``."""
    words = _WORD.findall(text.lower())
    german = sum(w in LANGUAGE_MARKERS["de"] for w in words) + 2 * any(c in text for c in "äöüßÄÖÜ")
    english = sum(w in LANGUAGE_MARKERS["en"] for w in words)
    return "en" if english > german else "de"


def interface_language(choice: str = "", environ: Mapping[str, str] | None = None) -> str:
    """The language the CLI speaks: ``choice`` (``NEWSQA_LANGUAGE``) when it names one, else the
    locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set): German for ``de*``, else English."""
    if choice[:2].lower() in ("de", "en"):
        return choice[:2].lower()
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return "de" if env[name].lower().startswith("de") else "en"
    return "en"
