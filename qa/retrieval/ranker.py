"""The learned sentence ranker: the probability that a candidate sentence answers the question.

A logistic regression over :func:`~qa.retrieval.features.features`, exported per embedding model
to ``weights/<model>/ranker.json`` by the training code (``qa/training``), optionally followed by a
Platt calibration. Pure numpy at run time: ~150 candidates score in a few ms.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.retrieval.features import FEATURE_NAMES, Candidate, features
from qa.retrieval.weights import weights_path


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


class SentenceRanker:
    """Scores candidates with exported logistic-regression weights.

    JSON layout: ``{"model": "logreg", "features": [...], "mean": [...], "scale": [...],
    "coef": [...], "intercept": b}``, optionally ``"calibration": [a, b]`` applied as
    ``sigmoid(a * logit + b)``.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        if tuple(spec["features"]) != FEATURE_NAMES:
            raise ValueError("ranker weights were trained on a different feature set; retrain (qa/training)")
        if spec.get("model", "logreg") != "logreg":
            raise ValueError(f"unknown ranker model {spec['model']!r}")
        cal = spec.get("calibration", [1.0, 0.0])
        self._cal_a, self._cal_b = float(cal[0]), float(cal[1])
        self._mean = np.asarray(spec["mean"], dtype=float)
        self._scale = np.asarray(spec["scale"], dtype=float)
        self._coef = np.asarray(spec["coef"], dtype=float)
        self._b = float(spec["intercept"])

    @classmethod
    def for_model(cls, model: str) -> SentenceRanker:
        """The weights trained on candidates scored by embedding model ``model``."""
        return cls.from_path(weights_path(model, "ranker"))

    @classmethod
    def from_path(cls, path: str | Path) -> SentenceRanker:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Raw (uncalibrated) model output for a feature matrix."""
        return np.asarray(((x - self._mean) / self._scale) @ self._coef + self._b)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for a feature matrix (one row per candidate)."""
        return sigmoid(self._cal_a * self.logits(x) + self._cal_b)

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """Probability, per candidate, that the sentence contains the answer to ``question``."""
        if not candidates:
            return np.zeros(0)
        return self.probabilities(features(question, candidates))
