"""Polite HTTP fetching of pages and feeds: one request per URL the user named (or a feed lists).

Polite means: a User-Agent naming newsqa, a time limit for the whole response (a server dripping
bytes cannot hold a fetch open), a size cap checked while reading (a 50 MB body is cut off, not
buffered), a bounded number of redirects, a bounded number of requests at once, and conditional
GET (ETag / Last-Modified) so an unchanged feed costs the server a 304. Nothing is fetched unless
a user asks for a URL or a feed.

Every failure is a ``FetchError`` (an ``IngestError``) whose one-line message names the URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from ingest.errors import IngestError

__all__ = ["FetchError", "FetchPolicy", "Fetched", "fetch", "in_parallel", "is_url", "not_a_url"]

_READ_CHUNK = 65536
_T = TypeVar("_T")
_R = TypeVar("_R")


class FetchError(IngestError):
    """A page or feed that could not be fetched; the message names the URL and the reason."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How newsqa fetches (from ``qa.settings``: ``NEWSQA_FETCH_*``)."""

    user_agent: str = "newsqa"
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    concurrency: int = 4
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: the final URL after redirects, the body, and the validators for the next poll.

    ``not_modified`` is true for a 304 to a conditional GET; the body is then empty.
    """

    url: str
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


def is_url(value: str) -> bool:
    """Whether an ingest argument names a web address rather than a file."""
    return urlsplit(value.strip()).scheme.lower() in {"http", "https"}


def not_a_url(value: str) -> str:
    """The one-line refusal of an entry that is no web address (where only URLs are fetched)."""
    return f"{value}: not an http(s) URL"


def fetch(url: str, policy: FetchPolicy, etag: str = "", last_modified: str = "") -> Fetched:
    """GET ``url`` under ``policy``; ``etag`` / ``last_modified`` make it conditional."""
    import httpx

    if not is_url(url):
        raise FetchError(not_a_url(url))
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + policy.timeout
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=policy.max_redirects,
                timeout=httpx.Timeout(policy.timeout),
                headers=headers,
                trust_env=False,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code == 304:
                return Fetched(
                    str(response.url), b"", not_modified=True, etag=etag, last_modified=last_modified
                )
            if response.status_code >= 400:
                raise FetchError(
                    f"{url}: the server answered HTTP {response.status_code} {response.reason_phrase}"
                )
            declared = int(response.headers.get("content-length") or 0)
            if declared > policy.max_bytes:
                raise FetchError(_too_large(url, declared, policy))
            body = bytearray()
            for chunk in response.iter_bytes(_READ_CHUNK):
                body.extend(chunk)
                if len(body) > policy.max_bytes:
                    raise FetchError(_too_large(url, None, policy))
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: no complete response within {policy.timeout:g} s")
            return Fetched(
                url=str(response.url),
                body=bytes(body),
                content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
    except httpx.TooManyRedirects:
        raise FetchError(f"{url}: more than {policy.max_redirects} redirects (a redirect loop?)") from None
    except httpx.TimeoutException:
        raise FetchError(f"{url}: no complete response within {policy.timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from None


def _too_large(url: str, size: int | None, policy: FetchPolicy) -> str:
    limit = f"the limit of {policy.max_bytes / 1e6:.1f} MB (NEWSQA_FETCH_MAX_BYTES)"
    if size is None:
        return f"{url}: the response is larger than {limit}; nothing of it was kept"
    return f"{url}: the response is {size / 1e6:.1f} MB, larger than {limit}"


def in_parallel(work: Callable[[_T], _R], items: Iterable[_T], policy: FetchPolicy) -> Sequence[_R]:
    """``work`` applied to each item, at most ``policy.concurrency`` at once, results in order."""
    todo = list(items)
    if len(todo) <= 1 or policy.concurrency <= 1:
        return [work(item) for item in todo]
    with ThreadPoolExecutor(max_workers=min(policy.concurrency, len(todo))) as pool:
        return list(pool.map(work, todo))
