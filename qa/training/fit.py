"""Fitting and exporting the logistic regressions both models are, and scoring them by article folds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def fit_logreg(x: np.ndarray, y: np.ndarray, c: float, weight: np.ndarray | None = None) -> dict[str, Any]:
    """Standardised logistic regression as the JSON the serving models read (mean, scale, coef)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    return {
        "model": "logreg",
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
    }


def logits(spec: dict[str, Any], x: np.ndarray) -> np.ndarray:
    return np.asarray(
        ((x - np.asarray(spec["mean"])) / np.asarray(spec["scale"])) @ np.asarray(spec["coef"])
    ) + float(spec["intercept"])


def folds(groups: Sequence[str], k: int) -> list[np.ndarray]:
    """``k`` index arrays that never split a group (an article) across folds."""
    order = sorted(set(groups))
    fold_of = {g: i % k for i, g in enumerate(order)}
    assigned = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assigned == i) for i in range(k)]
