"""The learned sentence ranker: tokenizer, features and the shipped weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa.retrieval.features import FEATURE_NAMES, Candidate, features, question_type
from qa.retrieval.ranker import SentenceRanker
from qa.text.tokens import tokenize


def _cand(text: str, dense: float = 0.5, bm25: float = 5.0, **kw) -> Candidate:
    base = dict(
        sentence_text=text,
        prev_text="",
        next_text="",
        title="Rhein",
        dense=dense,
        dense_chunk=dense,
        bm25=bm25,
        bm25_chunk=bm25,
    )
    base.update(kw)
    return Candidate(**base)


def test_tokenize_lowercases_and_stems_german() -> None:
    assert tokenize("Die Häuser des Hauses") == ["die", "haus", "des", "haus"]
    assert tokenize("Brücken, Brücke!") == ["bruck", "bruck"]
    assert tokenize("") == []


def test_question_type() -> None:
    def kind(question: str) -> str:
        found = [name for name, on in question_type(question).items() if on]
        assert len(found) == 1
        return found[0]

    assert kind("Wann wurde die Brücke gebaut?") == "when"
    assert kind("Wie viele Einwohner hat Köln?") == "quant"
    assert kind("Wer entdeckte den Sauerstoff?") == "person"
    assert not any(question_type("Erzähl mir etwas.").values())
    # English questions over German sources get their type too, not the one "was" or "who" suggests
    assert kind("How many people were injured in Marea?") == "quant"
    assert kind("When was the study published?") == "when"
    assert kind("Who scored the winner?") == "person"
    assert kind("Where does Apple hold its event?") == "place"
    assert kind("What share of workers have such contracts?") == "quant"


def test_features_shape_and_finite() -> None:
    cands = [
        _cand("Der Rhein ist 1233 Kilometer lang."),
        _cand("Der Rhein fließt durch Basel.", dense=0.3),
        _cand("", dense=0.1, bm25=0.0),
    ]
    x = features("Wie lang ist der Rhein?", cands)
    assert x.shape == (3, len(FEATURE_NAMES))
    assert np.isfinite(x).all()
    assert features("Frage?", []).shape == (0, len(FEATURE_NAMES))


def test_features_are_stacked_by_name() -> None:
    """A column sits where its name says: a year the question lacks lights ``new_year``, and a
    "Wann" question multiplies it into ``when_x_date``; the other candidate has neither."""
    x = features("Wann wurde die Brücke gebaut?", [_cand("Gebaut 1859."), _cand("Eine Brücke.")])
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert x[0, col["new_year"]] == 1.0 and x[1, col["new_year"]] == 0.0
    assert x[0, col["when_x_date"]] == 1.0 and x[1, col["when_x_date"]] == 0.0
    assert (x[:, col["q_when"]] == 1.0).all() and (x[:, col["q_why"]] == 0.0).all()


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Welche Obergrenze für Flüchtlinge hat Österreich gesetzt?", "obergrenze"),
        ("In welcher Minute musste Arnautovic vom Platz?", "minute"),
        ("Welcher chemische Kampfstoff wurde eingesetzt?", "kampfstoff"),  # past the adjective
        ("Wie viele Kassetten umfasste der Bestand?", "kassetten"),
        ("At which court did the Kurier sue?", "gericht"),  # looked for in German (qa/text/glossary.py)
        ("Which dragon did they see?", "dragon"),  # a word the glossary lacks is looked for as it is
        ("What did Celmins say about her paintings?", ""),  # "did" is no noun
        ("Wer ist für den Betrieb verantwortlich?", ""),
    ],
)
def test_the_focus_is_the_noun_the_question_asks_for(question: str, focus: str) -> None:
    from qa.retrieval.cues import grams, question_focus

    assert question_focus(question) == (grams(focus) if focus else frozenset())


def test_article_columns_favour_the_sentence_that_adds_the_focus_to_its_lead() -> None:
    """Within one article, the sentence holding the focus noun and stems its lead lacks scores higher on
    ``focus`` and ``cov_beyond_lead_idf``; the weaker article's candidates stand below the best one."""
    lead = "Außenminister Nikola Poposki spricht über die Flüchtlingskrise in Mazedonien."
    q = "Welche Obergrenze für Flüchtlinge hat Österreich gesetzt?"
    same = dict(article_id="a", lead_text=lead, title="Interview")
    cands = [
        _cand(lead, dense=0.8, index=0, **same),
        _cand("Österreich hat eine Obergrenze von 37.500 gesetzt.", dense=0.7, index=8, **same),
        _cand("Der Rhein ist ein Fluss.", dense=0.4, article_id="b", lead_text="Der Rhein ist ein Fluss."),
    ]
    x = features(q, cands)
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert (x[:, col["focus"]] == [0.0, 1.0, 0.0]).all()
    assert x[0, col["focus_art_gap"]] == -1.0 and x[1, col["focus_art_gap"]] == 0.0
    assert x[1, col["cov_beyond_lead_idf"]] > x[0, col["cov_beyond_lead_idf"]] == 0.0
    assert x[0, col["art_dense_best"]] == x[1, col["art_dense_best"]] == 0.0
    assert x[2, col["art_dense_best"]] == pytest.approx(-0.4)


