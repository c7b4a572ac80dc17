"""Should the extractive answerer answer at all? A question-level "is this in the sources" model.

The ranker's best probability alone is a fragile abstention signal: it is calibrated for "which
sentence answers", not for "does any sentence answer", so a question about someone the sources never
mention can still find a sentence at 0.05-0.1 (generic words match), while an answerable English
question over German sources may score only 0.03 (little lexical overlap). This module combines the
ranker's view with cheap question-level evidence into one probability that the question is
answerable from the candidates:

- the ranker: top probability and logit, its margin over the runner-up, the probability mass of all
  candidates, whether the top five agree on one article;
- name-like words of the question (capitalised, not the first word, not a question word): the share
  found near the top sentence, in the top sentence's article, in any candidate (a rare name that
  occurs anywhere in the store is always among the BM25 candidates, so "in no candidate" means "not
  in the store"), and how many are missing; a name also counts as found when its consonant skeleton
  matches ("Kyiv" in a question, "Kiew" in the source);
- content-word coverage of the top sentence and of all candidates;
- an amount question ("wie viele", "how much") none of whose three best candidates states an
  amount: the commonest "detail the article does not give";
- the question's language, alone and times the lexical features: an English question over German
  sources legitimately misses words ("Kyiv" against "Kiew") and must not be punished for it as hard.

One rule stands beside the model: a question naming someone by two capitalised words in a row
("Joe Biden", "Helene Fischer") that no candidate mentions is not in the sources, however well
the rest of it matches the story (:func:`absent_names`). English questions have a
threshold of their own: their probabilities sit lower (few shared stems), and one cut for both
languages gives up answerable English questions to hold the German rate.

Everything works on the ranked ``Passage`` list the answerer already receives, and the token sets
are shared with the ranker's cache. The logistic weights live in
``qa/retrieval/weights/<model>/abstention.json``, trained by ``python -m qa.training.abstention``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.retrieval.cues import states_quantity, text_info
from qa.retrieval.features import question_type
from qa.retrieval.weights import weights_path
from qa.text.language import detect_language
from qa.text.names import CAPITALISED, OFFICE_WORDS, name_words
from qa.text.stopwords import QUESTION_WORDS, RANKER_STOP
from qa.text.timewords import MONTHS_IN_QUESTIONS, PERIOD_WORDS, WEEKDAYS
from qa.text.tokens import WORD, stem
from qa.types import Passage

FEATURE_NAMES: tuple[str, ...] = (
    "top_p",
    "top_logit",
    "gap_logit",
    "log_mass",
    "same_article_top5",
    "has_names",
    "names_near_top",
    "names_top_article",
    "names_any",
    "names_missing_n",
    "cov_top",
    "cov_any",
    "en",
    "en_x_names_any",
    "en_x_cov_top",
    "en_x_top_logit",
    "q_len",
    "quant_unmet",
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


_DIGRAPHS = (
    ("tsch", "c"),
    ("sch", "s"),
    ("sh", "s"),
    ("zh", "s"),
    ("ch", "k"),
    ("kh", "k"),
    ("ck", "k"),
    ("ph", "f"),
)
_LETTERS = str.maketrans({"v": "w", "z": "s", "c": "k", "q": "k", "x": "ks"})
_VOWELS = re.compile(r"[aeiouyjhäöüàáâéèêíóôúß]+")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Consonant skeleton that survives German vs English transliteration of (mostly Slavic) names.

    "Kiew"/"Kyiv" -> "kw", "Medwedew"/"Medvedev" -> "mdwdw", "Selenskyj"/"Zelensky" -> "slnsk",
    "Charkiw"/"Kharkiv" -> "krkw": an English question about a name the German sources spell
    differently still finds it. A word-initial "h" is kept ("Hilfe" is not "Olaf"); skeletons
    shorter than two letters are not used.
    """
    s = word.lower()
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_LETTERS)
    s = s[:1] + _VOWELS.sub("", s[1:]) if s.startswith("h") else _VOWELS.sub("", s)
    return re.sub(r"(.)\1+", r"\1", s)


def _tokens(text: str) -> frozenset[str]:
    return text_info(text).tset  # the ranker's per-text cache: these texts were just ranked


@lru_cache(maxsize=100_000)
def _skeletons(text: str) -> frozenset[tuple[str, int]]:
    """``(skeleton, length)`` of the text's capitalised words: names are capitalised in the sources,
    and leaving out lower-case words keeps short skeletons from finding false friends."""
    words = (w.lower() for w in CAPITALISED.findall(text))
    return frozenset((k, len(w)) for w in words if len(k := skeleton(w)) >= 2)


