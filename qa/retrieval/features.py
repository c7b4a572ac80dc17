"""The ranker's features: what a candidate sentence shows about whether it answers the question.

Every column is computed under its name and stacked in :data:`FEATURE_NAMES` order, the order the
exported weights were trained in (a check refuses a missing or extra column). The groups:

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
  inflection the stemmer misses: "Staatsanwaltschaft" / "Generalstaatsanwaltschaft"), weighted by
  an IDF over the candidate set, also as gap to the best candidate and over sentence + neighbours;
  ``prox``: distinct question stems in the sentence over the shortest token span holding them all;
- ``art_*_best``: how far the candidate's article's best dense / BM25 / chunk / 4-gram score is from
  the best of all candidates (0 for the leading article): a sentence of the article the question is
  about outranks a closer-sounding one elsewhere;
- ``cov_lead_idf`` / ``cov_beyond_lead_idf``: the question's stems found in the sentence together
  with its article's lead and title, and those the sentence adds to them: an answer past the lead
  rarely repeats the names the lead already gave;
- ``focus`` / ``focus_art_gap``: the share of the question's focus noun ("Welche *Obergrenze*") in the
  sentence, and its gap to the best sentence of the same article;
- ``lead``, ``log_position``, ``quote``, ``says_x_quote``, ``codes_found``: where the sentence
  stands, whether it quotes someone (and the question asks what was said), exact codes found;
- ``en`` and ``en_x_*``: an English question over German sources, times the dense and BM25
  z-scores, names coverage and the columns its German words feed (``cov_idf``, ``cng_idf``,
  ``focus``: the lexical columns read the question's :func:`~qa.text.glossary.lexical_form`), so
  the fit can weigh them differently for it (``en`` alone is constant within a question, so the
  listwise fit gives it no weight).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from qa.retrieval.cues import (
    ASKS_SAYING,
    NUM,
    YEAR,
    TextInfo,
    grams,
    proximity,
    question_focus,
    question_grams,
    question_names,
    soft_match,
    text_info,
)
from qa.text.glossary import lexical_form
from qa.text.language import detect_language
from qa.text.stopwords import RANKER_STOP
from qa.text.tokens import tokens


@dataclass(slots=True)
class Candidate:
    """One candidate sentence with what the retriever knows about it.

    ``dense``: cosine of question and sentence embedding. ``dense_chunk``: max cosine of the question
    and the chunks containing the sentence. ``bm25``: BM25 of the sentence. ``bm25_chunk``: max BM25
    of the chunks containing the sentence. ``prev_text`` / ``next_text``: the neighbouring sentences
    ("" at the edges). ``dense_prev`` / ``dense_next``: cosine of the question with the previous /
    next sentence's embedding (0.0 at an article edge); NaN when not known, then ``dense`` stands in.
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
    index: int = 0  # the sentence's position in its article (0: the lead)
    article_id: str = ""
    lead_text: str = ""


_Q_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "when",
        re.compile(
            r"\bwann\b|\b(in |seit |ab |bis )?welche[mnrs]? (jahr|jahrhundert|datum|zeit|monat|"
            r"tag|jahrzehnt|zeitraum|epoche)|\bwelches jahr|\bwie lange\b"
            r"|\bwhen\b|\b(what|which) (year|date|day|month|decade|century)\b|\bhow long\b"
        ),
    ),
    (
        "quant",
        re.compile(
            r"\bwie ?viel|\bwie (hoch|groß|gross|lang|alt|weit|schwer|oft|breit|tief|schnell|"
            r"stark|teuer)\b|\bprozent|\banzahl\b|\bwelche[rnms]? (anteil|prozentsatz|betrag|"
            r"summe|höhe|zahl)"
            r"|\bhow (many|much|high|big|large|old|far|heavy|often|fast|tall|deep|expensive)\b"
            r"|\bpercent|\b(what|which) (share|percentage|proportion|price|amount|sum|number)\b"
        ),
    ),
    (
        "person",
        re.compile(
            r"^(wer|wem|wen|wessen)\b|\b(von|mit|für|an|gegen) (wem|wen)\b|\bwer\b|^(who|whom|whose)\b"
        ),
    ),
    (
        "place",
        re.compile(
            r"\b(wo|wohin|woher)\b|\bwelche[mnrs]? (stadt|land|staat|region|ort|gebiet|"
            r"kontinent|insel|fluss|land)|^where\b|\b(which|what) (city|country|town|region|place)\b"
        ),
    ),
    ("why", re.compile(r"\b(warum|weshalb|wieso|weswegen)\b|\bwas (war|ist) der grund\b|^why\b")),
    ("which", re.compile(r"\bwelche|\bwhich\b")),
    ("what", re.compile(r"^was\b|\bwas\b|^what\b")),
    ("how", re.compile(r"\bwie\b|^how\b")),
)
Q_TYPE_NAMES = tuple(name for name, _ in _Q_TYPES)

