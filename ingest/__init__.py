"""Turn files into articles, sentences and chunks (pure: no store, no models)."""

from ingest.types import Article, Chunk, Sentence, sentence_id

__all__ = ["Article", "Chunk", "Sentence", "sentence_id"]
