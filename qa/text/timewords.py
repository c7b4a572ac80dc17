"""The words of time, German and English: month names and the relative expressions questions use.

One home for every list, read by ingest (datelines, dates written out in words) and by the question's
time filter (qa/timeframe.py). Pure data (counts in words come from qa/text/numbers.py), light
enough for ingest to read.
"""

from __future__ import annotations

from qa.text.numbers import NUMBER_WORDS

__all__ = [
    "DAY_OFFSETS",
    "LAST",
    "LATEST",
    "MONTHS",
    "MONTHS_IN_QUESTIONS",
    "NUMBER_WORDS",
    "PERIOD_WORDS",
    "THIS",
    "UNITS",
    "WEEKDAYS",
]

MONTHS: dict[str, int] = {
    # German, with the common abbreviations
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2, "märz": 3, "maerz": 3,
    "mär": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12,
    # English
    "january": 1, "february": 2, "march": 3, "mar": 3, "may": 5, "june": 6, "july": 7,
    "october": 10, "oct": 10, "december": 12, "dec": 12,
}  # fmt: skip
"""Month names (lower case) to month numbers."""

MONTHS_IN_QUESTIONS = {
    name: number for name, number in MONTHS.items() if (len(name) > 3 and name != "sept") or name == "mai"
}
"""Month names a question may use for a month ("im März", "in March"): abbreviations are left out
because "mar", "jun" and "dez" are words or name parts as well, and so is English "may"."""

WEEKDAYS = frozenset({
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})  # fmt: skip
"""Weekday names (lower case)."""

PERIOD_WORDS = frozenset({"anfang", "beginn", "mitte", "ende"})
"""Nouns that place a time within a month or year ("Ende Juli", "Anfang 2024")."""

DAY_OFFSETS: dict[str, int] = {"gestern": -1, "vorgestern": -2, "yesterday": -1}
"""Single words naming one day relative to today. Not "heute"/"today" (in questions they mostly mean
"nowadays": they ask for the latest, see ``LATEST``) nor "morgen" (also "the morning")."""

LAST = frozenset({"letzte", "letzten", "letzter", "letztes", "vergangene", "vergangenen", "vergangener",
                  "vorige", "vorigen", "voriger", "last", "past", "previous"})  # fmt: skip
"""'letzte Woche', 'last month': the unit before the current one."""

THIS = frozenset({"diese", "diesem", "diesen", "dieser", "dieses", "this", "current"})
"""'diese Woche', 'this month': the current unit up to today."""

UNITS: dict[str, str] = {
    "woche": "week", "wochen": "week", "week": "week", "weeks": "week",
    "monat": "month", "monats": "month", "monate": "month", "monaten": "month",
    "month": "month", "months": "month",
    "jahr": "year", "jahres": "year", "jahre": "year", "jahren": "year", "year": "year", "years": "year",
    "tag": "day", "tage": "day", "tagen": "day", "day": "day", "days": "day",
}  # fmt: skip
"""Calendar units a relative expression counts in."""

PLURAL_UNITS = frozenset({"wochen", "weeks", "monate", "monaten", "months", "jahre", "jahren", "years",
                          "tage", "tagen", "days"})  # fmt: skip
"""Units that name a window only with a number: "in den letzten drei Jahren", not "in den letzten
Jahren" (a vague stretch, not one calendar unit)."""

LATEST = frozenset({
    "neueste", "neuesten", "neuester", "neuestes", "aktuellste", "aktuellsten", "aktuellster",
    "aktuellstes", "jüngste", "jüngsten", "zuletzt", "aktuell", "derzeit", "jetzt",
    "heute", "today", "latest", "newest", "recent", "recently", "current", "currently", "now",
})  # fmt: skip
"""Words asking for the newest state of a story: among several answering articles, prefer recent ones."""