EN_INTERACTIONS = (
    "dense",
    "dense_z",
    "dense_chunk_z",
    "bm25_z",
    "bm25_chunk_z",
    "names_cov",
    "cov_idf",
    "cng_idf",
    "focus",
)

FEATURE_NAMES: tuple[str, ...] = (
    # retrieval scores, raw and normalised within the question's candidate set
    *("dense", "dense_chunk", "bm25", "bm25_chunk"),
    *("dense_z", "dense_chunk_z", "bm25_z", "bm25_chunk_z"),
    *("dense_gap", "dense_chunk_gap", "bm25_rel", "bm25_chunk_rel", "dense_rrank", "bm25_rrank"),
    # neighbours
    *("dense_nb_max", "dense_nb_z"),
    # lexical overlap (IDF over the candidate set)
    *("cov", "cov_idf", "cov_idf_gap", "cov_ctx_idf", "cov_prev_idf", "cov_next_idf"),
    *("bigram", "novel", "log_len", "title_q"),
    # answer-type cues
    *("new_num", "new_year", "month", "measure", "new_caps", "cause"),
    *(f"q_{n}" for n in Q_TYPE_NAMES),
    *("when_x_date", "quant_x_num", "quant_x_measure", "person_x_caps", "place_x_caps", "why_x_cause"),
    "q_len",
    # question names / nouns: found in sentence + neighbours + title; share found in no candidate
    *("names_cov", "names_missing"),
    # character 4-gram (compound / inflection tolerant) matching and term proximity
    *("cng_idf", "cng_gap", "cng_ctx_idf", "prox"),
    # the candidate's article against the best one; what the sentence adds to its lead; the focus noun
    *("art_dense_best", "art_bm25_best", "art_chunk_best", "art_cng_best"),
    *("cov_lead_idf", "cov_beyond_lead_idf", "focus", "focus_art_gap"),
    # where the sentence stands, and whether it quotes someone
    *("lead", "log_position", "quote", "says_x_quote"),
    # codes and numbers the question names ("A380", "Nummer4x0", "2005") found exactly
    "codes_found",
    # an English question over German sources leans on the dense scores and names, not on stems
    "en",
    *(f"en_x_{name}" for name in EN_INTERACTIONS),
)


