"""Bringing the BM25 indexes in step with Chroma's article records (the store's check and catch-up)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.types import Chunk, Sentence
from qa.store.cache import RecordCache
from qa.store.lexical_pair import LexicalPair
from qa.text.tokens import tokenize


def reconcile_lexical(
    lexical: LexicalPair, cache: RecordCache, stored: dict[str, dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """Edit the drafts of both indexes to match ``stored`` (Chroma's article metadata by id); the
    caller saves them. Returns the article ids (re)indexed and those removed.

    Rows of articles Chroma lacks go; articles missing, or indexed from another version (their
    content hash, known for rows written since versions were kept), are indexed from their stored
    text and layout.
    """
    added: set[str] = set()
    removed: set[str] = set()
    for which in (0, 1):  # the sentence index, then the chunk index
        have = lexical.current(which).group_versions()
        extra = set(have) - set(stored)
        missing = {i for i, m in stored.items() if have.get(i) not in ("", m["content_hash"])}
        if not (missing or extra):
            continue  # the usual case: no copy of the index needed
        index = lexical.drafts()[which]
        index.remove_groups(extra | (missing & set(have)))
        for article_id, (meta, text, layout) in cache.articles(sorted(missing)).items():
            rows: Sequence[Sentence | Chunk] = (
                layout.sentences(article_id, text) if which == 0 else layout.chunks(article_id, text)
            )
            index.add([r.id for r in rows], [tokenize(r.text) for r in rows], [article_id] * len(rows))
            index.versions[article_id] = str(meta["content_hash"])
        added |= missing
        removed |= extra
    return added, removed
