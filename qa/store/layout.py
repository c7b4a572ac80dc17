"""Where an article's sentences and chunks lie in its text, kept in the article's own record.

Why here and not on each sentence or chunk: Chroma stores every metadata key of every record as a
row, which costs time at ingest. So a chunk record holds only its id and vectors
(qa/store/sentence_vectors.py), and the article record (the commit marker, which holds the text) carries
two compact strings: the sentence spans and the chunks' sentence ranges. Everything a reader needs
(offsets, text, chunk membership) follows from them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ingest.types import Article, Chunk, Sentence, chunk_id, sentence_id

SPANS_KEY = "sentence_spans"  # "start-end start-end ..." in sentence order
CHUNKS_KEY = "chunk_sentences"  # "first-last first-last ...": each chunk's sentence range, inclusive


@dataclass(frozen=True, slots=True)
class ArticleLayout:
    """An article's sentence spans and its chunks as inclusive ranges of sentence indices."""

    spans: tuple[tuple[int, int], ...]
    chunk_ranges: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, article: Article) -> ArticleLayout:
        return cls(
            tuple((s.start, s.end) for s in article.sentences),
            tuple((c.sentence_indices[0], c.sentence_indices[-1]) for c in article.chunks),
        )

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any]) -> ArticleLayout:
        return cls(_pairs(str(meta.get(SPANS_KEY, ""))), _pairs(str(meta.get(CHUNKS_KEY, ""))))

    def metadata(self) -> dict[str, str]:
        return {SPANS_KEY: _format(self.spans), CHUNKS_KEY: _format(self.chunk_ranges)}

    def sentence(self, article_id: str, text: str, index: int) -> Sentence:
        start, end = self.spans[index]
        return Sentence(article_id, index, start, end, text[start:end])

    def sentences(self, article_id: str, text: str) -> tuple[Sentence, ...]:
        return tuple(self.sentence(article_id, text, i) for i in range(len(self.spans)))

    def chunks(self, article_id: str, text: str) -> tuple[Chunk, ...]:
        out = []
        for index, (first, last) in enumerate(self.chunk_ranges):
            start, end = self.spans[first][0], self.spans[last][1]
            out.append(Chunk(article_id, index, tuple(range(first, last + 1)), start, end, text[start:end]))
        return tuple(out)

    def chunks_of(self, index: int) -> tuple[int, ...]:
        """The chunks (indices) that hold sentence ``index``: one, or two where windows overlap.

        Chunks run in text order (first and last sentences both ascending), so a binary search
        finds the last chunk starting at or before ``index`` and the holders end there; serving
        asks this for every candidate sentence."""
        found = []
        c = bisect_right(self.chunk_ranges, index, key=lambda r: r[0]) - 1
        while c >= 0 and self.chunk_ranges[c][1] >= index:
            found.append(c)
            c -= 1
        return tuple(reversed(found))

    def chunk_sentence_ids(self, article_id: str, chunk: int) -> list[str]:
        first, last = self.chunk_ranges[chunk]
        return [sentence_id(article_id, i) for i in range(first, last + 1)]

    def chunk_ids(self, article_id: str) -> list[str]:
        """The ids of the article's chunk records."""
        return [chunk_id(article_id, c) for c in range(len(self.chunk_ranges))]


def _format(pairs: tuple[tuple[int, int], ...]) -> str:
    return " ".join(f"{a}-{b}" for a, b in pairs)


def _pairs(value: str) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in (p.split("-") for p in value.split()))
