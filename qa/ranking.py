"""Learned extractive sentence ranker: which candidate sentence answers the question.

The retriever hands over a candidate set of sentences (union of the dense and BM25 top sentences and
the sentences of the top dense / BM25 chunks) with four retrieval scores each. This module turns
every candidate into a small feature vector (retrieval scores, their within-question normalisation,
lexical overlap with the question and with the neighbouring sentences, and answer-type cues such as
"Wann ...?" against a sentence holding a year that the question does not mention) and maps it
to a calibrated probability that the sentence holds the answer, with a tiny gradient-boosted tree
model (or a logistic regression) exported to ``qa/ranker_weights.json`` by ``bench/xquad_ranker.py``.

Pure numpy + PyStemmer at run time: scoring ~150 candidates takes a few milliseconds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import Stemmer

WEIGHTS_PATH = Path(__file__).with_name("ranker_weights.json")

_WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("german")


@lru_cache(maxsize=300_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lowercase ``\\w+`` tokens, each stemmed with the German Snowball stemmer.

    The same tokenizer the lexical (BM25) index uses, so question and index terms match.
    """
    return [_stem(w) for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=100_000)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text))


@dataclass(slots=True)
class Candidate:
    """One candidate sentence with what the retriever knows about it.

    ``dense``: cosine of question and sentence embedding. ``dense_chunk``: max cosine of the question
    and the chunks containing the sentence. ``bm25``: BM25 of the sentence (k1=1.5, b=0.75, stemmed
    ``tokenize`` tokens). ``bm25_chunk``: max BM25 of the chunks containing the sentence.
    ``prev_text`` / ``next_text``: the neighbouring sentences in the article ("" at the edges).
    ``dense_prev`` / ``dense_next`` (optional, cheap: the store holds every sentence embedding):
    cosine of the question with the previous / next sentence's embedding; NaN when not supplied
    (the neighbour at the article edge is 0.0), then the sentence's own ``dense`` stands in.
    """

    sentence_text: str
    prev_text: str
    next_text: str
    title: str
    dense: float
    dense_chunk: float
    bm25: float
    bm25_chunk: float
    dense_prev: float = math.nan
    dense_next: float = math.nan


# ---------------------------------------------------------------------------------------------
# Features

_STOP = frozenset(
    tokenize(
        "der die das den dem des ein eine einen einem einer eines und oder aber sowie als wie auch "
        "in im ins am an auf aus bei mit nach seit von vom vor zu zum zur um über unter durch für "
        "gegen ohne bis zwischen während wegen ist sind war waren wird werden wurde wurden worden "
        "hat haben hatte hatten sein seine seiner seinen ihr ihre ihren ihrer es er sie sich man "
        "nicht kein keine dass daß ob wenn so zwei noch nur sehr dies diese dieser dieses jener "
        "welche welcher welches welchem welchen wer wem wen wessen was wann wo wohin woher warum "
        "wieso weshalb viele vielen wieviel wie hoch lang groß alt gibt gab kann konnte können"
    )
)

_Q_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "when",
        re.compile(
            r"\bwann\b|\b(in |seit |ab |bis )?welche[mnrs]? (jahr|jahrhundert|datum|zeit|monat|"
            r"tag|jahrzehnt|zeitraum|epoche)|\bwelches jahr|\bwie lange\b"
        ),
    ),
    (
        "quant",
        re.compile(
            r"\bwie ?viel|\bwie (hoch|groß|gross|lang|alt|weit|schwer|oft|breit|tief|schnell|"
            r"stark|teuer)\b|\bprozent|\banzahl\b|\bwelche[rnms]? (anteil|prozentsatz|betrag|"
            r"summe|höhe|zahl)"
        ),
    ),
    ("person", re.compile(r"^(wer|wem|wen|wessen)\b|\b(von|mit|für|an|gegen) (wem|wen)\b|\bwer\b")),
    (
        "place",
        re.compile(
            r"\b(wo|wohin|woher)\b|\bwelche[mnrs]? (stadt|land|staat|region|ort|gebiet|"
            r"kontinent|insel|fluss|land)"
        ),
    ),
    ("why", re.compile(r"\b(warum|weshalb|wieso|weswegen)\b|\bwas (war|ist) der grund\b")),
    ("which", re.compile(r"\bwelche")),
    ("what", re.compile(r"^was\b|\bwas\b")),
    ("how", re.compile(r"\bwie\b")),
)
Q_TYPE_NAMES = tuple(name for name, _ in _Q_TYPES)

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"\b(1\d{3}|20\d{2})\b|\bJahrhundert")
_MONTH = re.compile(
    r"\b(Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)
_MEASURE = re.compile(
    r"%|\bProzent|\$|€|£|\bDollar|\bEuro|\bMillion|\bMilliard|\bPfund|\bkm\b|\bMeter|\bTonnen"
)
_CAUSE = re.compile(r"\b(weil|denn|aufgrund|wegen|daher|deshalb|dadurch|um zu|da)\b", re.IGNORECASE)
_CAP = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZÄÖÜ]\w+")


