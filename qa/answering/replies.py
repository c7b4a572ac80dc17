"""The model's reply as text deltas, within a total deadline, with a malformed or cut reply named.

The HTTP client's timeout bounds each read, not the answer: a server that keeps streaming (or
stalls just under the timeout) would hold a CLI or a web chat slot forever. So the reply is read in
a worker thread and handed over through a queue that the caller waits on only until the deadline.
A reply that is not what the protocol promises (bytes that are not UTF-8, broken JSON, a stream
that closes without a finish reason) raises ``ReplyProblem`` instead of passing as an answer.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import openai

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage


class ReplyProblem(Exception):
    """The reply was unusable; ``kind`` is ``deadline``, ``incomplete`` or ``malformed``."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def reply_deltas(
    chat: BaseChatModel,
    messages: Sequence[BaseMessage],
    streaming: bool,
    deadline: float,
    **options: Any,
) -> Iterator[str]:
    """Yield the reply's text pieces; raise ``openai.OpenAIError`` or ``ReplyProblem``.

    A non-streamed call is one piece. After ``deadline`` seconds the reply ends with
    ``ReplyProblem("deadline")``; the worker stops reading at its next chunk.
    """
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        try:
            if not streaming:
                events.put(("text", content_text(chat.invoke(list(messages), **options).content)))
                events.put(("end", True))
                return
            finished = False
            for chunk in chat.stream(list(messages), **options):
                if stop.is_set():
                    return
                events.put(("text", content_text(chunk.content)))
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
            events.put(("end", finished))
        except BaseException as exc:  # handed to the caller's thread, which decides
            events.put(("error", exc))

    threading.Thread(target=read, name="llm-reply", daemon=True).start()
    until = time.monotonic() + deadline
    try:
        while True:
            left = until - time.monotonic()
            try:
                if left <= 0:  # also when chunks keep coming faster than they are read
                    raise queue.Empty
                kind, value = events.get(timeout=left)
            except queue.Empty:
                raise ReplyProblem("deadline") from None
            if kind == "text":
                if value:
                    yield value
            elif kind == "end":
                if not value:
                    raise ReplyProblem("incomplete")
                return
            elif isinstance(value, openai.OpenAIError | ReplyProblem):
                raise value
            elif isinstance(value, Exception):
                raise ReplyProblem("malformed", type(value).__name__) from value
            else:
                raise value
    finally:
        stop.set()


def content_text(content: Any) -> str:
    """Chunk or message content as text (some servers send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)
    return ""
