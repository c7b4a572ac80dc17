"""Windows of whole sentences: the passages that get embedded for retrieval.

Why whole sentences: a citation points at a sentence, so a chunk must never cut one; a chunk is
only a wider context for finding the sentences.

Rules:

* Pack consecutive sentences while the window's span (``text[first.start:last.end]``, inner
  whitespace included) stays within ``max_chars``. A single sentence longer than that is a chunk
  on its own (never cut).
* Do not cross a paragraph break (a blank line between two sentences) once the window already
  holds two or more sentences: paragraphs are topical units and mixing them blurs embeddings.
* The next window starts ``overlap`` sentences before the previous window's end, so a sentence
  at a window edge is also seen with its neighbours; it always starts at least one sentence
  later (progress is guaranteed). The overlap shrinks when the overlapped sentences and the
  next new sentence would not fit together, so no window merely repeats the previous one; and
  there is no overlap across a paragraph break (it would only drag the old paragraph's last
  sentence into the new paragraph's window).
* Every sentence belongs to at least one chunk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.types import Chunk, Sentence

__all__ = ["make_chunks"]

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n|\r\n[^\S\r\n]*\r\n|\r[^\S\r]*\r|[\u2029\f]")


def _paragraph_break(text: str, left: Sentence, right: Sentence) -> bool:
    """Whether a blank line (or paragraph/page separator) lies between two sentences."""
    return _BLANK_LINE.search(text, left.end, right.start) is not None


def _next_start(
    text: str, sentences: Sequence[Sentence], first: int, last: int, max_chars: int, overlap: int
) -> int:
    """Where the window after ``first..last`` starts: ``overlap`` sentences back, but always
    after ``first``, never across a paragraph break, and only so far back that the first new
    sentence (``last + 1``) still fits, so no window is a mere repeat of the previous one."""
    new = last + 1
    if _paragraph_break(text, sentences[last], sentences[new]):
        return new
    start = max(new - overlap, first + 1)
    while start < new and sentences[new].end - sentences[start].start > max_chars:
        start += 1
    return start


def make_chunks(
    article_id: str,
    text: str,
    sentences: Sequence[Sentence],
    max_chars: int = 700,
    overlap: int = 1,
) -> tuple[Chunk, ...]:
    """Group ``sentences`` (in text order) into overlapping windows of whole sentences."""
    if max_chars <= 0:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    if overlap < 0:
        raise ValueError(f"overlap must not be negative, got {overlap}")
    n = len(sentences)
    chunks: list[Chunk] = []
    first = 0
    while first < n:
        last = first  # inclusive
        while last + 1 < n:
            nxt = sentences[last + 1]
            if last > first and _paragraph_break(text, sentences[last], nxt):
                break
            if nxt.end - sentences[first].start > max_chars:
                break
            last += 1
        window = sentences[first : last + 1]
        start, end = window[0].start, window[-1].end
        chunks.append(
            Chunk(
                article_id=article_id,
                index=len(chunks),
                sentence_indices=tuple(s.index for s in window),
                start=start,
                end=end,
                text=text[start:end],
            )
        )
        if last + 1 >= n:
            break
        first = _next_start(text, sentences, first, last, max_chars, overlap)
    return tuple(chunks)
