"""newsqa: question answering over news articles, citing the exact source sentences.

>>> from qa import ask
>>> answer = ask("Was wies der Generalstab in Kiew zurück?")
>>> answer.citations[0].text
'Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien.'

The names below are imported on first use: ``import qa.embeddings.workers`` in an ingest worker process, or
``newsqa --help``, should not pay for LangChain and pydantic-settings.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.api import IngestResult, NewsQA, QuestionError, ask
    from qa.settings import Settings
    from qa.types import Answer, Citation, Passage, Timings

_HOMES = {
    "Answer": "qa.types",
    "Citation": "qa.types",
    "IngestResult": "qa.api",
    "NewsQA": "qa.api",
    "Passage": "qa.types",
    "QuestionError": "qa.api",
    "Settings": "qa.settings",
    "Timings": "qa.types",
    "ask": "qa.api",
}
__all__ = [
    "Answer",
    "Citation",
    "IngestResult",
    "NewsQA",
    "Passage",
    "QuestionError",
    "Settings",
    "Timings",
    "ask",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
