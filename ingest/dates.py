"""Publication dates: any date a source gives, normalised to ISO 8601, and a dateline found in the text.

Why one normaliser: dates arrive as RFC 822 (RSS), RFC 3339 (Atom), ``YYYY-MM-DD`` (HTML metadata),
``14.03.2025`` or ``14. März 2025`` (German JSON exports, datelines). The store keeps ISO 8601 only
(``2025-03-14``, or ``2025-03-14T09:30:00+01:00`` when the time is known), so date filters and
sorting compare strings of one form, and a reader sees one form.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from qa.text.timewords import MONTHS

__all__ = ["dateline_date", "day_of", "iso_date", "moment_of"]

_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_ISO_IN_TEXT = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
_DAY_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_MONTH})\.?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_YEARS = range(1900, 2101)

_DATELINE_REACH = 80
"""A dateline's date starts within this many characters of the text."""
_PLACE = r"[A-ZÄÖÜ][\w.\-/]*(?:\s+[\w.\-/]+){0,3}"
_AGENCY = r"\(\s*[A-Za-z][A-Za-z/ .\-]{1,15}\)"
_BEFORE_DATELINE_DATE = re.compile(
    rf"^(?:(?:{_PLACE}\s*,\s*){{0,2}}|(?:{_PLACE}\s*)?{_AGENCY}\s*[,:–—-]?\s*)$"
)
"""What may precede a dateline's date: nothing, "Berlin, " (and "Freitag, "), or "BERLIN (dpa) "."""
_AFTER_DATELINE_DATE = re.compile(rf"^\s*(?:{_AGENCY}\s*)?[–—:|-]")
"""What follows it: a dash or colon ("14. März 2025 – Die ..."), possibly after "(dpa)"."""


def _day(year: int, month: int, day: int) -> date | None:
    if year not in _YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None and (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def dates_in(value: str) -> list[tuple[int, int, date]]:
    """Every date written with digits or a month name in ``value``, with its span, in order."""
    found = []
    written = ((_NUMERIC, "dmy"), (_DAY_MONTH, "dMy"), (_MONTH_DAY, "Mdy"), (_ISO_IN_TEXT, "ymd"))
    for pattern, order in written:
        for m in pattern.finditer(value):
            parts = dict(zip(order, m.groups(), strict=True))
            month = int(parts["m"]) if "m" in parts else MONTHS[parts["M"].lower()]
            day = _day(int(parts["y"]), month, int(parts["d"]))
            if day is not None:
                found.append((m.start(), m.end(), day))
    return sorted(found)


def iso_date(value: str | None) -> str:
    """``value`` as ISO 8601 (``YYYY-MM-DD``, with the time and offset when given), ``""`` if no date.

    Accepts ISO 8601 / RFC 3339 (``Z`` included), RFC 822 (RSS ``pubDate``), ``14.03.2025`` and dates
    with a German or English month name. A value naming a year outside 1900-2100 is no date.
    """
    value = (value or "").strip()
    if not value:
        return ""
    m = _ISO.match(value)
    if m:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            day = _day(*map(int, m.groups()))
            return day.isoformat() if day else ""
        return _iso(moment) if moment.year in _YEARS else ""
    try:
        mailed: datetime | None = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        mailed = None
    if mailed is not None and mailed.year in _YEARS:
        return _iso(mailed if mailed.tzinfo else mailed.replace(tzinfo=UTC))
    found = dates_in(value)
    return found[0][2].isoformat() if found else ""


def dateline_date(text: str) -> str:
    """The date of a dateline opening the text ("Berlin, 14. März 2025 –"), ``""`` if there is none.

    Only a date in dateline shape counts: at the start or after a place and a comma, followed by a
    dash or colon ("14. März 2025 – ", "Berlin, 14.03.2025: "), or with an agency mark ("BERLIN
    (dpa) 02.01.2024"). A date in a sentence ("Der 9. November 1989 veränderte ...", "Nach dem
    11. September 2001 ...") says when something happened, not when the article was published.
    """
    head = text.lstrip()[: _DATELINE_REACH + 40].split("\n", 1)[0]
    for start, end, day in dates_in(head):
        if start > _DATELINE_REACH:
            break
        before, after = head[:start], head[end:]
        agency = re.search(_AGENCY, before) is not None or re.match(rf"\s*{_AGENCY}", after) is not None
        if _BEFORE_DATELINE_DATE.match(before) and (agency or _AFTER_DATELINE_DATE.match(after)):
            return day.isoformat()
    return ""


def moment_of(value: str) -> datetime | None:
    """A stored date or time as an aware datetime (a day alone: its midnight UTC), to compare times."""
    iso = iso_date(value)
    if not iso:
        return None
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_of(value: str) -> date | None:
    """The calendar day of a stored date (ISO 8601; older stores' free-form dates are parsed too)."""
    iso = value if _ISO.match(value or "") else iso_date(value)
    if not iso:
        return None
    m = _ISO.match(iso)
    return _day(*map(int, m.groups())) if m else None