@pytest.fixture(scope="module", params=["multilingual-e5-small", "use-multilingual-v3"])
def ranker(request: pytest.FixtureRequest) -> SentenceRanker:
    """Each model's shipped weights: they must agree with the features as they are built now."""
    return SentenceRanker.for_model(request.param)


def test_a_model_without_weights_of_its_own_uses_the_defaults() -> None:
    from qa.retrieval.weights import DEFAULT_MODEL, weights_path

    assert weights_path("openai:text-embedding-3-small", "ranker") == weights_path(DEFAULT_MODEL, "ranker")
    assert weights_path(DEFAULT_MODEL, "ranker").exists()


def test_scores_are_probabilities(ranker: SentenceRanker) -> None:
    cands = [_cand(f"Satz Nummer {i} über den Rhein.", dense=0.1 * i, bm25=float(i)) for i in range(10)]
    p = ranker.score("Was weiß man über den Rhein?", cands)
    assert p.shape == (10,)
    assert ((p >= 0) & (p <= 1)).all()
    assert ranker.score("Frage?", []).shape == (0,)


def test_prefers_the_answering_sentence(ranker: SentenceRanker) -> None:
    q = "Wann wurde die Kölner Rheinbrücke eröffnet?"
    answer = _cand("Die Kölner Rheinbrücke wurde im Jahr 1859 eröffnet.", dense=0.62, bm25=9.0)
    distractor = _cand(
        "Die Kölner Rheinbrücke ist ein beliebtes Ziel für Touristen und wurde oft gemalt.",
        dense=0.62,
        bm25=9.0,
    )
    others = [
        _cand(f"Der Rhein ist ein Fluss in Europa mit vielen Häfen, Teil {i}.", dense=0.3, bm25=2.0)
        for i in range(8)
    ]
    p = ranker.score(q, [distractor, answer, *others])
    assert int(np.argmax(p)) == 1


def test_unrelated_candidates_score_far_below_the_answer(ranker: SentenceRanker) -> None:
    """Sentences sharing no word with the question stay well below the one that answers it."""
    q = "Wann wurde Angela Merkel zur Bundeskanzlerin gewählt?"
    cands = [
        _cand(f"Der Rhein fließt bei Kilometer {100 + i} an einer Burg vorbei.", dense=0.5, bm25=0.0)
        for i in range(20)
    ]
    answer = _cand(
        "Angela Merkel wurde am 22. November 2005 zur Bundeskanzlerin gewählt.", dense=0.5, bm25=12.0
    )
    p = ranker.score(q, [*cands, answer])
    assert int(np.argmax(p)) == len(cands) and p[:-1].max() < p[-1] / 2


def test_missing_neighbour_dense_falls_back(ranker: SentenceRanker) -> None:
    c = _cand("Die Brücke wurde 1859 eröffnet.")
    assert math.isnan(c.dense_prev)
    p = ranker.score("Wann wurde die Brücke eröffnet?", [c, _cand("Anderes.", dense=0.1, bm25=0.0)])
    assert np.isfinite(p).all()


@pytest.mark.parametrize(
    ("question", "follow_up", "thin"),
    [
        ("Wem dankte Selenskyj?", False, False),  # names its own subject: asked as it stands
        ("Und was sagte Selenskyj?", False, False),
        ("Und was sagte Medwedew dazu?", True, False),  # refers back, but ranks by its own name
        ("Und wann war das?", True, True),
        ("Was sagte er?", True, True),
        ("What about Kyiv?", True, False),
    ],
)
def test_a_question_borrows_the_history_only_when_it_needs_it(
    question: str, follow_up: bool, thin: bool
) -> None:
    from qa.retrieval.followup import follow_up_context, is_thin, looks_like_follow_up

    assert (looks_like_follow_up(question), is_thin(question)) == (follow_up, thin)
    history = [("Was sagte Putin?", "…")]
    assert follow_up_context(question, history) == ("Was sagte Putin?" if follow_up else "")


def test_a_code_the_question_names_is_found_only_where_it_stands() -> None:
    x = features(
        "Was teilte Sprecher Nummer4x0 mit?", [_cand("Nummer4x0 teilte es mit."), _cand("Nummer4x1 auch.")]
    )
    col = FEATURE_NAMES.index("codes_found")
    assert (x[0, col], x[1, col]) == (1.0, 0.0)
