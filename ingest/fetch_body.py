"""Reading a response body under a hard deadline and a cap on the decoded size, in small steps.

httpx's own ``iter_bytes(n)`` waits until ``n`` decoded bytes are there and expands each network
read whole: a server trickling a byte a second holds the fetch for as long as it likes, and 64 KiB
of gzip become ~64 MB before any cap is checked. Here the raw bytes are taken as they arrive,
inflated at most ``STEP`` bytes at a time, and a timer cuts the connection at the deadline, so
a read waiting on a silent or trickling server ends then too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["STEP", "cut_at", "decoded"]

STEP = 65536
"""At most this many decoded bytes at a time: the cap is checked at least this often."""


def decoded(raw: Iterable[bytes], content_encoding: str) -> Iterator[bytes]:
    """The body decoded from ``raw`` in pieces of at most ``STEP`` bytes (for gzip and deflate).

    Raises ``ValueError`` for an encoding newsqa did not ask for, ``zlib.error`` for a broken one.
    """
    encoding = content_encoding.strip().lower()
    if encoding in {"", "identity"}:
        yield from raw
        return
    if encoding not in {"gzip", "x-gzip", "deflate"}:
        raise ValueError(f"the body is in an encoding newsqa did not ask for ({content_encoding})")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a zlib or a gzip header
    for data in raw:
        while data:
            yield inflater.decompress(data, STEP)
            data = inflater.unconsumed_tail
    yield inflater.flush()


@contextlib.contextmanager
def cut_at(response: httpx.Response, deadline: float) -> Iterator[None]:
    """While inside, the response's connection is shut down at ``deadline`` (``time.monotonic``):
    a blocked read then ends with an error the caller reports as a timeout."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None

    def cut() -> None:
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
