"""Train and evaluate the abstention model (``qa/abstention.py``) on XQuAD-de.

Answerable examples ask a question of a store that holds its article; unanswerable ones ask it of a
store without it. Stores are simulated from the bench corpus of ``bench/xquad_ranker.py`` (same
sentence splitting, chunks, cached embeddings and candidate construction): for every store the BM25
statistics are recomputed over the articles it holds and dense / BM25 top-k only see those articles,
as production would after deleting an article.

Examples (dev = articles 0-23 train and tune, test = 24-47 report only):

- ``full``: each question against all 48 articles (answerable);
- ``loo``: each question against the 47 others (leave its own article out: unanswerable);
- ``single``: each question against a store holding only its article (answerable) - the seed store
  is one article, so small stores must work too;
- ``single-other``: each question against a store holding one other article of its split
  (unanswerable);
- hand-written questions about people and topics no article mentions (unanswerable; dev and test
  use different people), asked of all 48 articles and of three one-article stores;
- hand-written English paraphrases of XQuAD questions (answerable; dev and test sets), asked of all
  48 articles and of their own article alone.

The threshold is chosen on out-of-fold dev probabilities (4 folds grouped by article) so that at most
2% of answerable dev questions (``full``) are wrongly abstained on.

Usage: ``python bench/train_abstention.py [--no-write]``. Writes ``qa/abstention_weights.json`` and
``bench/results/abstention.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from xquad_ranker import (  # noqa: E402
    N_DEV,
    RESULTS,
    Corpus,
    Scores,
    bm25_scores,
    candidate_ids,
    chunk_maxima,
    embed,
    load_corpus,
    make_candidates,
    neighbour_scores,
)

from qa.abstention import FEATURE_NAMES, AbstentionModel, question_features  # noqa: E402
from qa.ranking import SentenceRanker  # noqa: E402
from qa.types import Passage  # noqa: E402

MAX_WRONG_ABSTAIN = 0.02
RNG = np.random.default_rng(0)

# Unanswerable from every XQuAD-de article: these people / topics occur in none of the 48.
DEV_UNANSWERABLE = [
    "Was sagte Angela Merkel über die Energiewende?",
    "Was hat Angela Merkel über die Flüchtlingspolitik gesagt?",
    "Wer ist Olaf Scholz?",
    "Wann wurde Helene Fischer geboren?",
    "Wie viele Tore schoss Thomas Müller bei der Weltmeisterschaft?",
    "Welche Partei gründete Sahra Wagenknecht?",
    "Was fordert Robert Habeck beim Klimaschutz?",
    "Was sagte Christian Lindner zur Schuldenbremse?",
    "Wie reagierte Annalena Baerbock auf die Kritik aus Moskau?",
    "Wo wohnt Markus Söder?",
    "Wie alt ist Lionel Messi?",
    "Welche Filme drehte Steven Spielberg?",
    "Wann starb Franz Beckenbauer?",
    "Was hat Emmanuel Macron zur Rentenreform gesagt?",
    "Wer gewann den Eurovision Song Contest 2023?",
    "Wie hoch war der Bitcoin-Kurs im Januar?",
    "Wann trat Gerhard Schröder als Bundeskanzler zurück?",
    "Wie ist das Wetter morgen in Hamburg?",
    "Wer wird neuer Trainer von Borussia Dortmund?",
    "Was kostet das Deutschlandticket?",
    "What did Angela Merkel say about the refugee crisis?",
    "Who is Olaf Scholz?",
    "When was Helene Fischer born?",
    "How many goals did Thomas Müller score for Bayern Munich?",
    "Which party did Sahra Wagenknecht found?",
    "What did Joe Biden announce about Ukraine?",
    "Where does Taylor Swift live?",
    "When did the Brexit referendum take place?",
    "What is Jeff Bezos's net worth?",
    "Who will coach Borussia Dortmund next season?",
]
TEST_UNANSWERABLE = [
    "Was sagte Friedrich Merz über die Migration?",
    "Wer ist Karl Lauterbach?",
    "Wann wurde Dirk Nowitzki geboren?",
    "Welche Bücher schrieb Franz Kafka?",
    "Wie viele Grand-Slam-Titel gewann Roger Federer?",
    "Was kritisierte Cem Özdemir an der Agrarpolitik?",
    "Wann beendete Mesut Özil seine Karriere?",
    "Wo trat Herbert Grönemeyer zuletzt auf?",
    "Was sagte Ursula von der Leyen zu den Zöllen?",
    "Wie wird das Wetter am Wochenende in Köln?",
    "Wer ist Karl Lauterbach und was fordert er?",
    "Welche Rolle spielte Wladimir Klitschko in Kiew?",
    "Who is Karl Lauterbach?",
    "When was Dirk Nowitzki born?",
    "What did Friedrich Merz say about migration?",
    "How many Grand Slam titles did Roger Federer win?",
    "Which books did Franz Kafka write?",
    "What did Ursula von der Leyen say about tariffs?",
    "Where did Herbert Grönemeyer perform last year?",
    "How much does the Deutschlandticket cost?",
]
# English paraphrases of XQuAD-de questions: (article index, question). Answerable.
DEV_ENGLISH = [
    (0, "How many points did the Panthers defense give up?"),
    (0, "Who led the Panthers in tackles in 2015?"),
    (1, "What is the Polish name of the Saxon Garden?"),
    (1, "What percentage of Warsaw's population was Catholic in 1901?"),
    (2, "Who gave the original Viking settlers a common identity?"),
    (3, "In which year did Tesla die?"),
    (3, "What did Tesla receive for the first time after founding his company?"),
    (4, "Which branch of theoretical computer science classifies computational problems by difficulty?"),
    (5, "How common was corporal punishment in the past?"),
    (5, "What must teachers at a public school have at least?"),
    (6, "When did Luther's writings spread to France, England and Italy?"),
    (6, "What did the popularity of Luther's translation contribute to?"),
    (7, "How does the Los Angeles international airport rank by international passenger traffic?"),
    (8, "Which standard do the standard definition broadcasts of BSkyB follow?"),
    (9, "Which political party is strongest in Melbourne's working-class suburbs?"),
    (9, "When did Holden announce that it would close its plant in Victoria?"),
    (10, "Which proclamation abolished Protestantism in France?"),
    (11, "What is the usual heat source for boiling the water in a steam engine?"),
    (12, "When did Carl Wilhelm Scheele discover oxygen?"),
    (13, "When did Syria and Egypt launch a surprise attack on Israel?"),
    (14, "Who led the commission set up by Seaman?"),
    (15, "How often are parliamentary elections held?"),
    (16, "How many nations lie in the Amazon basin?"),
    (17, "How many species of comb jellies are there?"),
    (17, "How much food can comb jellies eat in one day?"),
    (18, "What is another name for the west side of Fresno?"),
    (19, "Why was the Merit network in Michigan founded?"),
    (20, "What was the Black Death originally attributed to?"),
    (21, "What tools do stratigraphers use to display their data in three dimensions?"),
    (22, "What was the name of the first recorded settlement in Newcastle?"),
    (22, "Which band do many consider the first black metal group?"),
    (23, "Which world exhibition did the Victoria and Albert Museum originate from?"),
]
TEST_ENGLISH = [
    (24, "What was at the centre of the internet advertising campaign ABC started in 2000?"),
    (24, "In which decade did ABC complete the transition to colour television?"),
    (25, "What was the tribe of the woman Temüjin married when he was about 16?"),
    (26, "Who supervises a pharmacy technician in the UK?"),
    (27, "What can result from disorders of the immune system?"),
    (28, "Which poet wrote The Mask of Anarchy after the Peterloo massacre?"),
    (28, "Under whose leadership did the Hungarians carry out this civil disobedience?"),
    (29, "What are construction managers?"),
    (30, "What are private secondary schools called in Germany?"),
    (31, "In which major US city is the university located?"),
    (31, "In which year did Harvard end its early admission program?"),
    (32, "Which city in Florida has the most inhabitants?"),
    (32, "Who led the attack on the French colony in 1565?"),
    (33, "Who questioned the Kuznets curve hypothesis?"),
    (34, "How often does the Doctor travel alone?"),
    (35, "How many public charter schools does the university run?"),
    (36, "When did Kublai's government run out of money?"),
    (36, "Who were Kublai's Chinese advisers?"),
    (37, "When did Obama finally visit Kenya?"),
    (38, "Who is the chair of the IPCC?"),
    (39, "When was the plastome discovered?"),
    (41, "What flows between Bingen and Bonn?"),
    (41, "When did the last ice age end?"),
    (42, "Where was an elected regional parliament to be set up under the Scotland Act 1978?"),
    (44, "Where was Friedrich Ratzel born?"),
    (45, "When did the movement from which the United Methodist Church emerged begin?"),
    (46, "Why did Tanaghrisson support the British efforts?"),
    (47, "Who led a philosophical discussion about force?"),
]


@dataclass
class Example:
    """One question asked of one simulated store."""

    question: str
    q_row: int  # row in the question embedding matrix
    store: frozenset[int]  # article indices the store holds
    label: int  # 1 = answerable
    kind: str
    split: str
    group: int  # fold key: article for XQuAD, running index for hand-written
    weight: float = 1.0
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    extra: np.ndarray = field(default_factory=lambda: np.zeros(0))  # max dense, max chunk dense


def store_scores(c: Corpus, s_emb: np.ndarray, c_emb: np.ndarray, q_emb: np.ndarray, questions: list[str],
                 store: frozenset[int]) -> Scores:
    """``Scores`` as ``xquad_ranker.compute_scores`` builds them, for a store of some articles only:
    BM25 over the store's sentences / chunks, everything outside the store at -inf."""
    s_in = np.isin(c.s_art, list(store))
    c_in = np.isin(c.c_art, list(store))
    nq, ns, nc = len(questions), len(c.s_text), len(c.c_text)
    dense = np.where(s_in[None, :], q_emb @ s_emb.T, -np.inf)
    c_dense = np.where(c_in[None, :], q_emb @ c_emb.T, -np.inf)
    bm25 = np.full((nq, ns), -np.inf)
    bm25[:, s_in] = bm25_scores([t for t, ok in zip(c.s_text, s_in, strict=True) if ok], questions)
    c_bm25 = np.full((nq, nc), -np.inf)
    c_bm25[:, c_in] = bm25_scores([t for t, ok in zip(c.c_text, c_in, strict=True) if ok], questions)
    sdc, sbc = chunk_maxima(c, c_dense, c_bm25, np.flatnonzero(s_in))
    prev, nxt = neighbour_scores(c, q_emb @ s_emb.T)
    return Scores(dense, bm25, c_dense, c_bm25, sdc, sbc, prev, nxt)


