"""What a question is asked of: all articles, or a selection (articles, a source, a date range).

One typed object for every face: ``NewsQA.ask(..., selection=Selection(...))``, the CLI's
``--article/--source/--since/--until`` and retrieval, which only ever sees the set of article ids
it admits (``HybridRetriever.retrieve(..., allowed=...)``). An empty selection admits everything
and changes nothing: retrieval then runs exactly as without one.

Dates compare by calendar day of the publication date (``ingest.dates``); an article without a
date is outside every date range (it cannot be shown to fall inside one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ingest.dates import day_of
from qa.text.phrases import phrase

if TYPE_CHECKING:
    from qa.store.records import StoredArticle


class SelectionError(ValueError):
    """A selection that cannot be asked: a malformed date, a start after the end, an article that is
    not stored. ``key`` and ``fields`` name the phrase that says why (``qa.text.phrases``), so each
    face says it in its reader's language (``say``); ``str()`` is the English one."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(phrase(key, "en", **fields))
        self.key, self.fields = key, fields

    def say(self, language: str) -> str:
        return phrase(self.key, language, **self.fields)


def parse_day(value: str | date | None) -> date | None:
    """A day as typed (``2025-03-14``, blanks around it allowed); None for nothing typed."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SelectionError("bad_date", value=text) from None


def selection_of(
    article_ids: Iterable[str] = (),
    source: str = "",
    since: str | date | None = None,
    until: str | date | None = None,
) -> Selection | None:
    """The selection its parts give, as typed (blank parts left out); None when none is given.

    Every face builds its selection here (the CLI's flags, the page's controls), so a malformed day
    or a start after the end gets the same ``SelectionError`` everywhere; so does a part that is no
    text (an API client's number or list)."""
    article_ids = list(article_ids)
    parts: list[tuple[str, object, Any]] = [*(("article_id", i, str) for i in article_ids)]
    parts += [("source", source, str)]
    parts += [("since", since, str | date), ("until", until, str | date)]
    for name, value, kind in parts:
        if value is not None and not isinstance(value, kind):
            raise SelectionError("not_text", field=name, kind=type(value).__name__)
    first, last = parse_day(since), parse_day(until)
    if first and last and first > last:
        raise SelectionError("since_after_until", since=first.isoformat(), until=last.isoformat())
    ids = tuple(i.strip() for i in article_ids if i and i.strip())
    selection = Selection(article_ids=ids, source=(source or "").strip(), since=first, until=last)
    return None if selection.empty else selection


class Selection(BaseModel):
    """Restricts a question to some articles; every given part must hold (they combine with AND)."""

    model_config = {"frozen": True}

    article_ids: tuple[str, ...] = Field((), description="Only these articles (ids from `newsqa list`).")
    source: str = Field(
        "",
        description="Only articles from this source: a file or folder path, a feed URL, a page URL, "
        "or a host name such as tagesschau.de.",
    )
    since: date | None = Field(None, description="Only articles published on this day or later.")
    until: date | None = Field(None, description="Only articles published on this day or earlier.")
    undated: bool = Field(
        False, description="Admit articles without a date to a date range (a range the question implied)."
    )

    @property
    def empty(self) -> bool:
        return not (self.article_ids or self.source or self.since or self.until)

    def within(self, since: date, until: date) -> Selection:
        """This selection narrowed to the date window a question names.

        Articles without a date stay in unless the selection gave dates itself: a store of undated
        texts is not emptied by a question that says "im März".
        """
        undated = self.undated or not (self.since or self.until)
        since = max(since, self.since) if self.since else since
        until = min(until, self.until) if self.until else until
        return self.model_copy(update={"since": since, "until": until, "undated": undated})

    def admits(self, article: StoredArticle) -> bool:
        if self.article_ids and article.id not in self.article_ids:
            return False
        if self.source and not _from_source(article, self.source):
            return False
        if self.since or self.until:
            day = day_of(article.date)
            if day is None:
                return self.undated
            if (self.since and day < self.since) or (self.until and day > self.until):
                return False
        return True

    def admitted(self, articles: Iterable[StoredArticle]) -> frozenset[str]:
        """The ids of the articles this selection admits."""
        return frozenset(a.id for a in articles if self.admits(a))

    def check_stored(self, articles: Iterable[StoredArticle]) -> None:
        """A ``SelectionError`` when an article it names is not stored (a mistyped id, or one deleted
        since it was chosen): asking it would only say "not in the sources", hiding the reason."""
        stored = {a.id for a in articles}
        missing = [i for i in self.article_ids if i not in stored]
        if missing:
            raise SelectionError("article_gone", ids=", ".join(missing))


def source_names(articles: Iterable[StoredArticle]) -> list[str]:
    """The sources a reader can choose among, each one a ``Selection.source`` admits: the host name
    of a web article (its page or feed), else its source as stored (a file, "pasted"); sorted."""
    names = set()
    for a in articles:
        host = next((h for h in map(_host, (a.url, a.feed, a.source)) if h), "")
        names.add(host or a.source)
    return sorted(n for n in names if n)


def _host(address: str) -> str:
    return (urlsplit(address or "").hostname or "").lower().removeprefix("www.")


def _from_source(article: StoredArticle, source: str) -> bool:
    source = source.strip()
    if source in {article.source, article.feed, article.url}:
        return True
    host = source.lower().removeprefix("www.")
    for address in (article.url, article.source, article.feed):
        hostname = _host(address)
        if hostname and (hostname == host or hostname.endswith("." + host)):
            return True
    folder = source.rstrip("/") + "/"
    return article.source.startswith(folder)
