"""Per-question metrics: answer text, citations, retrieval rank, abstention and grounding.

Every metric is defined in README "## Evaluation". Answer text is compared after SQuAD
normalisation adapted to German (see :func:`normalize_answer`). A cited or retrieved unit (a
sentence, or a chunk for the LangChain baseline) is *correct* when it holds the gold answer:
by offset when the gold answer's start offset is known (same article, ``start <= offset < end``),
else by normalised containment of an answer or evidence string (restricted to the gold article
when the question names one).
"""

from __future__ import annotations

import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.answering.markers import MARKER
from qa.text.stopwords import ARTICLES

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalize_answer(text: str) -> str:
    """SQuAD normalisation for German: NFKC, lowercase, ä→ae ö→oe ü→ue ß→ss, no punctuation,
    no German/English articles, single spaces. Applied to both sides, so "Straße" = "Strasse"."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_UMLAUTS)
    text = "".join(
        ch for ch in text if ch not in string.punctuation and not unicodedata.category(ch).startswith("P")
    )
    return " ".join(w for w in text.split() if w not in ARTICLES)


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def token_f1(prediction: str, golds: Sequence[str]) -> float:
    """The best SQuAD token F1 over the gold answers (bag-of-tokens overlap after normalisation)."""
    pred = normalize_answer(prediction).split()
    best = 0.0
    for gold in golds:
        ref = normalize_answer(gold).split()
        common = sum((Counter(pred) & Counter(ref)).values())
        if common:
            precision, recall = common / len(pred), common / len(ref)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_normalized(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as whole tokens, both normalised."""
    n = normalize_answer(needle)
    return bool(n) and f" {n} " in f" {normalize_answer(haystack)} "


@dataclass(frozen=True, slots=True)
class Unit:
    """A cited or retrieved span of an article: a sentence (newsqa, BM25) or a chunk (LangChain)."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Gold:
    """What a correct unit must hold; ``article_id`` is the gold article in the store, if known."""

    answers: tuple[str, ...]
    starts: tuple[int, ...] = ()
    evidence: tuple[str, ...] = ()
    article_id: str | None = None
    gold_spans: tuple[tuple[int, int], ...] = ()  # the gold sentences' offsets, for char precision


@dataclass(slots=True)
class Prediction:
    """What one system produced for one question, in system-neutral form."""

    text: str
    abstained: bool
    citations: list[Unit]
    ranked: list[Unit]
    retrieve_s: float = 0.0
    answer_s: float = 0.0
    support: list[bool] = field(default_factory=list)  # per claim: supported by its citations
    verification: dict | None = None  # LLM answers: sentences written, verified, markers written/shown
    fallback: str = ""  # the notice of an answer the configured answerer's fallback gave instead


def unit_correct(unit: Unit, gold: Gold) -> bool:
    """Whether ``unit`` holds the gold answer (by offset when known, else by containment)."""
    if gold.starts and gold.article_id:
        return unit.article_id == gold.article_id and any(unit.start <= s < unit.end for s in gold.starts)
    if gold.article_id and unit.article_id != gold.article_id:
        return False
    if gold.evidence:
        return any(
            contains_normalized(unit.text, e) or contains_normalized(e, unit.text) for e in gold.evidence
        )
    return any(contains_normalized(unit.text, a) for a in gold.answers)


def score(prediction: Prediction, gold: Gold) -> dict:
    """All per-question metrics; ``None`` where a metric does not apply to this question."""
    answerable = bool(gold.answers or gold.evidence)
    flags = [unit_correct(u, gold) for u in prediction.citations]
    rank = next((i + 1 for i, u in enumerate(prediction.ranked) if unit_correct(u, gold)), None)
    cited_chars = sum(u.end - u.start for u in prediction.citations)
    grounded = prediction.support
    check = prediction.verification or {}
    written = check.get("sentences", 0)
    out: dict = {
        "answerable": answerable,
        "abstained": prediction.abstained,
        "cited_chars": cited_chars,
        "grounded": sum(grounded) / len(grounded) if grounded else None,
        "verified": check["verified"] / written if written else None,
        "by_model": check["by_model"] / written if written else None,
        "aligned": check["aligned"] / written if written else None,
    }
    if not answerable:
        return out
    answer = "" if prediction.abstained else prediction.text
    answer_plain = MARKER.sub("", answer)
    out.update(
        em=exact_match(answer_plain, gold.answers) if gold.answers else None,
        f1=token_f1(answer_plain, gold.answers) if gold.answers else None,
        contains_gold=float(any(contains_normalized(answer_plain, a) for a in gold.answers))
        if gold.answers
        else None,
        citation_recall=float(any(flags)),
        answered_citation=None if prediction.abstained else float(any(flags)),
        citation_precision=sum(flags) / len(flags) if flags else None,
        char_precision=_char_precision(prediction.citations, gold),
        first_citation=float(bool(flags) and flags[0]),
        gold_rank=rank,
        rr=1.0 / rank if rank else 0.0,
    )
    for k in (1, 5, 20):
        out[f"hit@{k}"] = float(rank is not None and rank <= k)
    return out


def _char_precision(citations: Sequence[Unit], gold: Gold) -> float | None:
    """Share of cited characters inside the gold sentence(s); only when those are known by offset."""
    total = sum(u.end - u.start for u in citations)
    if not total or not gold.gold_spans or not gold.article_id:
        return None
    inside = sum(
        max(0, min(u.end, e) - max(u.start, s))
        for u in citations
        if u.article_id == gold.article_id
        for s, e in gold.gold_spans
    )
    return inside / total