def featurise(c: Corpus, ranker: SentenceRanker, s_emb: np.ndarray, c_emb: np.ndarray, q_emb: np.ndarray,
              examples: list[Example]) -> None:
    """Fill ``x`` (and ``extra``) of every example: candidates, ranker, ``question_features``."""
    by_store: dict[frozenset[int], list[Example]] = {}
    for ex in examples:
        by_store.setdefault(ex.store, []).append(ex)
    for store, exs in by_store.items():
        sc = store_scores(c, s_emb, c_emb, q_emb[[e.q_row for e in exs]], [e.question for e in exs], store)
        allowed = np.isin(c.s_art, list(store))
        for i, ex in enumerate(exs):
            ids = candidate_ids(sc, c, i)
            ids = ids[allowed[ids]]
            cands = make_candidates(sc, c, i, ids)
            probs = ranker.score(ex.question, cands)
            passages = [
                Passage.model_construct(
                    article_id=str(c.s_art[s]), title=c.titles[c.s_art[s]], source="",
                    sentence_index=int(s - c.a_first[c.s_art[s]]), text=c.s_text[s],
                    start=c.s_span[s][0], end=c.s_span[s][1], score=float(p),
                )
                for s, p in zip(ids, probs, strict=True)
            ]
            passages.sort(key=lambda p: p.score, reverse=True)
            ex.x = question_features(ex.question, passages)
            ex.extra = np.array([max(cd.dense for cd in cands), max(cd.dense_chunk for cd in cands)])


