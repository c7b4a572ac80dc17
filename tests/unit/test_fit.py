"""The listwise ranker fit: it orders within a question, and its export is a calibrated logreg."""

from __future__ import annotations

import numpy as np

from qa.training.fit import fit_listwise, fit_logreg, logits


def _questions(rng: np.random.Generator, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Feature 0 is largest for the gold within its question (each question shifted by its own
    offset); feature 1 is noise within a question but high for all candidates of questions with few
    candidates, where a candidate is more often gold: a pointwise fit learns it, a ranker must not."""
    xs, ys = [], []
    for _ in range(n):
        few = bool(rng.integers(2))
        k = 2 if few else 20
        x = rng.normal(size=(k, 2))
        x[:, 0] += rng.normal(scale=3.0)
        x[:, 1] += 3.0 if few else -3.0
        y = np.zeros(k, dtype=bool)
        y[np.argmax(x[:, 0])] = True
        xs.append(x)
        ys.append(y)
    return xs, ys


def _hit_at_1(spec: dict, xs: list[np.ndarray], ys: list[np.ndarray]) -> float:
    return float(np.mean([y[np.argmax(logits(spec, x))] for x, y in zip(xs, ys, strict=True)]))


def test_the_listwise_fit_orders_within_a_question_and_reads_as_probabilities() -> None:
    rng = np.random.default_rng(0)
    xs, ys = _questions(rng, 300)
    test_x, test_y = _questions(rng, 300)
    listwise = fit_listwise(xs, ys)
    pointwise = fit_logreg(np.vstack(xs), np.concatenate(ys), 0.5)
    assert listwise["model"] == "logreg" and len(listwise["coef"]) == 2
    assert _hit_at_1(listwise, test_x, test_y) >= 0.9
    assert _hit_at_1(listwise, test_x, test_y) > _hit_at_1(pointwise, test_x, test_y) + 0.05
    # calibrated: the mean probability is about the share of gold candidates
    p = 1 / (1 + np.exp(-np.concatenate([logits(listwise, x) for x in xs])))
    assert abs(p.mean() - np.concatenate(ys).mean()) < 0.02


def _kind(rng: np.random.Generator, n: int, gold_on: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Questions of 10 candidates whose gold is largest on feature ``gold_on`` (the other is noise)."""
    xs = [rng.normal(size=(10, 2)) for _ in range(n)]
    ys = [np.arange(10) == np.argmax(x[:, gold_on] + 0.5 * rng.normal(size=10)) for x in xs]
    return xs, ys


def test_question_weights_pull_the_fit_towards_the_weighted_kind() -> None:
    """Two kinds of question disagree on which feature finds the gold: weighting one kind makes the
    fit follow it (news questions count more than XQuAD's in the shipped ranker)."""
    rng = np.random.default_rng(1)
    a_x, a_y = _kind(rng, 300, 0)
    b_x, b_y = _kind(rng, 100, 1)
    plain = fit_listwise(a_x + b_x, a_y + b_y)
    weighted = fit_listwise(a_x + b_x, a_y + b_y, weights=[1.0] * 300 + [6.0] * 100)
    test_x, test_y = _kind(rng, 300, 1)
    assert _hit_at_1(weighted, test_x, test_y) > _hit_at_1(plain, test_x, test_y) + 0.05
    assert weighted["coef"][1] / weighted["coef"][0] > plain["coef"][1] / plain["coef"][0]


def test_the_abstention_cut_lies_between_the_answerable_it_gives_up_and_keeps() -> None:
    from qa.training.abstention import MAX_WRONG_ABSTAIN, threshold

    p = np.linspace(0.01, 0.99, 100)  # answerable ones
    y = np.ones(100, dtype=bool)
    cut = threshold(np.concatenate([p, [0.001, 0.5]]), np.concatenate([y, [False, False]]))
    k = int(MAX_WRONG_ABSTAIN * 100)
    assert p[k - 1] < cut < p[k]  # gives up k of 100, and a hair lower still keeps p[k]
    assert (p < cut).sum() == k
