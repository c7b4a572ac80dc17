"""Persistence: articles, chunks and sentence vectors in Chroma, and the BM25 indexes kept in step.

``ArticleStore`` is the only way in; nothing outside this package touches a Chroma collection.
"""

from qa.store.article_store import ArticleStore
from qa.store.chroma import StoreError
from qa.store.records import CheckReport, IngestReport, StoredArticle, StoredSentence

__all__ = ["ArticleStore", "CheckReport", "IngestReport", "StoreError", "StoredArticle", "StoredSentence"]
