"""Chunking: windows of whole sentences that cover every sentence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunks import make_chunks
from ingest.sentences import split_sentences
from ingest.types import Chunk, Sentence


def segment(text: str) -> tuple[Sentence, ...]:
    return tuple(Sentence("a", i, s, e, text[s:e]) for i, (s, e) in enumerate(split_sentences(text)))


def check(text: str, chunks: tuple[Chunk, ...], sents: tuple[Sentence, ...], max_chars: int) -> None:
    covered: set[int] = set()
    starts = {s.start for s in sents}
    ends = {s.end for s in sents}
    for i, chunk in enumerate(chunks):
        assert chunk.index == i and chunk.article_id == "a"
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.start in starts and chunk.end in ends  # never cut mid-sentence
        indices = chunk.sentence_indices
        assert list(indices) == list(range(indices[0], indices[-1] + 1))  # consecutive
        assert chunk.start == sents[indices[0]].start and chunk.end == sents[indices[-1]].end
        assert len(chunk.text) <= max_chars or len(indices) == 1
        covered.update(indices)
    assert covered == set(range(len(sents)))
    firsts = [c.sentence_indices[0] for c in chunks]
    assert firsts == sorted(set(firsts))  # strictly increasing: progress


def test_packs_up_to_max_chars_with_one_sentence_overlap() -> None:
    text = " ".join(f"Satz nummer {i} ist hier." for i in range(10))  # 22-23 chars each
    sents = segment(text)
    chunks = make_chunks("a", text, sents, max_chars=75, overlap=1)
    assert [c.sentence_indices for c in chunks] == [(0, 1, 2), (2, 3, 4), (4, 5, 6), (6, 7, 8), (8, 9)]
    check(text, chunks, sents, 75)


def test_zero_overlap() -> None:
    text = " ".join(f"Satz nummer {i} ist hier." for i in range(6))
    sents = segment(text)
    chunks = make_chunks("a", text, sents, max_chars=75, overlap=0)
    assert [c.sentence_indices for c in chunks] == [(0, 1, 2), (3, 4, 5)]


def test_long_sentence_is_its_own_chunk() -> None:
    text = "Kurz. " + "Sehr " * 200 + "lang. Kurz danach."
    sents = segment(text)
    chunks = make_chunks("a", text, sents, max_chars=100)
    assert [c.sentence_indices for c in chunks] == [(0,), (1,), (2,)]
    assert chunks[1].text == sents[1].text
    check(text, chunks, sents, 100)


def test_prefers_paragraph_boundaries() -> None:
    text = "Eins. Zwei.\n\nDrei. Vier.\n\nFünf."
    sents = segment(text)
    chunks = make_chunks("a", text, sents, max_chars=700)
    assert [c.sentence_indices for c in chunks] == [(0, 1), (2, 3), (4,)]
    check(text, chunks, sents, 700)


def test_single_sentence_paragraph_may_join_the_next() -> None:
    text = "Überschrift\n\nEins. Zwei.\n\nDrei."
    sents = segment(text)
    chunks = make_chunks("a", text, sents, max_chars=700)
    assert [c.sentence_indices for c in chunks] == [(0, 1, 2), (3,)]


def test_empty_and_invalid() -> None:
    assert make_chunks("a", "", ()) == ()
    with pytest.raises(ValueError):
        make_chunks("a", "x", segment("x"), max_chars=0)
    with pytest.raises(ValueError):
        make_chunks("a", "x", segment("x"), overlap=-1)


_WORDS = st.sampled_from(["Wort", "Satz.", "Ende!", "lang" * 20, "\n", "\n\n", "z. B.", "Die", "a", "?"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_WORDS, max_size=80).map(" ".join),
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=0, max_value=4),
)
def test_chunks_cover_every_sentence_and_never_cut(text: str, max_chars: int, overlap: int) -> None:
    sents = segment(text)
    check(text, make_chunks("a", text, sents, max_chars=max_chars, overlap=overlap), sents, max_chars)
