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

One rule stands beside the model: a question naming someone no candidate mentions ("Joe Biden",
or "Christoph Waltz" where the sources have another Christoph) is not in the sources, however well
the rest of it matches the story (``qa/retrieval/absent_names.py``). English questions have a
threshold of their own: their probabilities sit lower (few shared stems), and one cut for both
languages gives up answerable English questions to hold the German rate.

Everything works on the ranked ``Passage`` list the answerer already receives, and the token sets
are shared with the ranker's cache. The logistic weights live in
``qa/retrieval/weights/<model>/abstention.json``, trained by ``python -m qa.training.abstention``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.retrieval.absent_names import absent_names, found_name, name_skeletons, tokens_of
from qa.retrieval.cues import states_quantity, text_info
from qa.retrieval.features import question_type
from qa.retrieval.weights import weights_path
from qa.text.glossary import lexical_form
from qa.text.language import detect_language
from qa.text.names import name_words
from qa.text.stopwords import RANKER_STOP
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
    qtoks = text_info(lexical_form(question)).tokens  # German words for an English question's too
    x = {"en": en, "q_len": math.log1p(len(text_info(question).tokens))}
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
    near, article = set(tokens_of(top.text)), set(tokens_of(top.title))
    anywhere: set[str] = set()
    near |= article
    near_k: set[tuple[str, int]] = (
        set(name_skeletons(top.text)) | name_skeletons(top.title) if fuzzy else set()
    )
    article_k: set[tuple[str, int]] = set(name_skeletons(top.title)) if fuzzy else set()
    anywhere_k: set[tuple[str, int]] = set()
    for p in ranked:
        toks = tokens_of(p.text)
        anywhere |= toks
        anywhere |= tokens_of(p.title)
        keys = name_skeletons(p.text) | name_skeletons(p.title) if fuzzy else frozenset()
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
        x["names_near_top"] = sum(found_name(n, near, near_k if fuzzy else None) for n in names) / len(names)
        x["names_top_article"] = sum(
            found_name(n, article, article_k if fuzzy else None) for n in names
        ) / len(names)
        found_any = [found_name(n, anywhere, anywhere_k if fuzzy else None) for n in names]
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
