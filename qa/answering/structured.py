"""Structured replies: the answer as JSON sentences, each naming the sources that state it.

Where the server can hold its output to a JSON schema (llama.cpp's grammar, OpenAI's structured
outputs, vLLM, Ollama), the model cannot write a sentence without a list of source numbers, which a
small model given free text mostly leaves out. The numbers are still a hint, verified like the
``[n]`` of a plain reply (``qa.answering.verify``). ``JsonClaimReader`` hands each sentence over the
moment its object closes, so the answer streams as before; a server that ignores the format and
writes plain text is read as plain text.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import openai

from qa.answering.verify import Claim, ClaimReader, claims_in

Flavor = Literal["llama.cpp", "openai"]
"""How a server is asked for a schema: llama-cpp-python's ``json_object`` with ``schema`` (its
server knows no other), or OpenAI's ``json_schema`` (OpenAI, vLLM, Ollama, llama.cpp's C++ server)."""

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "sentences": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "sources": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["text", "sources"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["sentences"],
    "additionalProperties": False,
}
"""``{"sentences": [{"text": "...", "sources": [3]}]}``; no sentences: the sources do not answer."""


def response_format(flavor: Flavor) -> dict[str, Any]:
    """The request's ``response_format`` for ``ANSWER_SCHEMA`` in the server's dialect."""
    if flavor == "llama.cpp":
        return {"type": "json_object", "schema": ANSWER_SCHEMA}
    return {
        "type": "json_schema",
        "json_schema": {"name": "cited_answer", "strict": True, "schema": ANSWER_SCHEMA},
    }


def format_options(chat: object, flavor: Flavor | None) -> dict[str, Any]:
    """The request options asking ``chat`` for ``ANSWER_SCHEMA`` (none for plain text). They travel
    in ``extra_body``, beside the client's own extras, so LangChain sends an ordinary completion
    request (a ``response_format`` argument would switch it to OpenAI's parse helpers)."""
    if flavor is None:
        return {}
    extra = dict(getattr(chat, "extra_body", None) or {})
    return {"extra_body": {**extra, "response_format": response_format(flavor)}}


def refused_format(exc: BaseException) -> bool:
    """The server failed the request as one without this JSON format does: HTTP 400 or 422, or 500
    (llama-cpp-python's server, asked for OpenAI's ``json_schema``). Plain text is tried once; only
    when it works is the format given up for good, so a server error is not mistaken for it."""
    return isinstance(
        exc, openai.BadRequestError | openai.UnprocessableEntityError | openai.InternalServerError
    )


class JsonClaimReader:
    """Cuts a streamed ``ANSWER_SCHEMA`` reply into claims, one per sentence object as it closes.

    The scan keeps its place between pieces (strings, escapes and nesting), so each character is
    read once. A reply that does not start with ``{`` (the server ignored the format) goes to a
    plain ``ClaimReader``; one cut off mid-object (the token limit) keeps the sentences before it.
    """

    def __init__(self) -> None:
        self.raw = ""
        self.plain: ClaimReader | None = None
        self._json = False  # the reply has started with "{"
        self._pos = 0
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._start = -1

    def feed(self, delta: str) -> list[Claim]:
        if self.plain is not None:
            return self.plain.feed(delta)
        self.raw += delta
        if not self._json:  # decided once, by the reply's first character that is not a space
            head = self.raw.lstrip()
            if head and not head.startswith("{"):
                self.plain = ClaimReader()
                return self.plain.feed(self.raw)
            self._json = bool(head)
        return self._scan()

    def close(self) -> list[Claim]:
        return self.plain.close() if self.plain is not None else self._scan()

    def _scan(self) -> list[Claim]:
        claims: list[Claim] = []
        raw = self.raw
        for i in range(self._pos, len(raw)):
            char = raw[i]
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif char == "\\":
                    self._escape = True
                elif char == '"':
                    self._in_string = False
            elif char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
                if char == "{" and self._depth == 3:  # root object > "sentences" array > a sentence
                    self._start = i
            elif char in "}]":
                if char == "}" and self._depth == 3 and self._start >= 0:
                    claims += _sentence_claims(raw[self._start : i + 1])
                    self._start = -1
                self._depth -= 1
        self._pos = len(raw)
        return claims


def _sentence_claims(text: str) -> list[Claim]:
    """One sentence object's claims: its text split as a plain reply would be (a model may put two
    sentences or its own ``[n]`` in one ``text``), each carrying the object's source numbers."""
    try:
        item = json.loads(text)
    except ValueError:
        return []
    said = item.get("text") if isinstance(item, dict) else None
    if not isinstance(said, str):
        return []
    sources = item.get("sources")
    numbers = (
        [n for n in sources if isinstance(n, int) and not isinstance(n, bool)]
        if isinstance(sources, list)
        else []
    )
    claims = claims_in(said)
    for claim in claims:
        claim.written = list(dict.fromkeys([*claim.written, *numbers]))
    return claims