def _found(name: tuple[str, str], stems: set[str], skeletons: set[tuple[str, int]] | None) -> bool:
    """Exact stem match, or (``skeletons`` given: English questions) a word of about the same
    length (+-2 letters) with the same consonant skeleton."""
    if name[0] in stems:
        return True
    if skeletons is None:
        return False
    k, n = skeleton(name[1]), len(name[1])
    return len(k) >= 2 and any((k, m) in skeletons for m in range(n - 2, n + 3))


_CAPITALISED_RUN = re.compile(r"[A-ZÄÖÜ][\w'-]*(?:\s+[A-ZÄÖÜ][\w'-]*)+")
_NOT_NAMES = QUESTION_WORDS | RANKER_STOP | set(MONTHS_IN_QUESTIONS) | WEEKDAYS | PERIOD_WORDS | OFFICE_WORDS
"""Capitalised words that are not names: "Sie", "Ende Juli", "Montag", "White House" end a run."""


def absent_names(question: str, passages: Sequence[Passage]) -> list[str]:
    """Names of two or more capitalised words in a row that no candidate mentions.

    A run of capitalised words ("Bundeskanzler Olaf Scholz", "US-Präsident Joe Biden") counts as
    absent from the words after its last mentioned one: "Joe Biden" when only "US-Präsident" is
    found, nothing when "Scholz" is (a title or a first name the sources leave out is no sign the
    person is missing). The question's first word (capitalised for grammar) and words that are no
    names ("Sie", months, weekdays, "Ende", English office words) are left out. A word is
    mentioned when a candidate has its stem, one of its hyphenated parts, its name without a
    genitive s ("Odingas"), or, for an English question, a word with the same consonant skeleton
    of four or more letters ("Medvedev" for "Medwedew"; shorter skeletons find false friends among
    German nouns). A rare name stored anywhere is among the BM25 candidates, so "in no candidate"
    means "not stored"."""
    fuzzy = detect_language(question) == "en"
    stems: set[str] = set()
    skeletons: set[tuple[str, int]] = set()
    for p in passages:
        stems |= _tokens(p.text) | _tokens(p.title)
        if fuzzy:
            skeletons |= _skeletons(p.text) | _skeletons(p.title)

    def mentioned(word: str) -> bool:
        parts = WORD.findall(word.lower())
        parts += [w[:-1] for w in parts if w.endswith("s") and len(w) > 3]  # genitive: "Odingas"
        return any(
            stem(w) in stems or (fuzzy and len(skeleton(w)) >= 4 and _found((stem(w), w), stems, skeletons))
            for w in parts
        )

    absent = []
    for m in _CAPITALISED_RUN.finditer(question):
        words = m.group(0).split()
        if not question[: m.start()].strip():
            words = words[1:]  # the question's first word
        runs: list[list[str]] = [[]]
        for word in words:
            if word.lower() in _NOT_NAMES:
                runs.append([])
            else:
                runs[-1].append(word)
        for run in runs:
            last = max((k for k, word in enumerate(run) if mentioned(word)), default=-1)
            if len(run) - last - 1 >= 2:
                absent.append(" ".join(run[last + 1 :]))
    return absent


def question_features(question: str, passages: Sequence[Passage]) -> np.ndarray:
    """The feature vector (``FEATURE_NAMES`` order) for a question and its ranked candidates."""
    x = _named_features(question, sorted(passages, key=lambda p: p.score, reverse=True))
    if x.keys() != set(FEATURE_NAMES):
        raise RuntimeError(
            f"abstention features disagree with FEATURE_NAMES: {set(FEATURE_NAMES) ^ x.keys()}"
        )
    return np.array([x[name] for name in FEATURE_NAMES])


