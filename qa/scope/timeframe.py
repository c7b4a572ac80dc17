"""Time a question names ("gestern", "letzte Woche", "im März", "last month") as a window of publication days.

Resolved against an injectable clock (``today``), so tests fix the date. The window covers the
period named plus the day after it (news about a day is often published the next morning), never
reaching past today. Words live in ``qa.text.timewords``; only the first expression counts.
"letzte"/"diese" with a day ("am letzten Tag der Konferenz", "an diesem Tag") or with a plural unit
and no number ("in den letzten Jahren") name no calendar window and set none.

A month with a year ("im März 2015") is left alone: with a year, a question mostly names when an
event happened, which a later article may report ("Wie viele wohnten im März 2015 dort?"), and
filtering on publication dates would then abstain wrongly.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from qa.text.timewords import (
    DAY_OFFSETS,
    LAST,
    LATEST,
    MONTHS_IN_QUESTIONS,
    NUMBER_WORDS,
    PLURAL_UNITS,
    THIS,
    UNITS,
)

_WORD = re.compile(r"[\wäöüß]+", re.IGNORECASE)
_REPORTING_LAG = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Publication days ``since``..``until`` (inclusive) and the words of the question they come from."""

    since: date
    until: date
    expression: str


def asks_for_latest(question: str) -> bool:
    """Whether the question asks for the newest state of things ("Was ist der neueste Stand?")."""
    return any(w in LATEST for w in _words(question))


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _window(start: date, end: date, today: date, words: list[str]) -> TimeWindow:
    return TimeWindow(start, min(end + _REPORTING_LAG, max(today, start)), " ".join(words))


def _unit_period(unit: str, today: date, back: int) -> tuple[date, date]:
    """The calendar week/month/year ``back`` units before the current one (0: the current one)."""
    if unit == "day":
        day = today - timedelta(days=back)
        return day, day
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        return date(year, month + 1, 1), date(year, month + 1, monthrange(year, month + 1)[1])
    return date(today.year - back, 1, 1), date(today.year - back, 12, 31)


def resolve_time(question: str, today: date) -> TimeWindow | None:
    """The window of publication days the question's first time expression names, or None."""
    words = _words(question)
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        after = words[i + 2] if i + 2 < len(words) else ""
        if word in DAY_OFFSETS:
            day = today + timedelta(days=DAY_OFFSETS[word])
            return _window(day, day, today, [word])
        count = int(nxt) if nxt.isdigit() else NUMBER_WORDS.get(nxt)
        if word in LAST and count and after in UNITS:  # "in den letzten drei Tagen", "past 2 weeks"
            unit = UNITS[after]
            start = _unit_period(unit, today, count)[0] if unit != "day" else today - timedelta(days=count)
            return TimeWindow(start, today, " ".join(words[i : i + 3]))
        if nxt in UNITS and (word in LAST or word in THIS):  # "letzte Woche", "this month"
            unit = UNITS[nxt]
            if unit == "day" or nxt in PLURAL_UNITS:
                continue  # "am letzten Tag der Konferenz", "an diesem Tag", "in den letzten Jahren"
            if word in THIS:
                start, _ = _unit_period(unit, today, 0)
                return TimeWindow(start, today, f"{word} {nxt}")
            start, end = _unit_period(unit, today, 1)
            return _window(start, end, today, [word, nxt])
        if word in {"im", "in", "seit", "since"} and nxt in MONTHS_IN_QUESTIONS and not after.isdigit():
            month = MONTHS_IN_QUESTIONS[nxt]  # "im März": the last March up to today
            year = today.year if month <= today.month else today.year - 1
            start = date(year, month, 1)
            if word in {"seit", "since"}:
                return TimeWindow(start, today, f"{word} {nxt}")
            return _window(start, date(year, month, monthrange(year, month)[1]), today, [word, nxt])
    return None
