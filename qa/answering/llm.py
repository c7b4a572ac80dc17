"""The LLM answerer: a chat model writes the answer from numbered source sentences, newsqa cites it.

Any server speaking OpenAI Chat Completions works (OpenAI, Ollama, vLLM, llama.cpp's server, the
packaged local model), through ``langchain_openai.ChatOpenAI``. The model's word is checked, not
trusted: every answer sentence is shown only with sources that back it (its own markers when they
hold, else the sources newsqa aligns it to), and left out when none does (``qa.answering.verify``).
A question naming people no retrieved sentence mentions is answered "not in the sources" without
asking the model. Failures of the server, a reply past the deadline or a malformed one become one
clear message (``LLMError``), or, when ``llm_fallback`` is on, the extractive answer with a notice.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import openai

from qa.answering.base import Answerer
from qa.answering.markers import CitedText, strip_markers
from qa.answering.prompt import NOT_IN_SOURCES, answer_messages, number_sources, rewrite_messages
from qa.answering.replies import ReplyProblem, content_text, reply_deltas
from qa.answering.structured import Flavor, JsonClaimReader, format_options, refused_format
from qa.answering.verify import ALIGN_DEPTH, Claim, ClaimReader, Verifier
from qa.history import turns as history_turns
from qa.retrieval.absent_names import absent_names
from qa.retrieval.followup import follow_up_context
from qa.text.phrases import not_in_sources
from qa.types import Answer, Passage, Verification

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from qa.settings import Settings

log = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"
_LABEL = re.compile(r"^\s*(standalone question|eigenständige frage|frage|question)\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"\w")


class LLMError(RuntimeError):
    """The language model could not answer; the message is for the user and never holds the key."""


@dataclass
class _Shown:
    """What one answer shows so far, and the tally of how its sentences were checked."""

    text: CitedText
    check: Verification = field(default_factory=Verification)
    unsupported: list[str] = field(default_factory=list)
    dropped: int = 0
    saw_sentinel: bool = False


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
        deadline: float = 180.0,
        max_tokens: int = 400,
        kind: str = "llm",
        label: str = "",
        structured: Flavor | None = None,
        source_ratio: float = 0.0,
    ) -> None:
        """``structured``: ask for a JSON reply in this server dialect (``None``: plain text with
        ``[n]`` markers); a server that fails the format but answers plain text gets plain text
        from then on.
        ``source_ratio``: give the model only sources whose ranker score is at least this share of
        the best one's (a CPU reads every prompt token, and a small model picks wrong among many)."""
        self.chat = chat
        self.model = model
        self.name = f"{kind}:{model}"
        self.label = label or f"{model} ({endpoint})"
        """Which model answers, for people: the web chat and ``newsqa chat`` show it."""
        self.embeddings = embeddings
        self.fallback = fallback
        self.max_sources = max_sources
        self.top_k = top_k
        self.endpoint = _safe_url(endpoint)
        self.timeout = timeout
        self.deadline = deadline
        self.max_tokens = max_tokens
        self.structured = structured
        self.source_ratio = source_ratio
        self._secrets = [s for s in secrets if s]
        self.cooldown = cooldown
        self._down: tuple[float, str] | None = None  # (until, message) after an unreachable server

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        embeddings: Embeddings | None = None,
        fallback: Answerer | None = None,
        **server: str,
    ) -> LLMAnswerer:
        """A ``ChatOpenAI`` client from the settings; ``fallback`` is used only if ``llm_fallback``.

        ``server`` overrides ``base_url``, ``model``, ``kind`` and ``label`` (the local model's server,
        asked for JSON in llama-cpp-python's dialect).
        """
        from langchain_openai import ChatOpenAI

        # Local servers (Ollama, vLLM, llama.cpp) need no key, but the client insists on one.
        secret = settings.openai_api_key
        key = (secret.get_secret_value() if secret is not None else "") or "no-key"
        base_url = server.get("base_url", settings.openai_base_url)
        model = server.get("model", settings.llm_model)
        kind = server.get("kind", "llm")
        flavor: Flavor = "llama.cpp" if kind == "local" else "openai"
        chat = ChatOpenAI(
            model=model,
            api_key=key,
            base_url=base_url or None,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            max_completion_tokens=settings.llm_max_tokens,
            # llama-cpp-python's server (and Ollama) read only the older name and would write on
            # until the context is full; OpenAI itself wants the new one alone.
            extra_body={"max_tokens": settings.llm_max_tokens} if base_url else None,
            use_responses_api=False,  # Chat Completions: the API every compatible server speaks
        )
        return cls(
            chat,
            model,
            embeddings=embeddings,
            fallback=fallback if settings.llm_fallback else None,
            max_sources=settings.llm_max_sources,
            top_k=settings.top_k,
            endpoint=base_url or OPENAI_URL,
            timeout=settings.llm_timeout,
            secrets=[key],
            deadline=settings.llm_deadline,
            kind=kind,
            label=server.get("label", ""),
            structured=flavor if settings.llm_structured else None,
            source_ratio=settings.llm_source_ratio,
        )

    # ---- answering -----------------------------------------------------------------------------
    def stream(self, question: str, passages: Sequence[Passage], language: str) -> Iterator[str | Answer]:
        """Stream the answer sentence by sentence as each is verified, then the ``Answer``."""
        return self._events(question, passages, language, streaming=True)

    def answer(self, question: str, passages: Sequence[Passage], language: str) -> Answer:
        """One plain (non-streamed) model call: nobody is watching the words arrive."""
        final = [e for e in self._events(question, passages, language, streaming=False)][-1]
        assert isinstance(final, Answer)
        return final

    def _events(
        self, question: str, passages: Sequence[Passage], language: str, streaming: bool
    ) -> Iterator[str | Answer]:
        numbered = number_sources(self.sources(passages))
        shown = _Shown(CitedText(numbered))
        if not numbered or absent_names(question, passages):
            # Nothing retrieved, or the question names someone no candidate mentions (as the
            # extractive answerer judges it): the model is not asked. Asked, a small one answers
            # "Was sagte Angela Merkel ...?" with another person's words.
            yield not_in_sources(language)
            yield self._finish(question, shown, passages, language)
            return
        down = self._down_message()
        if down:  # failed moments ago: don't wait for it again
            yield from self._failed(down, question, passages, language)
            return
        verifier = Verifier(question, numbered, passages, self.embeddings, ALIGN_DEPTH)
        problem = ""
        flavor = self.structured
        while True:
            reader = JsonClaimReader() if flavor else ClaimReader()
            options = format_options(self.chat, flavor)
            try:
                messages = answer_messages(question, numbered, structured=flavor is not None)
                for delta in reply_deltas(self.chat, messages, streaming, self.deadline, **options):
                    for claim in reader.feed(delta):
                        if piece := self._show(claim, verifier, shown):
                            yield piece
                for claim in reader.close():
                    if piece := self._show(claim, verifier, shown):
                        yield piece
            except (openai.OpenAIError, ReplyProblem) as exc:
                if flavor and refused_format(exc) and not reader.raw:
                    log.info("%s Asking again in plain text.", self.describe(exc))
                    flavor = None
                    continue
                problem = self._note(exc)
                if not shown.text.text:  # nothing verified shown yet: the fallback answers
                    yield from self._failed(problem, question, passages, language, cause=exc)
                    return
            if flavor is None and self.structured:  # plain text worked where the format failed
                self.structured = None
            break
        if not shown.text.text:
            yield not_in_sources(language)
        answer = self._finish(question, shown, passages, language)
        if problem:
            answer.notice = f"{problem} The answer may be incomplete: only the verified sentences are shown."
        yield answer

    def sources(self, passages: Sequence[Passage]) -> list[Passage]:
        """The retrieved sentences the model reads: the best ``max_sources``, without those far less
        likely to answer than the best one (``source_ratio``)."""
        given = list(passages[: self.max_sources])
        if not given or self.source_ratio <= 0:
            return given
        bar = self.source_ratio * max(p.score for p in given)
        return [p for p in given if p.score >= bar]

    def _show(self, claim: Claim, verifier: Verifier, shown: _Shown) -> str:
        """Verify one complete sentence; the piece to show (``""`` when it is left out)."""
        if NOT_IN_SOURCES in claim.text:
            shown.saw_sentinel = True
            claim.text = claim.text.replace(NOT_IN_SOURCES, "").strip()
        if not _WORD.search(claim.text):
            return ""
        verdict = verifier.verify(claim)
        check = shown.check
        shown.dropped += sum(not 1 <= n <= len(verifier.numbered) for n in claim.written)
        if verdict.how != "plain":
            check.sentences += 1
            check.markers_written += len({n for n in claim.written if 1 <= n <= len(verifier.numbered)})
        if verdict.how == "unsupported":
            shown.unsupported.append(claim.text)
            return ""
        check.verified += verdict.how != "plain"
        check.by_model += verdict.how == "model"
        check.aligned += verdict.how == "aligned"
        check.markers_shown += len(verdict.sources)
        return shown.text.add(claim.text, verdict.sources)

    def _finish(self, question: str, shown: _Shown, passages: Sequence[Passage], language: str) -> Answer:
        """The ``Answer``: the verified sentences, or an abstention when none is left."""
        text = shown.text.text
        abstained = not text
        notice = ""
        if abstained and shown.unsupported:
            notice = (
                f"The model's answer ({len(shown.unsupported)} sentences) is not shown: "
                "no source sentence supports it."
            )
        elif not abstained and shown.saw_sentinel:
            notice = (
                "The model also said the sources do not answer this; only sentences they support are shown."
            )
        return Answer(
            question=question,
            text=not_in_sources(language) if abstained else text,
            abstained=abstained,
            language=language,
            answerer=self.name,
            citations=[] if abstained else shown.text.citations(),
            passages=list(passages[: self.top_k]),
            unsupported=shown.unsupported,
            dropped_markers=shown.dropped,
            notice=notice,
            verification=shown.check,
        )

    def _note(self, exc: openai.OpenAIError | ReplyProblem) -> str:
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
        cause: BaseException | None = None,
    ) -> Iterator[str | Answer]:
        """Raise ``LLMError``, or stream the fallback answer with the message as its notice."""
        if self.fallback is None:
            raise LLMError(message) from cause
        log.warning("LLM failed, using %s: %s", self.fallback.name, message)
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
        rewritten = _clean_rewrite(content_text(reply.content))
        if not rewritten or len(rewritten) > 4 * len(question) + 300:
            return _heuristic(question, history)
        return rewritten

    # ---- errors --------------------------------------------------------------------------------
    def describe(self, exc: BaseException) -> str:
        """A one-line message for the user: what failed, where, and which setting to check."""
        where = f"The language model server at {self.endpoint}"
        if isinstance(exc, ReplyProblem):
            msg = {
                "deadline": f"{where} did not finish within {self.deadline:g} s (NEWSQA_LLM_DEADLINE).",
                "incomplete": f"{where} closed the stream before the answer was complete.",
            }.get(exc.kind, f"{where} sent a malformed reply ({exc.detail or 'unreadable'}).")
        elif isinstance(exc, openai.AuthenticationError):
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


def _safe_url(url: str) -> str:
    """The endpoint for messages: scheme, host, port and path, never credentials or a query."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url.split("?")[0]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}".rstrip("/")