@dataclass(frozen=True, slots=True)
class _Info:
    """What the features need from one text, independent of the question (cached per text)."""

    tokens: tuple[str, ...]
    tset: frozenset[str]
    content: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    nums: frozenset[str]
    years: frozenset[str]
    month: bool
    measure: bool
    cause: bool
    cap_stems: tuple[str, ...]


@lru_cache(maxsize=100_000)
def _info(text: str) -> _Info:
    toks = _tokens(text)
    tset = frozenset(toks)
    return _Info(
        tokens=toks,
        tset=tset,
        content=tset - _STOP,
        bigrams=frozenset(pairwise(toks)),
        nums=frozenset(_NUM.findall(text)),
        years=frozenset(m.group(0) for m in _YEAR.finditer(text)),
        month=bool(_MONTH.search(text)),
        measure=bool(_MEASURE.search(text)),
        cause=bool(_CAUSE.search(text)),
        cap_stems=tuple(_stem(w.lower()) for w in _CAP.findall(text)),
    )


@lru_cache(maxsize=100_000)
def _grams(text: str) -> frozenset[str]:
    """Character 4-grams of the lowercased ``\\w+`` words of ``text``, each word padded with ``#``."""
    out: set[str] = set()
    for w in _WORD.findall(text.lower()):
        w = f"#{w}#"
        out.update(w[i : i + 4] for i in range(len(w) - 3))
    return frozenset(out)


@lru_cache(maxsize=20_000)
def _question_grams(question: str) -> tuple[frozenset[str], ...]:
    """4-gram sets of the question's distinct content words of 4+ letters (as ``_grams`` pads them)."""
    out: dict[str, frozenset[str]] = {}
    for w in _WORD.findall(question.lower()):
        if len(w) >= 4 and w not in out and _stem(w) not in _STOP:
            p = f"#{w}#"
            out[w] = frozenset(p[i : i + 4] for i in range(len(p) - 3))
    return tuple(out.values())


def _soft_match(
    wgrams: Sequence[frozenset[str]], texts: Sequence[str], memo: dict[str, list[int]]
) -> np.ndarray:
    """Per text and question word, the number of the word's 4-grams found in the text (divide by the
    word's 4-gram count for the share: 1.0 for the word or a compound holding it, e.g.
    "Staatsanwaltschaft" in "Generalstaatsanwaltschaft"; high for inflections). ``memo`` caches
    the counts per text within one question (neighbours are often candidates too)."""
    out = []
    for text in texts:
        hit = memo.get(text)
        if hit is None:
            g = _grams(text) if text else frozenset()
            hit = memo[text] = [len(w & g) for w in wgrams]
        out.append(hit)
    return np.array(out, dtype=float)


def _proximity(tokens: Sequence[str], qset: set[str]) -> float:
    """Distinct question stems in the sentence / length of the shortest token span holding all of
    them (1.0: adjacent); one matched stem scores ``1 / len(qset)``, none 0."""
    pos = [k for k, t in enumerate(tokens) if t in qset]
    need = len({tokens[k] for k in pos})
    if need <= 1:
        return need / max(1, len(qset))
    cnt: dict[str, int] = {}
    have = lo = 0
    best = len(tokens)
    for hi in pos:
        t = tokens[hi]
        cnt[t] = cnt.get(t, 0) + 1
        have += cnt[t] == 1
        while have == need:
            best = min(best, hi - pos[lo] + 1)
            t0 = tokens[pos[lo]]
            cnt[t0] -= 1
            have -= cnt[t0] == 0
            lo += 1
    return need / best