def build_examples(c: Corpus, n_xquad: int) -> tuple[list[Example], list[str]]:
    """All examples, and the extra (hand-written) question texts appended after XQuAD's."""
    arts = range(len(c.titles))
    everything = frozenset(arts)
    out: list[Example] = []
    for q, (text, a) in enumerate(zip(c.q_text, c.q_art, strict=True)):
        a = int(a)
        split = "dev" if a < N_DEV else "test"
        same = [b for b in arts if (b < N_DEV) == (a < N_DEV) and b != a]
        other = int(RNG.choice(same))
        out += [
            Example(text, q, everything, 1, "full", split, a),
            Example(text, q, everything - {a}, 0, "loo", split, a),
            Example(text, q, frozenset({a}), 1, "single", split, a),
            Example(text, q, frozenset({other}), 0, "single-other", split, a),
        ]
    extra: list[str] = []
    row = n_xquad
    for split, questions in (("dev", DEV_UNANSWERABLE), ("test", TEST_UNANSWERABLE)):
        pool = list(range(N_DEV)) if split == "dev" else list(range(N_DEV, len(c.titles)))
        for i, text in enumerate(questions):
            extra.append(text)
            out.append(Example(text, row, everything, 0, "hand-unanswerable", split, 1000 + i, 3.0))
            for a in RNG.choice(pool, 3, replace=False):
                out.append(Example(text, row, frozenset({int(a)}), 0, "hand-unanswerable-single", split,
                                   1000 + i, 1.0))
            row += 1
    for split, pairs in (("dev", DEV_ENGLISH), ("test", TEST_ENGLISH)):
        for a, text in pairs:
            extra.append(text)
            out.append(Example(text, row, everything, 1, "english", split, a, 5.0))
            out.append(Example(text, row, frozenset({a}), 1, "english-single", split, a, 2.0))
            row += 1
    return out, extra


