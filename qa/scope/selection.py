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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ingest.dates import day_of

if TYPE_CHECKING:
    from qa.store.records import StoredArticle


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


def _from_source(article: StoredArticle, source: str) -> bool:
    source = source.strip()
    if source in {article.source, article.feed, article.url}:
        return True
    host = source.lower().removeprefix("www.")
    for address in (article.url, article.source, article.feed):
        hostname = (urlsplit(address).hostname or "").lower().removeprefix("www.")
        if hostname and (hostname == host or hostname.endswith("." + host)):
            return True
    folder = source.rstrip("/") + "/"
    return article.source.startswith(folder)
