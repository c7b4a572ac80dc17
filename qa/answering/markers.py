"""Inline citation markers: map the model's ``[n]`` to the sources it was given, renumber, count misses.

The model cites the numbers of the sources block (``[7]``, ``[2, 5]``, ``[2][5]``). The answer shows
markers numbered 1, 2, 3 in order of first use, each backed by a ``Citation`` with the exact sentence
and offsets. A number the model was never given cannot be backed by anything: it is removed from the
text and counted (``Answer.dropped_markers``), never shown as if it were a source.

``MarkerRewriter`` does this on a stream of text deltas, so what the user sees while the answer streams
is already renumbered and identical to the final ``Answer.text``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.types import Citation, Passage

MARKER = re.compile(r"(\s*)\[(\d+(?:\s*[,;]\s*\d+)*)\]")
"""A citation marker, ``[3]`` or ``[2, 5]``, with the whitespace before it (group 1) and its numbers
(group 2). The one definition: answers, prompts, grounding, evaluation and the page all read it."""
_OPEN_TAIL = re.compile(r"\s*\[[\d,;\s]*$")
_MAX_HOLD = 40  # an unclosed "[" further back than this is text, not a marker in progress


@dataclass(slots=True)
class Resolved:
    """The answer text with renumbered markers, the citations behind them and the dropped count."""

    text: str
    citations: list[Citation]
    dropped: int
    saw_sentinel: bool = False


@dataclass
class MarkerRewriter:
    """Renumbers ``[n]`` markers in streamed text; holds back only an unfinished marker or sentinel.

    ``sentinel`` (the model's fixed "not in the sources" phrase) is replaced by ``replacement`` so it
    never reaches the reader verbatim.
    """

    numbered: Sequence[Passage]
    sentinel: str = ""
    replacement: str = ""
    mapping: dict[int, int] = field(default_factory=dict)
    dropped: int = 0
    saw_sentinel: bool = False
    text: str = ""
    _buffer: str = ""

    def feed(self, delta: str) -> str:
        """Take a delta from the model; return the text that is safe to show now."""
        self._buffer += delta
        cut = self._safe_cut(self._buffer)
        out = self._rewrite(self._buffer[:cut])
        self._buffer = self._buffer[cut:]
        self.text += out
        return out

    def close(self) -> str:
        """The held-back rest, at the end of the stream."""
        out = self._rewrite(self._buffer)
        self._buffer = ""
        self.text += out
        return out

    def result(self) -> Resolved:
        self.close()
        by_marker = sorted((m, n) for n, m in self.mapping.items())
        citations = [Citation(marker=m, **self.numbered[n - 1].model_dump()) for m, n in by_marker]
        return Resolved(self.text.strip(), citations, self.dropped, self.saw_sentinel)

    def _safe_cut(self, buf: str) -> int:
        cut = len(buf.rstrip())  # whitespace may precede a marker that is still coming
        tail = _OPEN_TAIL.search(buf)
        if tail and len(buf) - tail.start() <= _MAX_HOLD:
            cut = min(cut, tail.start())
        for k in range(min(len(self.sentinel) - 1, len(buf)), 0, -1):
            if self.sentinel and buf.endswith(self.sentinel[:k]):
                cut = min(cut, len(buf) - k)
                break
        return cut

    def _rewrite(self, text: str) -> str:
        if self.sentinel and self.sentinel in text:
            self.saw_sentinel = True
            text = text.replace(self.sentinel, self.replacement)
        return MARKER.sub(self._marker, text)

    def _marker(self, m: re.Match[str]) -> str:
        markers = []
        for n in marker_numbers(m.group(2)):
            if not 1 <= n <= len(self.numbered):
                self.dropped += 1
                continue
            marker = self.mapping.setdefault(n, len(self.mapping) + 1)
            if marker not in markers:
                markers.append(marker)
        if not markers:
            return ""
        return m.group(1) + "".join(f"[{k}]" for k in markers)


def resolve_citations(text: str, numbered: Sequence[Passage]) -> Resolved:
    """Renumber the markers of a complete text against the sources numbered 1..n."""
    rewriter = MarkerRewriter(numbered)
    rewriter.feed(text)
    return rewriter.result()


def marker_numbers(group: str) -> list[int]:
    """The numbers of a marker's group 2: ``"2, 5"`` -> ``[2, 5]``."""
    return [int(x) for x in re.split(r"[,;]", group)]


def strip_markers(text: str) -> str:
    """Text without ``[n]`` markers (to compare an answer sentence with its sources)."""
    return MARKER.sub("", text).strip()