def fit_logreg(x: np.ndarray, y: np.ndarray, w: np.ndarray, c_reg: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    lr = LogisticRegression(C=c_reg, max_iter=5000).fit((x - mean) / scale, y, sample_weight=w)
    return {"features": list(FEATURE_NAMES), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0])}


def predict(spec: dict, x: np.ndarray) -> np.ndarray:
    z = ((x - np.asarray(spec["mean"])) / np.asarray(spec["scale"])) @ np.asarray(spec["coef"])
    return 1 / (1 + np.exp(-(z + spec["intercept"])))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true", help="do not overwrite qa/abstention_weights.json")
    args = ap.parse_args()
    t0 = time.time()
    c = load_corpus()
    s_emb = embed(c.s_text)
    c_emb = np.vstack([s_emb[ss].mean(axis=0) for ss in c.c_sents])  # as the ranker was trained
    c_emb /= np.linalg.norm(c_emb, axis=1, keepdims=True)
    examples, extra = build_examples(c, len(c.q_text))
    q_emb = np.vstack([embed(c.q_text), embed(extra)])
    ranker = SentenceRanker.from_default()
    featurise(c, ranker, s_emb, c_emb, q_emb, examples)
    print(f"{len(examples)} examples featurised in {time.time() - t0:.0f}s", flush=True)

    x = np.vstack([e.x for e in examples])
    xe = np.hstack([x, np.vstack([e.extra for e in examples])])
    y = np.array([e.label for e in examples])
    w = np.array([e.weight for e in examples])
    kind = np.array([e.kind for e in examples])
    dev = np.array([e.split == "dev" for e in examples])
    fold = np.array([e.group % 4 for e in examples])

    def oof(mat: np.ndarray, c_reg: float) -> np.ndarray:
        out = np.zeros(len(y))
        for f in range(4):
            tr, te = dev & (fold != f), dev & (fold == f)
            spec = fit_logreg(mat[tr], y[tr], w[tr], c_reg)
            spec["features"] = list(range(mat.shape[1]))
            out[te] = predict(spec, mat[te])
        return out

    def threshold_for(p: np.ndarray) -> float:
        """Largest threshold with <= 2% of answerable dev ``full`` questions below it."""
        pos = np.sort(p[dev & (kind == "full")])
        return float(pos[int(np.floor(MAX_WRONG_ABSTAIN * len(pos)))])

    def caught(p: np.ndarray, thr: float) -> float:
        return float(np.mean(p[dev & (y == 0)] < thr))

    cv_lines = []
    best = None
    for c_reg in (0.003, 0.01, 0.03, 0.1, 1.0):
        for name, mat in (("passages only", x), ("+ max dense / chunk dense", xe)):
            p = oof(mat, c_reg)
            thr = threshold_for(p)
            cv_lines.append(f"| {name} | C={c_reg} | {thr:.3f} | {caught(p, thr):.3f} |")
            if name == "passages only" and (best is None or caught(p, thr) > best[0]):
                best = (caught(p, thr), c_reg, thr, p)
    _, c_reg, thr, p_oof = best
    spec = fit_logreg(x[dev], y[dev], w[dev], c_reg)
    spec["threshold"] = round(thr, 4)
    spec["trained_on"] = ("XQuAD-de dev (articles 0-23): full / leave-own-article-out / one-article stores, "
                          f"hand-written unanswerable and English questions; C={c_reg}; threshold = "
                          f"<= {MAX_WRONG_ABSTAIN:.0%} wrongful abstention on answerable dev (out-of-fold)")
    model = AbstentionModel(spec)
    p_all = np.array([1 / (1 + np.exp(-model.logit(e.x))) for e in examples])
    p_eval = np.where(dev, p_oof, p_all)  # dev: out-of-fold; test: the final model

    # baseline: the ranker's top probability below 0.02 (the previous rule)
    top_p = x[:, FEATURE_NAMES.index("top_p")]
    thr_b = threshold_for(top_p)  # the same rule applied to the ranker's top probability
    rows = [
        ("full", "answerable: all 48 articles", "wrongly abstained"),
        ("single", "answerable: one-article store (its own)", "wrongly abstained"),
        ("english", "answerable, English paraphrase: all 48 articles", "wrongly abstained"),
        ("english-single", "answerable, English paraphrase: own article only", "wrongly abstained"),
        ("loo", "unanswerable: own article removed (47 left)", "abstained"),
        ("single-other", "unanswerable: one-article store, another article", "abstained"),
        ("hand-unanswerable", "unanswerable, hand-written (people/topics never mentioned): 48 articles",
         "abstained"),
        ("hand-unanswerable-single", "unanswerable, hand-written: one-article stores", "abstained"),
    ]
    lines = [
        "# Abstention: is the question answered by the store at all?",
        "",
        f"Model: logistic regression (C={c_reg}) over {len(FEATURE_NAMES)} question-level features "
        f"(`qa/abstention.py`): {', '.join(FEATURE_NAMES)}.",
        f"Threshold on P(answerable): **{thr:.3f}**, chosen on out-of-fold dev so that <= "
        f"{MAX_WRONG_ABSTAIN:.0%} of answerable dev questions (all 48 articles) abstain. Dev figures are "
        "out-of-fold (4 folds grouped by article), test figures use the final model trained on all dev.",
        "Baselines: abstain when the ranker's best probability < 0.02 (the previous rule), and < "
        f"{thr_b:.3f} (the same <= {MAX_WRONG_ABSTAIN:.0%} rule applied to the top probability).",
        "",
        f"| questions | split | n | model < {thr:.3f}: abstains | top prob < 0.02 | top prob < {thr_b:.3f} |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for k, label, _ in rows:
        for split in ("dev", "test"):
            m = (kind == k) & (dev if split == "dev" else ~dev)
            if m.any():
                lines.append(f"| {label} | {split} | {int(m.sum())} | {np.mean(p_eval[m] < thr):.3f} | "
                             f"{np.mean(top_p[m] < 0.02):.3f} | {np.mean(top_p[m] < thr_b):.3f} |")
    pos_t, neg_t = p_eval[~dev & (kind == "full")], p_eval[~dev & (kind == "loo")]
    auc = float(np.mean(pos_t[:, None] > neg_t[None, :]))
    tp_pos, tp_neg = top_p[~dev & (kind == "full")], top_p[~dev & (kind == "loo")]
    auc_base = float(np.mean(tp_pos[:, None] > tp_neg[None, :]))
    lines += ["", f"Test AUC, answerable (48 articles) vs own article removed: model {auc:.3f}, "
              f"ranker top probability {auc_base:.3f}.", "",
              "Dev cross-validation (out-of-fold): threshold at <= 2% wrongful abstention and the share of "
              "all unanswerable dev examples it catches. `+ max dense` adds the best sentence / chunk cosine "
              "among the candidates (not carried by `Passage`; not used).", "",
              "| features | C | threshold | unanswerable caught |", "| --- | --- | --- | --- |", *cv_lines,
              "", "Standardised coefficients: " + ", ".join(
                  f"{n} {v:+.2f}" for n, v in sorted(zip(FEATURE_NAMES, spec["coef"], strict=True),
                                                    key=lambda t: -abs(t[1]))), ""]
    missed = [f"{e.question} ({e.split}, {p_eval[i]:.2f})" for i, e in enumerate(examples)
              if e.kind == "hand-unanswerable" and p_eval[i] >= thr]
    lines += ["Hand-written unanswerable questions answered anyway (all 48 articles; P(answerable)): "
              + "; ".join(missed), ""]
    t1 = time.time()
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "abstention.md").write_text(text + "\n", encoding="utf-8")
    if not args.no_write:
        (ROOT / "qa" / "abstention_weights.json").write_text(json.dumps(spec) + "\n", encoding="utf-8")
        print("wrote qa/abstention_weights.json")
    print(f"done in {time.time() - t0:.0f}s ({time.time() - t1:.1f}s reporting)")


if __name__ == "__main__":
    main()