def _named_features(question: str, ranked: Sequence[Passage]) -> dict[str, float]:
    en = 1.0 if detect_language(question) == "en" else 0.0
    qtoks = text_info(question).tokens
    x = {"en": en, "q_len": math.log1p(len(qtoks))}
    if not ranked:
        x.update(dict.fromkeys(FEATURE_NAMES, 0.0) | x)
        x["top_logit"] = _logit(0.0)
        x["log_mass"] = math.log(1e-6)
        x["en_x_top_logit"] = en * x["top_logit"]
        return x
    top = ranked[0]
    p1 = top.score
    p2 = ranked[1].score if len(ranked) > 1 else 0.0
    x["top_p"] = p1
    x["top_logit"] = _logit(p1)
    x["gap_logit"] = _logit(p1) - _logit(p2)
    x["log_mass"] = math.log(max(sum(p.score for p in ranked), 1e-6))
    top5 = ranked[:5]
    x["same_article_top5"] = sum(p.article_id == top.article_id for p in top5) / len(top5)

    # Skeleton matching only for English questions: German ones spell names as the sources do, and
    # short skeletons ("Müller" -> "mlr") would find false friends.
    fuzzy = en > 0
    near, article = set(_tokens(top.text)), set(_tokens(top.title))
    anywhere: set[str] = set()
    near |= article
    near_k: set[tuple[str, int]] = set(_skeletons(top.text)) | _skeletons(top.title) if fuzzy else set()
    article_k: set[tuple[str, int]] = set(_skeletons(top.title)) if fuzzy else set()
    anywhere_k: set[tuple[str, int]] = set()
    for p in ranked:
        toks = _tokens(p.text)
        anywhere |= toks
        anywhere |= _tokens(p.title)
        keys = _skeletons(p.text) | _skeletons(p.title) if fuzzy else frozenset()
        anywhere_k |= keys
        if p.article_id == top.article_id:
            article |= toks
            article_k |= keys
            if abs(p.sentence_index - top.sentence_index) == 1:
                near |= toks
                near_k |= keys

    names = name_words(question)
    x["has_names"] = 1.0 if names else 0.0
    if names:
        x["names_near_top"] = sum(_found(n, near, near_k if fuzzy else None) for n in names) / len(names)
        x["names_top_article"] = sum(_found(n, article, article_k if fuzzy else None) for n in names) / len(
            names
        )
        found_any = [_found(n, anywhere, anywhere_k if fuzzy else None) for n in names]
        x["names_any"] = sum(found_any) / len(names)
        x["names_missing_n"] = min(3, len(names) - sum(found_any))
    else:
        x["names_near_top"] = x["names_top_article"] = x["names_any"] = 1.0  # nothing to miss
        x["names_missing_n"] = 0.0
    content = set(qtoks) - RANKER_STOP
    x["cov_top"] = len(content & near) / len(content) if content else 1.0
    x["cov_any"] = len(content & anywhere) / len(content) if content else 1.0
    x["en_x_names_any"] = en * x["names_any"]
    x["en_x_cov_top"] = en * x["cov_top"]
    x["en_x_top_logit"] = en * x["top_logit"]
    x["quant_unmet"] = _quant_unmet(question, ranked)
    return x


def _quant_unmet(question: str, ranked: Sequence[Passage]) -> float:
    """1 when the question asks for an amount and none of the three best candidates states one:
    the news set's "detail the article does not give" is most often a number the story lacks,
    while an answerable amount question nearly always has one among the top three."""
    if not question_type(question)["quant"]:
        return 0.0
    return 0.0 if any(states_quantity(p.text, question) for p in ranked[:3]) else 1.0


class AbstentionModel:
    """Logistic regression over ``question_features``: probability that the sources answer.

    JSON layout: ``{"features": [...], "mean": [...], "scale": [...], "coef": [...], "intercept": b,
    "threshold": t, "threshold_en": t_en}``; the thresholds are chosen by cross-validation with the
    weights, so retraining moves them together (``Settings.abstain_below`` overrides both).
    """

    def __init__(self, spec: dict) -> None:
        if tuple(spec["features"]) != FEATURE_NAMES:
            raise ValueError("abstention weights were trained on a different feature set; re-train")
        self._mean = np.asarray(spec["mean"], dtype=float)
        self._scale = np.asarray(spec["scale"], dtype=float)
        self._coef = np.asarray(spec["coef"], dtype=float)
        self._b = float(spec["intercept"])
        self.threshold = float(spec.get("threshold", 0.5))
        self.threshold_en = float(spec.get("threshold_en", self.threshold))

    def threshold_for(self, question: str) -> float:
        """The trained cut for the question's language."""
        return self.threshold_en if detect_language(question) == "en" else self.threshold

    @classmethod
    def for_model(cls, model: str) -> AbstentionModel:
        """The weights trained on candidates scored by embedding model ``model``."""
        return cls.from_path(weights_path(model, "abstention"))

    @classmethod
    def from_path(cls, path: str | Path) -> AbstentionModel:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def logit(self, x: np.ndarray) -> np.ndarray | float:
        """Raw model output for one feature vector or a matrix of them."""
        return ((x - self._mean) / self._scale) @ self._coef + self._b

    def probability_answerable(self, question: str, passages: Sequence[Passage]) -> float:
        """Probability that ``passages`` (the retriever's ranked candidates) answer ``question``;
        no candidates answer nothing, nor do they when the question names someone none mentions."""
        if not passages or absent_names(question, passages):
            return 0.0
        z = float(self.logit(question_features(question, passages)))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