def _names(question: str) -> set[str]:
    """Stems of the question's capitalised words after its first word (names and nouns), minus stopwords."""
    return {_stem(w.lower()) for w in _CAP.findall(question)} - _STOP


FEATURE_NAMES: tuple[str, ...] = (
    # retrieval scores, raw
    "dense",
    "dense_chunk",
    "bm25",
    "bm25_chunk",
    # within-question normalisation over the candidate set
    "dense_z",
    "dense_chunk_z",
    "bm25_z",
    "bm25_chunk_z",
    "dense_gap",
    "dense_chunk_gap",
    "bm25_rel",
    "bm25_chunk_rel",
    "dense_rrank",
    "bm25_rrank",
    # neighbours
    "dense_nb_max",
    "dense_nb_z",
    # lexical overlap (IDF over the candidate set)
    "cov",
    "cov_idf",
    "cov_idf_gap",
    "cov_ctx_idf",
    "cov_prev_idf",
    "cov_next_idf",
    "bigram",
    "novel",
    "log_len",
    "title_q",
    # answer-type cues
    "new_num",
    "new_year",
    "month",
    "measure",
    "new_caps",
    "cause",
    *(f"q_{n}" for n in Q_TYPE_NAMES),
    "when_x_date",
    "quant_x_num",
    "quant_x_measure",
    "person_x_caps",
    "place_x_caps",
    "why_x_cause",
    "q_len",
    # question names / nouns: found in sentence + neighbours + title; share found in no candidate
    "names_cov",
    "names_missing",
    # character 4-gram (compound / inflection tolerant) matching and term proximity
    "cng_idf",
    "cng_gap",
    "cng_ctx_idf",
    "prox",
)


