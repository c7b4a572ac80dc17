"""What one question is asked of: the caller's selection, narrowed by a time the question names.

Also the one ranking change time brings: a question asking for the latest ("Was ist der neueste
Stand ...?") puts, among the passages nearly as likely to answer as the best one, those of newer
articles first. Questions without such words, and stores without dates, rank exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from qa.scope.selection import Selection
from qa.scope.timeframe import asks_for_latest, resolve_time
from qa.store.records import StoredArticle
from qa.types import Passage

CLOSE_TO_BEST = 0.6
"""Passages scoring at least this share of the best one's count as answering "nearly as well"."""


@dataclass(frozen=True, slots=True)
class Scope:
    """``selection``: the effective one (None: all articles); ``allowed``: the article ids it admits
    (None: no restriction, also when it admits every stored article)."""

    selection: Selection | None
    allowed: frozenset[str] | None
    expression: str
    latest: bool


def scope_of(
    question: str, selection: Selection | None, today: date, articles: Callable[[], list[StoredArticle]]
) -> Scope:
    """The scope of ``question``: ``selection`` within the window the question's words name.

    A ``SelectionError`` when the selection names an article that is not stored."""
    window = resolve_time(question, today)
    effective = selection if selection is not None and not selection.empty else None
    if window is not None:
        effective = (effective or Selection()).within(window.since, window.until)
    allowed = None
    if effective is not None:
        stored = articles()
        effective.check_stored(stored)
        admitted = effective.admitted(stored)
        allowed = None if len(admitted) == len(stored) else admitted
    return Scope(effective, allowed, window.expression if window else "", asks_for_latest(question))


def prefer_recent(passages: Sequence[Passage]) -> list[Passage]:
    """Passages close to the best one, newest article first; the rest keep their order."""
    if not passages:
        return []
    bar = CLOSE_TO_BEST * passages[0].score
    close = [p for p in passages if p.score >= bar]
    if len({p.day for p in close}) < 2:
        return list(passages)
    newest_first = sorted(close, key=lambda p: p.day, reverse=True)  # stable: by score within a day
    return newest_first + [p for p in passages if p.score < bar]
