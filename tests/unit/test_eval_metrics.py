"""Each evaluation metric on a tiny hand-made set whose right values are worked out by hand here."""

from __future__ import annotations

import pytest

from qa.eval.grounding import grounding_verdicts
from qa.eval.metrics import (
    Gold,
    Prediction,
    Unit,
    contains_normalized,
    exact_match,
    normalize_answer,
    score,
    token_f1,
)
from qa.eval.summary import aggregate
from qa.types import Answer, Citation

TEXT = "Berlin ist die Hauptstadt. Der Fluss heißt Spree."
S0 = Unit("a", 0, 26, "Berlin ist die Hauptstadt.")
S1 = Unit("a", 27, 49, "Der Fluss heißt Spree.")
SPREE = TEXT.index("Spree")
HAUPTSTADT = TEXT.index("Hauptstadt")


def test_units_slice_the_text() -> None:
    assert TEXT[S0.start : S0.end] == S0.text and TEXT[S1.start : S1.end] == S1.text


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Die Straße!", "strasse"),
        ("der Übergang, des Königs", "uebergang koenigs"),
        ("The U.S. Army", "us army"),
        ("einem  Jahr – 1.000 Euro", "jahr 1000 euro"),
    ],
)
def test_normalisation_german(raw: str, normal: str) -> None:
    assert normalize_answer(raw) == normal


def test_exact_match_and_f1() -> None:
    assert exact_match("die Spree", ["Spree"]) == 1.0
    assert exact_match("Strasse", ["Straße"]) == 1.0  # umlaut/ß normalised on both sides
    assert exact_match("Der Fluss heißt Spree.", ["Spree"]) == 0.0
    # "fluss heisst spree" vs "spree": P = 1/3, R = 1 -> F1 = 2 * (1/3) / (4/3) = 0.5
    assert token_f1("Der Fluss heißt Spree.", ["Spree"]) == pytest.approx(0.5)
    assert token_f1("Havel", ["Spree"]) == 0.0
    assert token_f1("Spree", ["Havel", "die Spree"]) == 1.0  # best over gold answers
    assert contains_normalized("Der Fluss heißt Spree.", "spree")
    assert not contains_normalized("Der Fluss heißt Spreewald.", "Spree")  # whole tokens only


def test_correct_citation() -> None:
    gold = Gold(("Spree",), (SPREE,), (), "a", ((S1.start, S1.end),))
    pred = Prediction("Der Fluss heißt Spree. [1]", False, [S1], [S1, S0])
    m = score(pred, gold)
    assert (m["em"], m["f1"], m["contains_gold"]) == (0.0, pytest.approx(0.5), 1.0)
    assert (m["citation_recall"], m["citation_precision"], m["first_citation"]) == (1.0, 1.0, 1.0)
    assert m["char_precision"] == 1.0
    assert (m["gold_rank"], m["rr"], m["hit@1"], m["hit@5"], m["hit@20"]) == (1, 1.0, 1.0, 1.0, 1.0)
    assert m["cited_chars"] == 22


def test_wrong_first_citation() -> None:
    gold = Gold(("Hauptstadt",), (HAUPTSTADT,), (), "a", ((S0.start, S0.end),))
    pred = Prediction("Der Fluss heißt Spree. [1] Berlin ist die Hauptstadt. [2]", False, [S1, S0], [S1, S0])
    m = score(pred, gold)
    assert (m["citation_recall"], m["citation_precision"], m["first_citation"]) == (1.0, 0.5, 0.0)
    assert (m["gold_rank"], m["rr"], m["hit@1"], m["hit@5"]) == (2, 0.5, 0.0, 1.0)
    assert m["char_precision"] == pytest.approx(26 / (22 + 26))
    # "fluss heisst spree berlin ist hauptstadt" (6 tokens) vs "hauptstadt": P = 1/6, R = 1 -> 2/7
    assert m["f1"] == pytest.approx(2 / 7)
    assert m["contains_gold"] == 1.0
    # the gold offset decides: a citation in another article holding the same words is wrong
    other = Unit("b", S0.start, S0.end, S0.text)
    assert score(Prediction(S0.text, False, [other], [other]), gold)["first_citation"] == 0.0


