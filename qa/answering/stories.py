"""Several articles telling one story: the newest report first, the older ones marked as earlier reports.

News changes as a story develops ("drei Verletzte" on Monday, "sieben" on Friday). When the
sentences an answer quotes come from articles of different dates that tell the same story but
state different numbers, the reader should see the newest first and know the rest is older. A
newer report that the ranker found nearly good enough (``NEWER_FLOOR`` of the best score) joins
the quoted sentences, since quoting only the old number would answer with an outdated fact.

Same story: the two sentences share at least ``SHARED_STEMS`` content stems. Disagree: both state
numbers, and not the same ones. Undated sentences are never reordered or marked, so a store
without dates answers exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.text.numbers import quantities
from qa.text.stopwords import content_stems
from qa.types import Passage

SHARED_STEMS = 4
NEWER_FLOOR = 0.3


@dataclass(frozen=True, slots=True)
class Report:
    """A quoted sentence, and whether a newer quoted report of the same story tells it otherwise."""

    passage: Passage
    earlier: bool = False


def same_story_disagreeing(a: Passage, b: Passage) -> bool:
    """Two sentences of different articles about one story that state different numbers."""
    if a.article_id == b.article_id:
        return False
    if len(content_stems(a.text) & content_stems(b.text)) < SHARED_STEMS:
        return False
    qa_, qb = quantities(a.text), quantities(b.text)
    return bool(qa_ and qb and qa_ != qb)


def order_reports(chosen: Sequence[Passage], ranked: Sequence[Passage], most: int) -> list[Report]:
    """The sentences to quote, newest report of a story first, older disagreeing ones marked.

    ``chosen``: what the answerer picked to quote (best first); ``ranked``: all passages, from which
    a newer disagreeing report may join (at most ``most`` quoted in all).
    """
    chosen = list(chosen)
    if not chosen:
        return []
    bar = NEWER_FLOOR * chosen[0].score
    for candidate in ranked:
        if len(chosen) >= most or candidate.score < bar or candidate in chosen:
            continue
        if candidate.day and any(
            c.day and candidate.day > c.day and same_story_disagreeing(candidate, c) for c in chosen
        ):
            chosen.append(candidate)
    disagreeing = [
        (older, newer)
        for older in chosen
        for newer in chosen
        if older.day and newer.day and newer.day > older.day and same_story_disagreeing(older, newer)
    ]
    if not disagreeing:
        return [Report(p) for p in chosen]
    older_ids = {id(older) for older, _ in disagreeing}
    story = {id(p) for pair in disagreeing for p in pair}
    # The story's reports take the place of its best sentence, newest first; other sentences stay put.
    reports = sorted((p for p in chosen if id(p) in story), key=lambda p: p.day, reverse=True)
    out: list[Report] = []
    for p in chosen:
        if id(p) in story:
            if reports:
                out.extend(Report(r, earlier=id(r) in older_ids) for r in reports)
                reports = []
        else:
            out.append(Report(p))
    return out
