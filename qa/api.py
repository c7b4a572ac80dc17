"""The Python API: ``ask(question) -> Answer`` and the ``NewsQA`` object behind it.

The CLI, the web chat and evaluation are thin faces over this object. Models and the store load
lazily on first use, so constructing it is free and ``newsqa --help`` stays instant.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.retrieval.followup import follow_up_context
from qa.scope.selection import Selection
from qa.settings import Settings
from qa.text.language import detect_language
from qa.text.phrases import empty_store
from qa.types import Answer, Timings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.runnables import Runnable

    from ingest import Article, IngestProblem
    from qa.answering.base import Answerer
    from qa.feeds.registry import FeedPoll, FollowedFeed
    from qa.retrieval.hybrid import HybridRetriever
    from qa.retrieval.langchain import NewsRetriever
    from qa.store import ArticleStore, IngestReport, StoredArticle


class QuestionError(ValueError):
    """A question that cannot be asked (empty, or longer than the configured limit)."""


@dataclass(slots=True)
class IngestResult:
    """What ingesting some paths did: the store's report and the files that were rejected."""

    report: IngestReport
    problems: list[IngestProblem] = field(default_factory=list)


class NewsQA:
    """Question answering over a store of articles, with citations to exact source sentences."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embeddings: Embeddings | None = None,
        clock: Callable[[], date] = date.today,
        **overrides: Any,
    ) -> None:
        """``embeddings``: an already loaded model to use instead of the configured one (tests and
        evaluation share one across many stores). ``clock``: today's date, which "gestern" or "last
        week" in a question are resolved against (tests fix it)."""
        self.clock = clock
        self._catalog: tuple[object, list[StoredArticle]] | None = None
        if settings is None:
            self.settings = Settings(**overrides)
        else:  # validated, so overrides are converted (a key becomes a SecretStr) and checked
            self.settings = type(settings).model_validate({**settings.model_dump(), **overrides})
        self._embeddings = embeddings

    # ---- components, built on first use ------------------------------------------------------
    @cached_property
    def embeddings(self) -> Embeddings:
        from qa.embeddings.factory import make_embeddings

        return self._embeddings or make_embeddings(self.settings)

    @cached_property
    def store(self) -> ArticleStore:
        from qa.store import ArticleStore

        return ArticleStore(self.settings, self.embeddings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        from qa.retrieval.hybrid import HybridRetriever

        return HybridRetriever(self.store)

    @cached_property
    def answerer(self) -> Answerer:
        from qa.answering.factory import make_answerer

        return make_answerer(self.settings, embeddings=self.embeddings)

    # ---- asking ------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence = (), selection: Selection | None = None) -> Answer:
        """Answer ``question`` from the stored articles; ``history`` holds earlier chat turns.

        ``selection``: ask only some articles (one article, a source, a date range); a time the
        question names ("letzte Woche") narrows it further (``Answer.selection`` shows the result).
        """
        final = None
        for event in self.stream(question, history, selection):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def stream(
        self, question: str, history: Sequence = (), selection: Selection | None = None
    ) -> Iterator[str | Answer]:
        """Yield the answer's text as it is produced, then the final ``Answer`` with citations."""
        from qa.scope.question import prefer_recent, scope_of

        question = self.check_question(question)
        started = time.perf_counter()
        standalone, context = self._standalone(question, history)
        scope = scope_of(standalone, selection, self.clock(), self._stored_articles)
        retrieval = self.retriever.retrieve(standalone, context=context, allowed=scope.allowed)
        passages = retrieval.passages
        if scope.latest:
            passages = prefer_recent(passages)
        retrieved = time.perf_counter()
        language = detect_language(question)
        for event in self.answerer.respond(question, passages, language, retrieval.lacking):
            if isinstance(event, Answer):
                if not passages and not event.notice and len(self.store.sentence_index) == 0:
                    event.notice = empty_store(language)
                done = time.perf_counter()
                event.standalone_question = (
                    f"{standalone} ({context})" if context else (standalone if standalone != question else "")
                )
                event.timings = Timings(
                    retrieve=retrieved - started, answer=done - retrieved, total=done - started
                )
                event.selection, event.time_expression = scope.selection, scope.expression
            yield event

    def _stored_articles(self) -> list[StoredArticle]:
        """Every stored article's record, read again only after the store changed."""
        self.store.refresh()
        generation = self.store.generation
        if self._catalog is None or self._catalog[0] != generation:
            self._catalog = (generation, self.store.list_articles())
        return self._catalog[1]

    def _standalone(self, question: str, history: Sequence) -> tuple[str, str]:
        """The question to retrieve by, and context from the chat history for the offline fallback."""
        if not history:
            return question, ""
        rewrite = getattr(self.answerer, "standalone_question", None)
        if rewrite:
            return rewrite(question, history), ""
        context = follow_up_context(question, history)
        return question, context

    def check_question(self, question: str) -> str:
        """The question stripped; a ``QuestionError`` when it is empty or too long."""
        question = (question or "").strip()
        if not question:
            raise QuestionError("Please ask a question: the question is empty.")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"The question has {len(question):,} characters; the limit is "
                f"{self.settings.max_question_chars:,} (NEWSQA_MAX_QUESTION_CHARS). Please shorten it."
            )
        return question

    # ---- managing articles -------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[str | Path], progress: Callable[[int, int], None] | None = None
    ) -> IngestResult:
        """Read files or folders (and http(s) URLs: pages and feeds, see ``ingest_urls``) and add their
        articles; bad inputs are reported, never half-stored."""
        from ingest import load_articles
        from ingest.fetch import is_url
        from qa.feeds.registry import load_urls

        paths = list(paths)
        urls = [p for p in paths if isinstance(p, str) and is_url(p)]
        files = [p for p in paths if not (isinstance(p, str) and is_url(p))]
        articles, problems = (
            load_articles(files, max_bytes=self.settings.max_file_bytes) if files else ([], [])
        )
        web, web_problems = load_urls(self.store, self.settings, urls) if urls else ([], [])
        report = self.store.add(articles + [a for w in web for a in w.articles], progress=progress)
        report.unchanged += [i for w in web for i in w.known if i not in report.unchanged]
        return IngestResult(report, web_problems + problems)

    def ingest_urls(self, urls: Sequence[str]) -> IngestResult:
        """Fetch web pages and RSS/Atom feeds (each item's page) and add their articles.

        A URL that cannot be fetched or read is one problem and adds nothing; a feed's items already
        stored are not fetched again unless the feed says they changed (``unchanged`` in the report).
        An entry that is not an http(s) URL is refused (one problem each), never read as a path: the
        web page's URL box reaches here, and a path typed there must not ingest the server's files.
        """
        from ingest import IngestProblem
        from ingest.fetch import is_url, not_a_url

        refused = [IngestProblem(u, not_a_url(u)) for u in urls if not is_url(u)]
        result = self.ingest([u for u in urls if is_url(u)])
        return IngestResult(result.report, refused + result.problems)

    def feeds(self) -> list[FollowedFeed]:
        """The feeds this store follows (``add_feed``), with what their last poll found."""
        from qa.feeds.registry import FeedRegistry

        return FeedRegistry.of(self.settings).load()

    def add_feed(self, url: str) -> FeedPoll:
        """Follow a feed: poll it now (its items are added) and register it for ``update_feeds``.

        A URL that is no feed, or fails, is not registered (``FeedPoll.error`` says why).
        """
        from qa.feeds.registry import FeedRegistry, FollowedFeed, now, poll

        registry = FeedRegistry.of(self.settings)
        feed = registry.get(url) or FollowedFeed(url=url, added_at=now())
        result = poll(self.store, self.settings, feed, conditional=False)
        if not result.error:
            registry.put(feed)
        return result

    def remove_feed(self, url: str) -> bool:
        """Stop following a feed (its articles stay); False when it was not followed."""
        from qa.feeds.registry import FeedRegistry

        return FeedRegistry.of(self.settings).remove(url)

    def update_feeds(self) -> list[FeedPoll]:
        """Poll every followed feed with a conditional GET and add new and changed items."""
        from qa.feeds.registry import FeedRegistry, poll

        registry = FeedRegistry.of(self.settings)
        results = []
        for feed in registry.load():
            results.append(poll(self.store, self.settings, feed))
            if not results[-1].error:
                registry.update(feed)  # a feed removed while it polled stays removed
        return results

    def add_articles(self, articles: Sequence[Article]) -> IngestReport:
        return self.store.add(articles)

    def add_text(
        self, title: str, text: str, source: str = "pasted", url: str = "", date: str = ""
    ) -> IngestReport:
        """Add one article from text (as pasted in the web chat)."""
        from ingest import article_from_text

        return self.store.add([article_from_text(title, text, source=source, url=url, date=date)])

    def delete(self, article_id: str) -> bool:
        return self.store.delete(article_id)

    def articles(self) -> list[StoredArticle]:
        return self.store.list_articles()

    def article(self, article_id: str) -> Article | None:
        return self.store.get_article(article_id)

    # ---- LangChain ---------------------------------------------------------------------------
    def as_retriever(self, k: int | None = None) -> NewsRetriever:
        """The sentence retriever as a LangChain ``BaseRetriever``."""
        from qa.retrieval.langchain import NewsRetriever

        return NewsRetriever(hybrid=self.retriever, k=k or self.settings.top_k)

    @cached_property
    def chain(self) -> Runnable:
        """``ask`` as a LangChain ``Runnable``: input a question or ``{"question", "history"}``."""
        from langchain_core.runnables import RunnableLambda

        def run(inputs: str | dict) -> Answer:
            if isinstance(inputs, str):
                return self.ask(inputs)
            return self.ask(inputs["question"], inputs.get("history", ()), inputs.get("selection"))

        return RunnableLambda(run, name="newsqa")


_default: NewsQA | None = None


def ask(question: str, history: Sequence = (), selection: Selection | None = None) -> Answer:
    """Answer a question from the default store (settings from ``NEWSQA_*`` variables and ``.env``)."""
    global _default
    if _default is None:
        _default = NewsQA()
    return _default.ask(question, history, selection)