def question_type(question: str) -> np.ndarray:
    """One-hot of the question's answer type (first matching pattern wins; all zero if none)."""
    q = question.lower().strip()
    out = np.zeros(len(_Q_TYPES))
    for i, (_, pat) in enumerate(_Q_TYPES):
        if pat.search(q):
            out[i] = 1.0
            break
    return out


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def _rrank(x: np.ndarray) -> np.ndarray:
    """1 / (1 + rank) of each value within the set (rank 0 = largest)."""
    order = np.argsort(-x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    return 1.0 / (1.0 + r)


def features(question: str, candidates: Sequence[Candidate]) -> np.ndarray:
    """The ranker's feature matrix, one row per candidate, columns as in ``FEATURE_NAMES``.

    - retrieval scores (``dense``, ``dense_chunk``, ``bm25``, ``bm25_chunk``) raw, z-scored over the
      candidate set, as gap to / ratio of the best candidate, and as reciprocal rank;
    - ``dense_nb_*``: the better cosine of the previous / next sentence (answers often sit next to
      the sentence that repeats the question's words);
    - ``cov*``: share of the question's content stems in the sentence (plain, IDF-weighted with IDF
      computed over the candidate set, in sentence+neighbours, in each neighbour), question stem
      bigrams found in the sentence, share of sentence stems new to the question (``novel``),
      sentence length, share of question stems in the title;
    - answer-type cues: the sentence holds a number / year / month / measure / capitalised word that
      the question lacks, a causal connective; the question's type (``q_when`` ... ``q_how``), and
      their products (``when_x_date`` ...);
    - ``names_cov``: share of the question's capitalised words (names, nouns) found in the sentence,
      its neighbours or the title; ``names_missing``: share found in no candidate at all (a question
      about someone the sources never mention);
    - ``cng_*``: character 4-gram matching of the question's content words (German compounds and
      inflection the stemmer misses: "Staatsanwaltschaft" / "Generalstaatsanwaltschaft",
      "verteidigte" / "Verteidigung"): per word the share of its 4-grams in the sentence, weighted by
      an IDF over the candidate set (a word counts as present at >= 0.6), also as gap to the best
      candidate and over sentence + neighbours (per word the best of the three); ``prox``: distinct
      question stems in the sentence over the shortest token span holding them all.
    """
    n = len(candidates)
    nf = len(FEATURE_NAMES)
    if n == 0:
        return np.zeros((0, nf))
    qtoks = _tokens(question)
    qset = set(qtoks) - _STOP or set(qtoks)
    qbig = set(pairwise(qtoks))
    q_nums = set(_NUM.findall(question))
    q_years = {m.group(0) for m in _YEAR.finditer(question)}
    q_names = _names(question)

    infos = [_info(c.sentence_text) for c in candidates]
    df = dict.fromkeys(qset, 0)
    seen: set[str] = set()
    for inf in infos:
        for t in qset & inf.tset:
            df[t] += 1
        seen |= q_names & inf.tset
    idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
    idf_sum = sum(idf.values()) or 1.0
    nq = len(qset) or 1
    names_missing = len(q_names - seen) / len(q_names) if q_names else 0.0

    def cov_idf(tset: frozenset[str] | set[str]) -> float:
        return sum(idf[t] for t in qset & tset) / idf_sum

    dense = np.array([c.dense for c in candidates], dtype=float)
    dense_chunk = np.array([c.dense_chunk for c in candidates], dtype=float)
    bm25 = np.array([c.bm25 for c in candidates], dtype=float)
    bm25_chunk = np.array([c.bm25_chunk for c in candidates], dtype=float)
    nb = np.array(
        [
            max(
                c.dense if math.isnan(c.dense_prev) else c.dense_prev,
                c.dense if math.isnan(c.dense_next) else c.dense_next,
            )
            for c in candidates
        ],
        dtype=float,
    )

    qt = question_type(question)
    rows = np.zeros((n, nf))
    lex = np.zeros((n, 16))
    names_cov = np.zeros(n)
    empty = frozenset()
    for i, c in enumerate(candidates):
        inf = infos[i]
        ss = inf.tset
        ps = _info(c.prev_text).tset if c.prev_text else empty
        ns = _info(c.next_text).tset if c.next_text else empty
        ts = _info(c.title).tset if c.title else empty
        ctx = ss | ps | ns
        caps = [w for w in inf.cap_stems if w not in qset]
        if q_names:
            names_cov[i] = len(q_names & (ctx | ts)) / len(q_names)
        lex[i] = (
            len(qset & ss) / nq,
            cov_idf(ss),
            0.0,
            cov_idf(ctx),
            cov_idf(ps),
            cov_idf(ns),
            len(qbig & inf.bigrams) / max(1, len(qbig)),
            len(inf.content - qset) / max(1, len(inf.content)),
            math.log1p(len(inf.tokens)),
            len(qset & ts) / nq,
            1.0 if inf.nums - q_nums else 0.0,
            1.0 if inf.years - q_years else 0.0,
            1.0 if inf.month else 0.0,
            1.0 if inf.measure else 0.0,
            min(len(caps), 5) / 5.0,
            1.0 if inf.cause else 0.0,
        )
    lex[:, 2] = lex[:, 1] - lex[:, 1].max()

    for j, col in enumerate((dense, dense_chunk, bm25, bm25_chunk)):
        rows[:, j] = col
        rows[:, j + 4] = _z(col)
    rows[:, 8] = dense - dense.max()
    rows[:, 9] = dense_chunk - dense_chunk.max()
    rows[:, 10] = bm25 / bm25.max() if bm25.max() > 0 else 0.0
    rows[:, 11] = bm25_chunk / bm25_chunk.max() if bm25_chunk.max() > 0 else 0.0
    rows[:, 12] = _rrank(dense)
    rows[:, 13] = _rrank(bm25)
    rows[:, 14] = nb
    rows[:, 15] = (nb - dense.mean()) / dense.std() if dense.std() > 1e-9 else 0.0
    rows[:, 16:32] = lex
    k = 32
    rows[:, k : k + len(qt)] = qt
    k += len(qt)
    when, quant, person, place, why = qt[0], qt[1], qt[2], qt[3], qt[4]
    new_num, new_year, month, measure, caps, cause = (lex[:, m] for m in range(10, 16))
    rows[:, k] = when * np.maximum(new_year, month)
    rows[:, k + 1] = quant * new_num
    rows[:, k + 2] = quant * measure
    rows[:, k + 3] = person * caps
    rows[:, k + 4] = place * caps
    rows[:, k + 5] = why * cause
    rows[:, k + 6] = math.log1p(len(qtoks))
    rows[:, k + 7] = names_cov
    rows[:, k + 8] = names_missing
    k += 9
    wg = _question_grams(question)
    if wg:
        memo: dict[str, list[int]] = {}
        wlen = np.array([len(w) for w in wg], dtype=float)
        m = _soft_match(wg, [c.sentence_text for c in candidates], memo) / wlen
        m_ctx = np.maximum(
            m,
            np.maximum(
                _soft_match(wg, [c.prev_text for c in candidates], memo),
                _soft_match(wg, [c.next_text for c in candidates], memo),
            )
            / wlen,
        )
        widf = np.log((n + 1) / ((m >= 0.6).sum(axis=0) + 0.5))
        widf /= widf.sum() or 1.0
        rows[:, k] = m @ widf
        rows[:, k + 1] = rows[:, k] - rows[:, k].max()
        rows[:, k + 2] = m_ctx @ widf
    rows[:, k + 3] = [_proximity(inf.tokens, qset) for inf in infos]
    return rows


# ---------------------------------------------------------------------------------------------
# Model


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


class SentenceRanker:
    """Scores candidates with the exported model: ``"logreg"`` or ``"gbdt"`` (depth-limited trees).

    JSON layout: ``{"model": "logreg", "features": [...], "mean": [...], "scale": [...],
    "coef": [...], "intercept": b}`` or ``{"model": "gbdt", "features": [...], "init": f0,
    "learning_rate": lr, "trees": [{"feature": [...], "threshold": [...], "left": [...],
    "right": [...], "value": [...]}, ...]}`` (sklearn's tree arrays; leaves have feature -2),
    optionally ``"calibration": [a, b]`` applied as ``sigmoid(a * logit + b)``.
    """

    def __init__(self, spec: dict) -> None:
        names = tuple(spec["features"])
        if names != FEATURE_NAMES:
            raise ValueError("ranker weights were trained on a different feature set; re-run the bench")
        self.spec = spec
        self.kind = spec["model"]
        cal = spec.get("calibration", [1.0, 0.0])
        self._cal_a, self._cal_b = float(cal[0]), float(cal[1])
        if self.kind == "logreg":
            self._mean = np.asarray(spec["mean"], dtype=float)
            self._scale = np.asarray(spec["scale"], dtype=float)
            self._coef = np.asarray(spec["coef"], dtype=float)
            self._b = float(spec["intercept"])
        elif self.kind == "gbdt":
            self._init = float(spec["init"])
            self._lr = float(spec["learning_rate"])
            self._trees = [
                (
                    np.asarray(t["feature"], dtype=np.int64),
                    np.asarray(t["threshold"], dtype=float),
                    np.asarray(t["left"], dtype=np.int64),
                    np.asarray(t["right"], dtype=np.int64),
                    np.asarray(t["value"], dtype=float),
                )
                for t in spec["trees"]
            ]
            self._depth = max(int(t.get("depth", 8)) for t in spec["trees"]) if spec["trees"] else 0
        else:
            raise ValueError(f"unknown ranker model {self.kind!r}")

    @classmethod
    def from_default(cls) -> SentenceRanker:
        return cls.from_path(WEIGHTS_PATH)

    @classmethod
    def from_path(cls, path: str | Path) -> SentenceRanker:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Raw (uncalibrated) model output for a feature matrix."""
        if self.kind == "logreg":
            return ((x - self._mean) / self._scale) @ self._coef + self._b
        x = x.astype(np.float32).astype(float)  # sklearn's trees compare float32 features
        out = np.full(len(x), self._init)
        rows = np.arange(len(x))
        for feat, thr, left, right, value in self._trees:
            node = np.zeros(len(x), dtype=np.int64)
            for _ in range(self._depth):
                f = feat[node]
                inner = f >= 0
                if not inner.any():
                    break
                go_left = x[rows, np.where(inner, f, 0)] <= thr[node]
                node = np.where(inner, np.where(go_left, left[node], right[node]), node)
            out += self._lr * value[node]
        return out

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """Probability, per candidate, that the sentence contains the answer to ``question``."""
        if not candidates:
            return np.zeros(0)
        z = self.logits(features(question, candidates))
        return _sigmoid(self._cal_a * z + self._cal_b)