def test_containment_without_offsets_and_evidence() -> None:
    by_answer = Gold(("Spree",))
    two = Prediction(S1.text, False, [S0, S1], [S0, S1])
    assert score(two, by_answer)["citation_precision"] == 0.5
    by_evidence = Gold(("Spree",), evidence=("Der Fluss heißt Spree",), article_id="a")
    m = score(Prediction(S1.text, False, [S1], [S1]), by_evidence)
    assert (m["first_citation"], m["char_precision"]) == (1.0, None)  # no offsets: no char precision
    elsewhere = Unit("b", 27, 49, S1.text)
    wrong_article = Prediction(S1.text, False, [elsewhere], [elsewhere])
    assert score(wrong_article, by_evidence)["first_citation"] == 0


def test_abstentions_and_aggregate() -> None:
    gold_spree = Gold(("Spree",), (SPREE,), (), "a", ((S1.start, S1.end),))
    gold_haupt = Gold(("Hauptstadt",), (HAUPTSTADT,), (), "a", ((S0.start, S0.end),))
    right = score(Prediction("Der Fluss heißt Spree. [1]", False, [S1], [S1, S0]), gold_spree)
    wrong = score(Prediction("Der Fluss heißt Spree. [1]", False, [S1], [S1, S0]), gold_haupt)
    wrongly_abstained = score(Prediction("Dazu steht nichts.", True, [], [S0]), gold_haupt)
    abstained = score(Prediction("Dazu steht nichts.", True, [], [S1]), Gold(()))
    answered_unanswerable = score(Prediction("Spree [1]", False, [S1], [S1]), Gold(()))

    assert wrongly_abstained["first_citation"] == 0.0 and wrongly_abstained["citation_precision"] is None
    assert (wrongly_abstained["em"], wrongly_abstained["f1"], wrongly_abstained["hit@1"]) == (0.0, 0.0, 1.0)
    assert not abstained["answerable"] and "first_citation" not in abstained

    records = [
        {"metrics": m, "abstained": m["abstained"], "citations": [1] * bool(m["cited_chars"]),
         "timings": {"retrieve": 0.01 * i, "answer": 0.0, "total": 0.01 * i}}
        for i, m in enumerate([right, wrong, wrongly_abstained, abstained, answered_unanswerable], start=1)
    ]  # fmt: skip
    agg = aggregate(records)
    assert (agg["n"], agg["n_answerable"], agg["n_unanswerable"]) == (5, 3, 2)
    assert agg["first_citation"] == pytest.approx(1 / 3)  # 1, 0, 0
    assert agg["citation_recall"] == pytest.approx(1 / 3)
    assert agg["citation_precision"] == pytest.approx(0.5)  # (1 + 0) / 2: the abstention has none
    assert agg["hit@1"] == pytest.approx(2 / 3)  # ranks 1, 2, 1
    assert agg["mrr"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert agg["wrongful_abstention"] == pytest.approx(1 / 3)
    assert agg["abstain_rate"] == pytest.approx(1 / 2)
    assert agg["total_ms_p50"] == pytest.approx(30.0)


def test_grounding() -> None:
    pred = Prediction("…", False, [S0], [S0], support=[True, False, False])
    assert score(pred, Gold(("Hauptstadt",)))["grounded"] == pytest.approx(1 / 3)
    assert score(Prediction("…", True, [], []), Gold(()))["grounded"] is None  # an abstention has no claims

    def answer(text: str, abstained: bool = False) -> Answer:
        cites = [Citation(marker=1, article_id="a", title="t", source="s", sentence_index=0, text=S0.text,
                          start=S0.start, end=S0.end, score=0.9)]  # fmt: skip
        return Answer(
            question="?", text=text, abstained=abstained, language="de", answerer="x", citations=cites
        )

    # the product's support check (qa.answering.support), lexical only without embeddings
    assert grounding_verdicts(answer("Berlin ist die Hauptstadt. [1]")) == [True]
    assert grounding_verdicts(answer("Berlin ist die Hauptstadt. [1] Die Spree fließt ins Meer. [1]")) == [
        True,
        False,
    ]
    assert grounding_verdicts(answer("Die Spree fließt ins Meer.")) == [False]  # no citation at all
