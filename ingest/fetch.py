"""Polite HTTP fetching of pages and feeds: one request per URL the user named (or a feed lists).

Polite means: a User-Agent naming newsqa, a time limit for the whole fetch, redirects included (a
server dripping bytes cannot hold a fetch open), a size cap on the decoded body checked while
reading (a 50 MB body or a gzip bomb is cut off, not buffered: ``ingest.fetch_body``), a bounded
number of redirects, a bounded number of requests at once, and conditional GET (ETag /
Last-Modified) so an unchanged feed costs the server a 304. Nothing is fetched unless a user asks
for a URL or a feed. Safe means: no connection to an address that is not public
(loopback, private, link-local, multicast, unspecified), for the first request and every redirect,
unless ``allow_private``: a remote feed must not reach the host's own network.

Every failure is a ``FetchError`` (an ``IngestError``) whose one-line message names the URL.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin, urlsplit

from ingest.errors import IngestError
from ingest.fetch_body import cut_at, decoded

if TYPE_CHECKING:
    import httpx

__all__ = ["FetchError", "FetchPolicy", "Fetched", "fetch", "in_parallel", "is_url", "not_a_url"]

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
    allow_private: bool = False  # loopback, private, link-local, … addresses (tests, intranets)


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
    """GET ``url`` under ``policy``; ``etag`` / ``last_modified`` make it conditional.

    Redirects are followed here, one hop at a time, so each hop's address is checked (at connect
    time, see ``ingest.address_guard``) and a redirect to a non-http(s) URL is refused.
    """
    import httpx

    from ingest.address_guard import RefusedAddress, guarded_transport

    if not is_url(url):
        raise FetchError(not_a_url(url))
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + policy.timeout
    hop = url
    try:
        with httpx.Client(
            transport=guarded_transport(policy.allow_private),
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout),
            headers=headers,
            trust_env=False,
        ) as client:
            for _ in range(policy.max_redirects + 1):
                left = max(0.001, deadline - time.monotonic())  # the whole fetch shares one deadline
                with client.stream("GET", hop, timeout=left) as response:
                    target = _redirect_target(response)
                    if target is None:
                        return _read(url, response, policy, deadline, etag, last_modified)
                if not is_url(target):
                    raise FetchError(f"{url}: redirected to {target}, which is not an http(s) URL")
                hop = target
            raise FetchError(f"{url}: more than {policy.max_redirects} redirects (a redirect loop?)")
    except RefusedAddress as refused:
        via = "" if hop == url else f"redirected to {hop}: "
        raise FetchError(
            f"{url}: {via}refused, {refused}; newsqa fetches only public addresses"
            " (NEWSQA_FETCH_ALLOW_PRIVATE=1 allows others)"
        ) from None
    except httpx.TimeoutException:
        raise FetchError(_too_slow(url, policy)) from None
    except httpx.HTTPError as exc:
        if time.monotonic() >= deadline:  # the deadline cut the connection (``cut_at``)
            raise FetchError(_too_slow(url, policy)) from None
        raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from None


def _redirect_target(response: httpx.Response) -> str | None:
    """The absolute URL a redirect points to, or None when ``response`` is no redirect."""
    location = response.headers.get("location")
    if response.status_code not in {301, 302, 303, 307, 308} or not location:
        return None
    return urljoin(str(response.url), location)


def _read(
    url: str, response: httpx.Response, policy: FetchPolicy, deadline: float, etag: str, last_modified: str
) -> Fetched:
    """The final response's body, read under the size cap and the deadline."""
    if response.status_code == 304:
        return Fetched(str(response.url), b"", not_modified=True, etag=etag, last_modified=last_modified)
    if response.status_code >= 400:
        raise FetchError(f"{url}: the server answered HTTP {response.status_code} {response.reason_phrase}")
    declared = int(response.headers.get("content-length") or 0)
    if declared > policy.max_bytes:
        raise FetchError(_too_large(url, declared, policy))
    body = bytearray()
    try:
        with cut_at(response, deadline):
            for piece in decoded(response.iter_raw(), response.headers.get("content-encoding", "")):
                body.extend(piece)
                if len(body) > policy.max_bytes:
                    raise FetchError(_too_large(url, None, policy))
                if time.monotonic() > deadline:
                    raise FetchError(_too_slow(url, policy))
    except (ValueError, zlib.error) as exc:
        raise FetchError(f"{url}: cannot decode the response ({exc})") from None
    return Fetched(
        url=str(response.url),
        body=bytes(body),
        content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
    )


def _too_slow(url: str, policy: FetchPolicy) -> str:
    return f"{url}: no complete response within {policy.timeout:g} s"


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
