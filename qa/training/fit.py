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


def fit_listwise(
    xs: Sequence[np.ndarray],
    ys: Sequence[np.ndarray],
    l2: float = 1.0,
    weights: Sequence[float] | None = None,
) -> dict[str, Any]:
    """A ranker fitted to put a gold candidate first, exported as the logistic regression serving reads.

    The loss is each question's softmax over its candidates (the probability mass on its gold
    sentences): the ranker only has to order one question's candidates, and a pointwise fit spends
    its capacity on telling candidates of different questions apart. The scores are then calibrated
    into per-sentence probabilities by a one-feature logistic regression (Platt scaling), which folds
    into the exported coefficients: the order stays the listwise one, and the abstention model still
    reads probabilities. ``weights``: per question (default 1), e.g. to count the kind of question
    users ask more than the rest.
    """
    from scipy.optimize import minimize

    x = np.vstack(xs)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    y = np.concatenate(ys).astype(float)
    starts = np.cumsum([0] + [len(v) for v in ys[:-1]])
    question = np.repeat(np.arange(len(ys)), [len(v) for v in ys])
    qw = np.ones(len(ys)) if weights is None else np.asarray(weights, dtype=float)
    n = qw.sum()

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        s = s - np.maximum.reduceat(s, starts)[question]
        e = np.exp(s)
        p = e / np.add.reduceat(e, starts)[question]
        gold_mass = np.add.reduceat(p * y, starts)
        posterior = p * y / gold_mass[question]  # p restricted to the gold candidates
        grad = (qw[question] * (p - posterior)) @ z / n + l2 * w / n
        return float(-(qw * np.log(gold_mass + 1e-12)).sum() / n + 0.5 * l2 * w @ w / n), grad

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 1000}).x
    calibration = fit_logreg((z @ w)[:, None], y.astype(bool), 1.0)
    a = calibration["coef"][0] / calibration["scale"][0]
    return {
        "model": "logreg",
        "fit": "listwise softmax, Platt-calibrated",
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": (a * w).tolist(),
        "intercept": calibration["intercept"] - a * calibration["mean"][0],
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
