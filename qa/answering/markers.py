"""Inline citation markers: parse the model's ``[n]``, and write the verified answer's own markers.

The model cites the numbers of the sources block (``[7]``, ``[2, 5]``, ``[2][5]``, also ``[ 7 ]`` or
full-width ``［７］``). Which of them stand is decided per sentence by ``qa.answering.verify``; the
answer then shows markers numbered 1, 2, 3 in order of first use, each backed by a ``Citation`` with the
exact sentence and offsets (``CitedText``). A number the model was never given is counted
(``Answer.dropped_markers``), never shown as if it were a source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.types import Citation, Passage

MARKER = re.compile(r"(\s*)[\[［]\s*(\d+(?:\s*[,;]\s*\d+)*)\s*[\]］]")
"""A citation marker, ``[3]``, ``[ 3 ]`` or ``[2, 5]``, with the whitespace before it (group 1) and its
numbers (group 2). The one definition: answers, prompts, grounding, evaluation and the page all read it."""
MAX_MARKER_DIGITS = 6
"""A longer number is no source number (and ``int()`` refuses strings beyond 4,300 digits)."""
_LONG_NUMBER = re.compile(rf"([\[［]\s*)\d{{{MAX_MARKER_DIGITS + 1},}}")
_END = re.compile(r"[.!?…:;]*[\"'“”»«)\]]*$")


def marker_numbers(group: str) -> list[int]:
    """The numbers of a marker's group 2: ``"2, 5"`` -> ``[2, 5]``; an absurdly long one is 0 (no source)."""
    parts = (x.strip() for x in re.split(r"[,;]", group))
    return [int(x) if len(x) <= MAX_MARKER_DIGITS else 0 for x in parts]


def tame_long_markers(text: str) -> str:
    """``[`` and 5,000 digits become ``[0``: one short number no source has, which no sentence
    splitter cuts in two (it cuts at 2,000 characters) and ``int()`` reads."""
    return _LONG_NUMBER.sub(r"\g<1>0", text)


def strip_markers(text: str) -> str:
    """Text without ``[n]`` markers (to compare an answer sentence with its sources)."""
    return MARKER.sub("", text).strip()


def place_markers(sentence: str, markers: Sequence[int]) -> str:
    """``sentence`` with ``[m]`` markers before its final punctuation: ``"… seien [1]."``."""
    if not markers:
        return sentence
    cut = _END.search(sentence)
    at = cut.start() if cut else len(sentence)
    return f"{sentence[:at].rstrip()} {''.join(f'[{m}]' for m in markers)}{sentence[at:]}"


@dataclass
class CitedText:
    """The answer as shown: verified sentences with markers renumbered 1, 2, 3 in order of first use."""

    numbered: Sequence[Passage]
    mapping: dict[int, int] = field(default_factory=dict)
    text: str = ""

    def add(self, sentence: str, sources: Sequence[int]) -> str:
        """Append a sentence citing the given source numbers (1..n); return the piece to show."""
        markers = list(dict.fromkeys(self.mapping.setdefault(n, len(self.mapping) + 1) for n in sources))
        piece = (" " if self.text else "") + place_markers(sentence, markers)
        self.text += piece
        return piece

    def citations(self) -> list[Citation]:
        by_marker = sorted((m, n) for n, m in self.mapping.items())
        return [Citation(marker=m, **self.numbered[n - 1].model_dump()) for m, n in by_marker]