def question_type(question: str) -> dict[str, float]:
    """One-hot of the question's answer type (first matching pattern wins; all zero if none)."""
    q = question.lower().strip()
    first = next((name for name, pat in _Q_TYPES if pat.search(q)), None)
    return {name: float(name == first) for name in Q_TYPE_NAMES}


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def _rrank(x: np.ndarray) -> np.ndarray:
    """1 / (1 + rank) of each value within the set (rank 0 = largest)."""
    order = np.argsort(-x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    return 1.0 / (1.0 + r)


def _ratio_to_best(x: np.ndarray) -> np.ndarray:
    return x / x.max() if x.max() > 0 else np.zeros_like(x)


def features(question: str, candidates: Sequence[Candidate]) -> np.ndarray:
    """The ranker's feature matrix, one row per candidate, columns in ``FEATURE_NAMES`` order."""
    if not candidates:
        return np.zeros((0, len(FEATURE_NAMES)))
    columns = _columns(question, candidates)
    if columns.keys() != set(FEATURE_NAMES):
        raise RuntimeError(
            f"feature columns disagree with FEATURE_NAMES: {set(FEATURE_NAMES) ^ columns.keys()}"
        )
    n = len(candidates)
    return np.column_stack(
        [np.broadcast_to(np.asarray(columns[k], dtype=float), (n,)) for k in FEATURE_NAMES]
    )


def _columns(question: str, candidates: Sequence[Candidate]) -> dict[str, np.ndarray | float]:
    n = len(candidates)
    lexical_question = lexical_form(question)  # an English question's stems meet German ones too
    qtoks = tokens(lexical_question)
    qset = set(qtoks) - RANKER_STOP or set(qtoks)
    infos = [text_info(c.sentence_text) for c in candidates]
    col: dict[str, np.ndarray | float] = {}

    dense = np.array([c.dense for c in candidates], dtype=float)
    for name in ("dense", "dense_chunk", "bm25", "bm25_chunk"):
        values = dense if name == "dense" else np.array([getattr(c, name) for c in candidates], dtype=float)
        col[name], col[f"{name}_z"] = values, _z(values)
    col["dense_gap"] = dense - dense.max()
    col["dense_chunk_gap"] = col["dense_chunk"] - np.max(col["dense_chunk"])
    col["bm25_rel"] = _ratio_to_best(np.asarray(col["bm25"]))
    col["bm25_chunk_rel"] = _ratio_to_best(np.asarray(col["bm25_chunk"]))
    col["dense_rrank"] = _rrank(dense)
    col["bm25_rrank"] = _rrank(np.asarray(col["bm25"]))
    nb = np.array([max(_or(c.dense_prev, c.dense), _or(c.dense_next, c.dense)) for c in candidates])
    col["dense_nb_max"] = nb
    col["dense_nb_z"] = (nb - dense.mean()) / dense.std() if dense.std() > 1e-9 else 0.0

    idf = _candidate_idf(qset, [inf.tset for inf in infos])
    col.update(_lexical(question, qtoks, qset, idf, candidates, infos))
    qt = question_type(question)
    col.update({f"q_{name}": v for name, v in qt.items()})
    col["when_x_date"] = qt["when"] * np.maximum(col["new_year"], col["month"])
    col["quant_x_num"] = qt["quant"] * np.asarray(col["new_num"])
    col["quant_x_measure"] = qt["quant"] * np.asarray(col["measure"])
    col["person_x_caps"] = qt["person"] * np.asarray(col["new_caps"])
    col["place_x_caps"] = qt["place"] * np.asarray(col["new_caps"])
    col["why_x_cause"] = qt["why"] * np.asarray(col["cause"])
    col["q_len"] = math.log1p(len(tokens(question)))
    col.update(_char_grams(lexical_question, candidates, n))
    col.update(_article_columns(question, qset, idf, candidates, infos, col))
    col["prox"] = np.array([proximity(inf.tokens, qset) for inf in infos])
    positions = np.array([c.index for c in candidates], dtype=float)
    col["lead"] = (positions == 0).astype(float)
    col["log_position"] = np.log1p(positions)
    col["quote"] = np.array([1.0 if inf.quote else 0.0 for inf in infos])
    codes = {t for t in qset if any(ch.isdigit() for ch in t)}
    col["codes_found"] = np.array([len(codes & inf.tset) / len(codes) if codes else 0.0 for inf in infos])
    col["says_x_quote"] = (1.0 if ASKS_SAYING.search(question) else 0.0) * np.asarray(col["quote"])
    col["en"] = 1.0 if detect_language(question) == "en" else 0.0
    col.update({f"en_x_{name}": col["en"] * np.asarray(col[name]) for name in EN_INTERACTIONS})
    return col


def _or(value: float, default: float) -> float:
    return default if math.isnan(value) else value


def _article_max(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per candidate, the largest of ``values`` among the candidates of its article."""
    best = np.full(group.max() + 1, -np.inf)
    np.maximum.at(best, group, values)
    return best[group]


def _article_columns(
    question: str,
    qset: set[str],
    idf: dict[str, float],
    candidates: Sequence[Candidate],
    infos: Sequence[TextInfo],
    col: dict[str, np.ndarray | float],
) -> dict[str, np.ndarray | float]:
    """``art_*_best`` and ``focus*`` (from the columns computed so far) and the lead coverage."""
    group = np.unique([c.article_id for c in candidates], return_inverse=True)[1]
    out: dict[str, np.ndarray | float] = {}
    sources = (("dense", "dense"), ("bm25", "bm25_z"), ("chunk", "dense_chunk"), ("cng", "cng_idf"))
    for name, source in sources:
        values = np.broadcast_to(np.asarray(col[source], dtype=float), (len(candidates),))
        out[f"art_{name}_best"] = _article_max(values, group) - values.max()
    focus = question_focus(question)
    share = np.array([len(focus & grams(c.sentence_text)) / len(focus) if focus else 0.0 for c in candidates])
    out["focus"], out["focus_art_gap"] = share, share - _article_max(share, group)
    total = sum(idf.values()) or 1.0
    with_lead, beyond = [], []
    for c, inf in zip(candidates, infos, strict=True):
        own = qset & inf.tset
        known = text_info(c.lead_text).tset | text_info(c.title).tset
        with_lead.append(sum(idf[t] for t in own | (qset & known)) / total)
        beyond.append(sum(idf[t] for t in own - known) / total)
    out["cov_lead_idf"], out["cov_beyond_lead_idf"] = np.array(with_lead), np.array(beyond)
    return out


def _candidate_idf(qset: set[str], tsets: Sequence[frozenset[str]]) -> dict[str, float]:
    """IDF of each question stem over the candidate set (a stem in every candidate tells none apart)."""
    n = len(tsets)
    return {t: math.log((n + 1) / (sum(t in ts for ts in tsets) + 0.5)) for t in qset}


def _lexical(
    question: str,
    qtoks: Sequence[str],
    qset: set[str],
    idf: dict[str, float],
    candidates: Sequence[Candidate],
    infos: Sequence[TextInfo],
) -> dict[str, np.ndarray | float]:
    """Overlap of the question's stems with each candidate, its neighbours and title, and answer cues."""
    n = len(candidates)
    qbig = set(pairwise(qtoks))
    q_nums = set(NUM.findall(question))
    q_years = {m.group(0) for m in YEAR.finditer(question)}
    q_names = question_names(question)
    seen: set[str] = set()
    for inf in infos:
        seen |= q_names & inf.tset
    idf_sum = sum(idf.values()) or 1.0
    nq = len(qset) or 1

    def cov_idf(tset: frozenset[str] | set[str]) -> float:
        return sum(idf[t] for t in qset & tset) / idf_sum

    names: tuple[str, ...] = (
        "cov",
        "cov_idf",
        "cov_ctx_idf",
        "cov_prev_idf",
        "cov_next_idf",
        "bigram",
        "novel",
        "log_len",
    )
    names += ("title_q", "new_num", "new_year", "month", "measure", "new_caps", "cause", "names_cov")
    rows = np.zeros((n, len(names)))
    empty: frozenset[str] = frozenset()
    for i, c in enumerate(candidates):
        inf = infos[i]
        ss = inf.tset
        ps = text_info(c.prev_text).tset if c.prev_text else empty
        ns = text_info(c.next_text).tset if c.next_text else empty
        ts = text_info(c.title).tset if c.title else empty
        ctx = ss | ps | ns
        caps = [w for w in inf.cap_stems if w not in qset]
        rows[i] = (
            len(qset & ss) / nq,
            cov_idf(ss),
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
            len(q_names & (ctx | ts)) / len(q_names) if q_names else 0.0,
        )
    out: dict[str, np.ndarray | float] = {name: rows[:, j] for j, name in enumerate(names)}
    out["cov_idf_gap"] = rows[:, 1] - rows[:, 1].max()
    out["names_missing"] = len(q_names - seen) / len(q_names) if q_names else 0.0
    return out


def _char_grams(question: str, candidates: Sequence[Candidate], n: int) -> dict[str, np.ndarray | float]:
    """``cng_*``: per question word, the share of its 4-grams in the sentence (and neighbours),
    IDF-weighted over the candidates."""
    wg = question_grams(question)
    if not wg:
        return {"cng_idf": 0.0, "cng_gap": 0.0, "cng_ctx_idf": 0.0}
    memo: dict[str, list[int]] = {}
    wlen = np.array([len(w) for w in wg], dtype=float)
    m = soft_match(wg, [c.sentence_text for c in candidates], memo) / wlen
    neighbours = np.maximum(
        soft_match(wg, [c.prev_text for c in candidates], memo),
        soft_match(wg, [c.next_text for c in candidates], memo),
    )
    m_ctx = np.maximum(m, neighbours / wlen)
    widf = np.log((n + 1) / ((m >= 0.6).sum(axis=0) + 0.5))
    widf /= widf.sum() or 1.0
    cng = m @ widf
    return {"cng_idf": cng, "cng_gap": cng - cng.max(), "cng_ctx_idf": m_ctx @ widf}
