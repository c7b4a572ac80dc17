"""Turn files into articles, sentences and chunks (pure: no store, no models).

Entry points: ``load_articles`` for many paths (files or folders; problems are collected per
file so one bad file does not stop the rest), ``load_file`` for one file (raises
``IngestError``), ``article_from_text`` for pasted text. Imports stay light: trafilatura and
lxml are only imported when an HTML file is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest.articles import article_from_raw, article_id, build_article, content_hash
from ingest.errors import IngestError, IngestProblem
from ingest.readers import DEFAULT_MAX_BYTES, SUPPORTED_EXTENSIONS, RawDocument, expand_paths, read_file
from ingest.sentences import split_sentences
from ingest.types import Article, Chunk, Sentence, sentence_id

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "Article",
    "Chunk",
    "IngestError",
    "IngestProblem",
    "RawDocument",
    "Sentence",
    "article_from_text",
    "article_id",
    "build_article",
    "content_hash",
    "load_articles",
    "load_file",
    "sentence_id",
    "split_sentences",
]


def load_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """All articles of one file (a JSON list / JSONL file holds several); raises ``IngestError``."""
    return [article_from_raw(doc) for doc in read_file(path, max_bytes=max_bytes)]


def load_articles(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Article], list[IngestProblem]]:
    """Load files and folders (recursively: supported, non-hidden files in sorted order).

    Each bad file becomes an ``IngestProblem`` and the others still load. A file reached twice
    (named and inside a named folder) is read once. When two articles share an id (e.g. the same
    URL in two files), the later one wins, as it would in the store, and a problem notes it.
    """
    articles: dict[str, Article] = {}
    problems: list[IngestProblem] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(IngestProblem(str(path), f"{path}: no such file or folder"))
            continue
        files = expand_paths(path)
        if path.is_dir() and not files:
            problems.append(IngestProblem(str(path), f"{path}: the folder contains no supported files"))
        for file in files:
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                loaded = load_file(file, max_bytes=max_bytes)
            except IngestError as exc:
                problems.append(IngestProblem(str(file), str(exc)))
                continue
            for article in loaded:
                if article.id in articles:
                    earlier = articles.pop(article.id)
                    problems.append(
                        IngestProblem(
                            str(file),
                            f"{file}: article {article.title!r} has the same id as {earlier.title!r} "
                            f"from {earlier.source} and replaces it",
                        )
                    )
                articles[article.id] = article
    return list(articles.values()), problems


def article_from_text(
    title: str, text: str, source: str = "pasted", url: str = "", date: str = ""
) -> Article:
    """An article from pasted text; its id comes from the URL if given, else from its content."""
    if not text.strip():
        raise IngestError(f"{source}: the text is empty")
    return build_article(title, text.removeprefix("\ufeff"), source, url, date)
