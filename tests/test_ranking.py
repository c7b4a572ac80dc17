"""The learned sentence ranker: tokenizer, features and the shipped weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa.ranking import FEATURE_NAMES, Candidate, SentenceRanker, features, question_type, tokenize


def _cand(text: str, dense: float = 0.5, bm25: float = 5.0, **kw) -> Candidate:
    base = dict(sentence_text=text, prev_text="", next_text="", title="Rhein", dense=dense, dense_chunk=dense,
                bm25=bm25, bm25_chunk=bm25)
    base.update(kw)
    return Candidate(**base)


def test_tokenize_lowercases_and_stems_german() -> None:
    assert tokenize("Die Häuser des Hauses") == ["die", "haus", "des", "haus"]
    assert tokenize("Brücken, Brücke!") == ["bruck", "bruck"]
    assert tokenize("") == []


def test_question_type() -> None:
    names = ("when", "quant", "person", "place", "why", "which", "what", "how")
    assert names[int(np.argmax(question_type("Wann wurde die Brücke gebaut?")))] == "when"
    assert names[int(np.argmax(question_type("Wie viele Einwohner hat Köln?")))] == "quant"
    assert names[int(np.argmax(question_type("Wer entdeckte den Sauerstoff?")))] == "person"


def test_features_shape_and_finite() -> None:
    cands = [_cand("Der Rhein ist 1233 Kilometer lang."), _cand("Der Rhein fließt durch Basel.", dense=0.3),
             _cand("", dense=0.1, bm25=0.0)]
    x = features("Wie lang ist der Rhein?", cands)
    assert x.shape == (3, len(FEATURE_NAMES))
    assert np.isfinite(x).all()
    assert features("Frage?", []).shape == (0, len(FEATURE_NAMES))


@pytest.fixture(scope="module")
def ranker() -> SentenceRanker:
    return SentenceRanker.from_default()


def test_scores_are_probabilities(ranker: SentenceRanker) -> None:
    cands = [_cand(f"Satz Nummer {i} über den Rhein.", dense=0.1 * i, bm25=float(i)) for i in range(10)]
    p = ranker.score("Was weiß man über den Rhein?", cands)
    assert p.shape == (10,)
    assert ((p >= 0) & (p <= 1)).all()
    assert ranker.score("Frage?", []).shape == (0,)


def test_prefers_the_answering_sentence(ranker: SentenceRanker) -> None:
    q = "Wann wurde die Kölner Rheinbrücke eröffnet?"
    answer = _cand("Die Kölner Rheinbrücke wurde im Jahr 1859 eröffnet.", dense=0.62, bm25=9.0)
    distractor = _cand("Die Kölner Rheinbrücke ist ein beliebtes Ziel für Touristen und wurde oft gemalt.",
                       dense=0.62, bm25=9.0)
    others = [_cand(f"Der Rhein ist ein Fluss in Europa mit vielen Häfen, Teil {i}.", dense=0.3, bm25=2.0)
              for i in range(8)]
    p = ranker.score(q, [distractor, answer, *others])
    assert int(np.argmax(p)) == 1


def test_unrelated_candidates_score_low(ranker: SentenceRanker) -> None:
    """A question about a person the sources never mention: the best candidate stays unlikely."""
    q = "Wann wurde Angela Merkel zur Bundeskanzlerin gewählt?"
    cands = [_cand(f"Der Rhein fließt bei Kilometer {100 + i} an einer Burg vorbei.", dense=0.12, bm25=0.0)
             for i in range(20)]
    p = ranker.score(q, cands)
    assert p.max() < 0.2


def test_missing_neighbour_dense_falls_back(ranker: SentenceRanker) -> None:
    c = _cand("Die Brücke wurde 1859 eröffnet.")
    assert math.isnan(c.dense_prev)
    p = ranker.score("Wann wurde die Brücke eröffnet?", [c, _cand("Anderes.", dense=0.1, bm25=0.0)])
    assert np.isfinite(p).all()
