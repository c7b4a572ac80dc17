"""A scripted OpenAI Chat Completions server on 127.0.0.1 for tests.

openai 3.x sends through ``httpx2``, which ``respx`` cannot intercept, so the tests talk to a real
HTTP server instead. Each test scripts replies (a queue, or a callable that sees the request) and
inspects the recorded requests. ``stream: true`` requests get SSE chunks ending in ``data: [DONE]``.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers: ``content`` as the assistant message, or an error ``status``."""

    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the response starts (timeouts)
    chunk_delay: float = 0.0  # seconds between streamed chunks
    body: dict[str, Any] | None = None  # error body; defaults to an OpenAI-style error
    forever: bool = False  # stream ``content``'s pieces again and again, never finishing
    raw: bytes = b""  # written as is after the first streamed chunk (malformed SSE)
    finish: bool = True  # False: close the stream with no finish reason and no [DONE]


@dataclass
class FakeOpenAI:
    """``with FakeOpenAI() as fake: fake.replies.append(Reply("... [1]"))``; ``fake.url`` is the base URL."""

    replies: list[Reply | str] = field(default_factory=list)
    script: Callable[[dict], Reply | str] | None = None
    requests: list[dict] = field(default_factory=list)
    streams_ended: list[float] = field(default_factory=list)  # time.perf_counter() as each stream ends

    def next_reply(self, request: dict) -> Reply:
        self.requests.append(request)
        reply = self.script(request) if self.script else (self.replies.pop(0) if self.replies else "")
        return Reply(reply) if isinstance(reply, str) else reply

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                body["_path"], body["_auth"] = self.path, self.headers.get("Authorization", "")
                reply = fake.next_reply(body)
                time.sleep(reply.delay)
                if reply.status != 200 or not self.path.endswith("/chat/completions"):
                    error = reply.body or {"error": {"message": f"fake error {reply.status}", "type": "x"}}
                    return self._send(reply.status if reply.status != 200 else 404, json.dumps(error))
                if not body.get("stream"):
                    message = {"role": "assistant", "content": reply.content}
                    choice = {"index": 0, "message": message, "finish_reason": "stop"}
                    return self._send(200, json.dumps(_completion(body, "chat.completion", choice)))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [w + " " for w in reply.content.split(" ")]
                pieces[-1] = pieces[-1][:-1] if not reply.forever else pieces[-1]
                ending: list[str | None] = [None] if reply.finish else []
                stream = itertools.cycle(pieces) if reply.forever else iter([*pieces, *ending])
                for i, piece in enumerate(stream):
                    delta = {"content": piece} if piece is not None else {}
                    if i == 0:
                        delta["role"] = "assistant"
                    choice = {"index": 0, "delta": delta, "finish_reason": None if piece else "stop"}
                    chunk = _completion(body, "chat.completion.chunk", choice)
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    if i == 0 and reply.raw:
                        self.wfile.write(reply.raw)
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
                if reply.finish:
                    self.wfile.write(b"data: [DONE]\n\n")
                fake.streams_ended.append(time.perf_counter())
                self.close_connection = True

            def _send(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout tests) is expected; anything else is printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _completion(request: dict, kind: str, choice: dict) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": kind,
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [choice],
    }
