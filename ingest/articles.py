"""Build an ``Article`` (with sentences and chunks) from a title and a text.

Identity rules, so that re-ingesting a changed article replaces its old version instead of
adding a second copy:

* ``id = article_id(key)``, 16 hex characters of sha256, where ``key`` is the ``identity`` given
  (a feed item's GUID), else the URL if there is one, else ``source_key`` (the resolved file
  path for a file, ``<resolved path>#<title>`` for a JSON record), else the content hash
  (pasted text with nothing else to go by: an edited paste is a new article).
* ``content_hash`` is the sha256 of the normalised title and text (Unicode NFC, whitespace runs
  collapsed), so versions differing only in line wrapping or trailing spaces count as equal.
  A title that was made up (from the file name or the first sentence; ``title_in_hash=False``)
  is left out: it is not content, and the same text under another file name must hash the same
  so the store can recognise it as a duplicate.
"""

from __future__ import annotations

import hashlib
import unicodedata

from ingest.chunks import make_chunks
from ingest.dates import dateline_date, iso_date
from ingest.errors import IngestError
from ingest.readers import RawDocument, title_from_first_sentence
from ingest.sentences import split_sentences
from ingest.types import Article, Sentence

__all__ = ["article_from_raw", "article_id", "build_article", "content_hash"]


def article_id(key: str) -> str:
    """The stable article id for an origin key: the first 16 hex characters of its sha256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def content_hash(title: str, text: str) -> str:
    """sha256 (hex) of the normalised title and text: tells versions of one article apart."""
    payload = f"{_normalise(title)}\n{_normalise(text)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_article(
    title: str,
    text: str,
    source: str,
    url: str = "",
    date: str = "",
    source_key: str | None = None,
    *,
    title_in_hash: bool = True,
    author: str = "",
    guid: str = "",
    feed: str = "",
    identity: str = "",
) -> Article:
    """Segment ``text`` into sentences and chunks and wrap it as an ``Article``.

    ``text`` is kept exactly as given (offsets index into it). An empty title is replaced by
    the first sentence (and then, like ``title_in_hash=False``, not hashed). Raises
    ``IngestError`` if the text has no sentences (is blank). ``date`` is normalised to ISO 8601;
    without one (or with one that is no date), a dateline opening the text gives it.
    """
    spans = split_sentences(text)
    if not spans:
        raise IngestError(f"{source or 'text'}: no sentences found (the text is empty or blank)")
    title = " ".join(title.split())
    digest = content_hash(title if title_in_hash else "", text)
    title = title or title_from_first_sentence(text)
    aid = article_id(identity or url.strip() or source_key or digest)
    sentences = tuple(
        Sentence(article_id=aid, index=i, start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(spans)
    )
    return Article(
        id=aid,
        title=title,
        text=text,
        source=source,
        content_hash=digest,
        url=url.strip(),
        date=iso_date(date) or dateline_date(text),
        author=" ".join(author.split()),
        guid=guid.strip(),
        feed=feed.strip(),
        sentences=sentences,
        chunks=make_chunks(aid, text, sentences),
    )


def article_from_raw(doc: RawDocument) -> Article:
    """The article of a document read from a file or fetched from the web."""
    return build_article(
        doc.title,
        doc.text,
        doc.source,
        doc.url,
        doc.date,
        source_key=doc.key or None,
        title_in_hash=not doc.title_derived,
        author=doc.author,
    )
