"""The LLM answerer: a chat model writes the answer from numbered source sentences and cites them.

Any server speaking OpenAI Chat Completions works (OpenAI, Ollama, vLLM, llama.cpp's server), through
``langchain_openai.ChatOpenAI``. The model's word is checked, not trusted: markers are mapped back to
the sentences it was given (unknown numbers dropped and counted), and every answer sentence is tested
against its cited sentences (``qa.answering.support``). Failures of the server become one clear message
(``LLMError``), or, when ``llm_fallback`` is on, the extractive answer with a notice.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import openai

from qa.answering.base import Answerer
from qa.answering.markers import MarkerRewriter, Resolved, strip_markers
from qa.answering.prompt import NOT_IN_SOURCES, answer_messages, number_sources, rewrite_messages
from qa.answering.support import support_scores, unsupported_claims
from qa.history import turns as history_turns
from qa.retrieval.followup import follow_up_context
from qa.text.phrases import not_in_sources
from qa.types import Answer, Passage

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from qa.settings import Settings

log = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"
_LABEL = re.compile(r"^\s*(standalone question|eigenständige frage|frage|question)\s*:\s*", re.IGNORECASE)


class LLMError(RuntimeError):
    """The language model could not answer; the message is for the user and never holds the key."""


class LLMAnswerer(Answerer):
    """Answers with a chat model from the top retrieved sentences, with verified ``[n]`` citations."""

    def __init__(
        self,
        chat: BaseChatModel,
        model: str,
        embeddings: Embeddings | None = None,
        fallback: Answerer | None = None,
        max_sources: int = 12,
        top_k: int = 5,
        endpoint: str = OPENAI_URL,
        timeout: float = 60.0,
        secrets: Sequence[str] = (),
        cooldown: float = 30.0,
    ) -> None:
        self.chat = chat
        self.model = model
        self.name = f"llm:{model}"
        self.embeddings = embeddings
        self.fallback = fallback
        self.max_sources = max_sources
        self.top_k = top_k
        self.endpoint = _safe_url(endpoint)
        self.timeout = timeout
        self._secrets = [s for s in secrets if s]
        self.cooldown = cooldown
        self._down: tuple[float, str] | None = None  # (until, message) after an unreachable server

    @classmethod
    def from_settings(
        cls, settings: Settings, embeddings: Embeddings | None = None, fallback: Answerer | None = None
    ) -> LLMAnswerer:
        """A ``ChatOpenAI`` client from the settings; ``fallback`` is used only if ``llm_fallback``."""
        from langchain_openai import ChatOpenAI

        # Local servers (Ollama, vLLM) need no key, but the client insists on one.
        secret = settings.openai_api_key
        key = (secret.get_secret_value() if secret is not None else "") or "no-key"
        chat = ChatOpenAI(
            model=settings.llm_model,
            api_key=key,
            base_url=settings.openai_base_url or None,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            use_responses_api=False,  # Chat Completions: the API every compatible server speaks
        )
        return cls(
            chat,
            settings.llm_model,
            embeddings=embeddings,
            fallback=fallback if settings.llm_fallback else None,
            max_sources=settings.llm_max_sources,
            top_k=settings.top_k,
            endpoint=settings.openai_base_url or OPENAI_URL,
            timeout=settings.llm_timeout,
            secrets=[key],
        )

    # ---- answering -----------------------------------------------------------------------------
    def stream(self, question: str, passages: Sequence[Passage], language: str) -> Iterator[str | Answer]:
        """Stream the model's answer (markers already renumbered), then the verified ``Answer``."""
        return self._events(question, passages, language, streaming=True)

    def answer(self, question: str, passages: Sequence[Passage], language: str) -> Answer:
        """One plain (non-streamed) model call: nobody is watching the words arrive."""
        final = [e for e in self._events(question, passages, language, streaming=False)][-1]
        assert isinstance(final, Answer)
        return final

    def _events(
        self, question: str, passages: Sequence[Passage], language: str, streaming: bool
    ) -> Iterator[str | Answer]:
        numbered = number_sources(passages[: self.max_sources])
        rewriter = MarkerRewriter(numbered, sentinel=NOT_IN_SOURCES, replacement=not_in_sources(language))
        if not numbered:  # nothing retrieved: no need to ask the model
            rewriter.feed(NOT_IN_SOURCES)
            yield rewriter.close() or not_in_sources(language)
            yield self._finish(question, rewriter.result(), passages, language)
            return
        down = self._down_message()
        if down:  # failed moments ago: don't wait for it again
            yield from self._failed(down, question, passages, language, shown=False)
            return
        messages = answer_messages(question, numbered)
        shown = False
        try:
            if streaming:
                for chunk in self.chat.stream(messages):
                    piece = rewriter.feed(_text(chunk.content))
                    if piece:
                        shown = True
                        yield piece
                tail = rewriter.close()
                if tail:
                    yield tail
            else:
                rewriter.feed(_text(self.chat.invoke(messages).content))
        except openai.OpenAIError as exc:
            yield from self._failed(self._note(exc), question, passages, language, shown, cause=exc)
            return
        yield self._finish(question, rewriter.result(), passages, language)

    def _finish(
        self, question: str, resolved: Resolved, passages: Sequence[Passage], language: str
    ) -> Answer:
        """Build the ``Answer``: abstention when the model said so, else citations plus support check."""
        phrase = not_in_sources(language)
        abstained = (
            not resolved.text
            or resolved.text.startswith(phrase)
            or (resolved.saw_sentinel and not resolved.citations)
        )
        answer = Answer(
            question=question,
            text=phrase if abstained else resolved.text,
            abstained=abstained,
            language=language,
            answerer=self.name,
            citations=[] if abstained else resolved.citations,
            passages=list(passages[: self.top_k]),
            dropped_markers=resolved.dropped,
        )
        answer.unsupported = unsupported_claims(self._support(answer))
        return answer

    def _support(self, answer: Answer) -> list:
        try:
            return support_scores(answer, self.embeddings)
        except Exception:  # the embedding model failing must not lose the answer: check lexically
            log.warning("support check without embeddings", exc_info=True)
            return support_scores(answer, None)

    def _note(self, exc: openai.OpenAIError) -> str:
        """The user message for ``exc``; an unreachable or silent server is not asked again for a while.

        Without this a follow-up would wait for the timeout twice (rewrite, then answer), and every
        question in a chat would wait again for a server that is down.
        """
        message = self.describe(exc)
        if isinstance(exc, openai.APIConnectionError):  # includes timeouts
            self._down = (time.monotonic() + self.cooldown, message)
        return message

    def _down_message(self) -> str:
        """Why the server is not asked now (it failed moments ago), or ``""``."""
        if self._down is not None and time.monotonic() < self._down[0]:
            return self._down[1]
        return ""

    def _failed(
        self,
        message: str,
        question: str,
        passages: Sequence[Passage],
        language: str,
        shown: bool,
        cause: BaseException | None = None,
    ) -> Iterator[str | Answer]:
        """Raise ``LLMError``, or stream the fallback answer with the message as its notice."""
        if self.fallback is None:
            raise LLMError(message) from cause
        log.warning("LLM failed, using %s: %s", self.fallback.name, message)
        if shown:
            yield "\n\n"
        for event in self.fallback.stream(question, passages, language):
            if isinstance(event, Answer):
                event.notice = (
                    f"{message} Showing the {self.fallback.name} answer (source sentences) instead."
                )
            yield event

    # ---- follow-ups ----------------------------------------------------------------------------
    def standalone_question(self, question: str, history: Sequence) -> str:
        """Rewrite a follow-up into a question that retrieves on its own, with the chat model.

        Without history the question is returned as is. If the model fails, the offline heuristic
        (``qa.retrieval.followup``: append the previous question to a follow-up) stands in, so
        retrieval works.
        """
        turns = chat_turns(history)
        if not turns:
            return question
        if self._down_message():
            return _heuristic(question, history)
        try:
            reply = self.chat.invoke(rewrite_messages(question, turns[-6:]))
        except openai.OpenAIError as exc:
            log.warning("follow-up rewrite failed (%s); using the heuristic", self._note(exc))
            return _heuristic(question, history)
        rewritten = _clean_rewrite(_text(reply.content))
        if not rewritten or len(rewritten) > 4 * len(question) + 300:
            return _heuristic(question, history)
        return rewritten

    # ---- errors --------------------------------------------------------------------------------
    def describe(self, exc: BaseException) -> str:
        """A one-line message for the user: what failed, where, and which setting to check."""
        where = f"The language model server at {self.endpoint}"
        if isinstance(exc, openai.AuthenticationError):
            msg = f"{where} rejected the API key (HTTP 401). Check OPENAI_API_KEY."
        elif isinstance(exc, openai.PermissionDeniedError):
            msg = f"{where} refused access (HTTP 403). Check the API key's permissions."
        elif isinstance(exc, openai.NotFoundError):
            msg = f"{where} does not know the model {self.model!r} (HTTP 404). Check NEWSQA_LLM_MODEL."
        elif isinstance(exc, openai.RateLimitError):
            msg = f"{where} is rate limiting requests or the quota is used up (HTTP 429). Try again later."
        elif isinstance(exc, openai.APITimeoutError):
            msg = f"{where} did not answer within {self.timeout:g} s (NEWSQA_LLM_TIMEOUT)."
        elif isinstance(exc, openai.APIConnectionError):
            msg = (
                f"Cannot reach the language model server at {self.endpoint}. Is it running? (OPENAI_BASE_URL)"
            )
        elif isinstance(exc, openai.APIStatusError):
            msg = f"{where} failed with HTTP {exc.status_code}."
        else:
            msg = f"The language model call failed ({type(exc).__name__})."
        for secret in self._secrets:
            msg = msg.replace(secret, "***")
        return msg


def chat_turns(history: Sequence) -> list[tuple[str, str]]:
    """The history's turns for the rewrite prompt: assistant texts lose their markers and every
    turn is shortened, since the rewrite needs the topic, not the whole answer."""
    return [
        (role, (strip_markers(text) if role == "assistant" else text.strip())[:600])
        for role, text in history_turns(history)
    ]


def _heuristic(question: str, history: Sequence) -> str:
    return f"{question} {follow_up_context(question, history)}".strip()


def _clean_rewrite(text: str) -> str:
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = _LABEL.sub("", line)
    return line.strip().strip("\"'„“”«»").strip()


def _text(content: Any) -> str:
    """Chunk or message content as text (some servers send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)
    return ""


def _safe_url(url: str) -> str:
    """The endpoint for messages: scheme, host, port and path, never credentials or a query."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url.split("?")[0]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}".rstrip("/")
