"""Query latency and cold starts: newsqa retrieval and extractive answers against the naive retriever.

One command: ``python bench/query.py`` (``--smoke``: the 20-article store, 5 questions, seconds).
For each corpus size (100, 300, 1028 and 10,000 articles; stores left by ``bench/ingest.py`` in
``bench/.cache/stores/`` are reused, missing ones are built, each distinct sentence encoded once) it
measures, in a fresh process per size, p50/p95 of:

- **retrieval**: ``HybridRetriever.retrieve`` (dense candidates over chunks, BM25 over sentences and chunks,
  ranked by the learned sentence ranker);
- **answer**: ``NewsQA.ask`` with the extractive answerer, end to end (a second, disjoint set of
  questions, so the ranker's per-sentence caches are as cold as for a new user question);
- **baseline**: ``langchain_chroma.Chroma.similarity_search(k=4)`` over the naive 1000/200 chunk
  store with the same embeddings; ratios newsqa/baseline come from the same run.

Questions are made from the corpus: a sentence's longer words, in order, behind a question word
("Was ist mit Gewerkschaft Vertragsform Führungsebene …?"), so every question has an answer in the
store and the benchmark needs no labelled data. Cold starts: ``newsqa --help``, ``newsqa ask``
(process start to the answer on stdout) and, when the command exists, ``newsqa serve`` until its
page answers. Writes ``bench/results/query.{json,md}`` and ``query_latency.png``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    NEWSQA,
    RESULTS,
    build,
    build_newsqa,
    corpus,
    machine,
    newsqa_env,
    peak_rss_mb,
    percentile,
    run_worker,
    serving,
    store_dir,
    table,
    write_results,
)

SIZES = (100, 300, 1028, 10_000)
SMOKE_SIZES = (20,)
QUESTIONS = 100
SMOKE_QUESTIONS = 5
_WH = ("Was ist mit", "Wer", "Wann", "Wo", "Warum", "Wie viele")


def questions(n_articles: int, count: int, seed: int) -> list[str]:
    """``count`` question-like queries, each built from one sentence of the first real articles."""
    rng = random.Random(seed)
    articles = build(corpus(min(n_articles, 1028)))
    sentences = [s.text for a in articles for s in a.sentences if len(s.text.split()) >= 8]
    out = []
    for text in rng.sample(sentences, min(count, len(sentences))):
        words = [w for w in re.findall(r"\w+", text) if len(w) >= 4]
        keep = sorted(rng.sample(range(len(words)), min(5, len(words))))
        out.append(f"{rng.choice(_WH)} {' '.join(words[i] for i in keep)}?")
    return out


def _stats(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": sum(ms) / len(ms) if ms else float("nan"),
    }


# ---- workers -------------------------------------------------------------------------------------
def work_newsqa(n: int, directory: Path, count: int) -> dict[str, Any]:
    """Open the store, warm up with 3 questions, then time retrieval and answers on fresh questions."""
    from qa.api import NewsQA
    from qa.settings import Settings

    opened = time.perf_counter()
    qa = NewsQA(Settings(_env_file=None, data_dir=directory, answerer="extractive"))
    articles = qa.store.count()
    open_seconds = time.perf_counter() - opened
    for q in questions(n, 3, seed=99):
        qa.ask(q)
    retrieval, answer, answer_retrieve = [], [], []
    for q in questions(n, count, seed=1):
        started = time.perf_counter()
        qa.retriever.retrieve(q)
        retrieval.append(time.perf_counter() - started)
    for q in questions(n, count, seed=2):
        started = time.perf_counter()
        result = qa.ask(q)
        answer.append(time.perf_counter() - started)
        answer_retrieve.append(result.timings.retrieve)
    return {
        "articles": articles,
        "sentences": len(qa.store.sentence_index),
        "dense_recall": dense_recall(qa, questions(n, count, seed=1), k=qa.retriever.limits.dense_chunks),
        "open_seconds": open_seconds,
        "retrieval": _stats(retrieval),
        "answer": _stats(answer),
        "answer_retrieve_part": _stats(answer_retrieve),
        "peak_rss_mb": peak_rss_mb(),
    }


def dense_recall(qa: Any, asked: list[str], k: int, page: int = 20_000) -> float:
    """Recall@``k`` of Chroma's HNSW chunk search against a brute-force scan of every chunk vector.

    The chunk graph is built sparse for ingest speed (``qa.store.chroma.PASSAGE_HNSW``); this checks what
    that costs the retriever's dense candidates. Tie-aware: a returned chunk counts when it scores
    at least the exact k-th best, since the 10,000-article corpus repeats every chunk.
    """
    import numpy as np

    from ingest.types import chunk_id
    from qa.embeddings.factory import encode

    store = qa.store
    vectors = encode(store.embeddings, asked)
    ids = [chunk_id(a.id, c) for a in store.list_articles() for c in range(a.n_chunks)]
    best = np.full((len(asked), 0), -np.inf, dtype=np.float32)
    for offset in range(0, len(ids), page):
        got = store.chunk_vectors(ids[offset : offset + page])
        scores = vectors @ np.stack(list(got.values())).T
        best = -np.sort(-np.hstack([best, scores]), axis=1)[:, :k]
    kth = best[:, -1]
    hits = []
    for vector, bar in zip(vectors, kth, strict=True):
        found = store.chunk_vectors(store.nearest_chunks(vector, k))
        hits.append(sum(float(v @ vector) >= bar - 1e-5 for v in found.values()) / k)
    return float(np.mean(hits))


def _local_model() -> Any:
    """The configured model (``NEWSQA_EMBEDDINGS``; the default when unset): what newsqa runs."""
    from qa.embeddings.factory import make_embeddings
    from qa.settings import Settings

    return make_embeddings(Settings(_env_file=None))


def work_baseline(n: int, directory: Path, count: int) -> dict[str, Any]:
    """The naive retriever: top-4 chunks by embedding, as ``Chroma.similarity_search`` returns them."""
    from langchain_chroma import Chroma

    emb = _local_model()
    db = Chroma(collection_name="baseline", embedding_function=emb, persist_directory=str(directory))
    for q in questions(n, 3, seed=99):
        db.similarity_search(q, k=4)
    latencies = []
    for q in questions(n, count, seed=1):
        started = time.perf_counter()
        db.similarity_search(q, k=4)
        latencies.append(time.perf_counter() - started)
    return {"chunks": db._collection.count(), "retrieval": _stats(latencies), "peak_rss_mb": peak_rss_mb()}


def build_baseline(n: int, directory: Path) -> dict[str, Any]:
    """A baseline store for query timing only: chunk vectors cached by text (copies repeat texts)."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class Cached(Embeddings):
        def __init__(self) -> None:
            self.inner, self.memo = _local_model(), {}

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            new = [t for t in dict.fromkeys(texts) if t not in self.memo]
            self.memo.update(zip(new, self.inner.embed_documents(new), strict=True))
            return [self.memo[t] for t in texts]

        def embed_query(self, text: str) -> list[float]:
            return self.inner.embed_query(text)

    shutil.rmtree(directory, ignore_errors=True)
    docs = [Document(page_content=r.text, metadata={"source": r.key}) for r in corpus(n)]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, Cached(), persist_directory=str(directory), collection_name="baseline")
    return {"chunks": len(chunks)}


# ---- cold starts (bench/cold_start.py measures them on a small store, with baselines) -----------
def cold_help(repeat: int = 3) -> dict[str, Any]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([str(NEWSQA), "--help"], capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - started)
    return {"runs_s": times, "median_s": percentile(times, 50)}


def cold_ask(directory: Path, question: str) -> dict[str, Any]:
    """``newsqa ask``: seconds from process start to the first answer text and to its exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(NEWSQA), "ask", question],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=newsqa_env(directory),
    )
    assert proc.stdout is not None
    proc.stdout.read(1)
    first = time.perf_counter() - started
    _, err = proc.communicate(timeout=600)
    total = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"newsqa ask failed: {err.decode()[-2000:]}")
    return {"first_output_s": first, "exit_s": total}


def cold_serve(directory: Path, timeout: float = 300) -> dict[str, Any]:
    """``newsqa serve``: seconds from process start until its page answers HTTP 200."""
    try:
        with serving(directory, timeout) as served:
            return {"available": True, "page_s": served.page_s}
    except RuntimeError as exc:
        return {"available": True, "error": str(exc)}


# ---- the run -------------------------------------------------------------------------------------
def ensure_stores(n: int, smoke: bool) -> tuple[Path, Path]:
    """The newsqa and baseline stores for ``n`` articles, built if the ingest bench left none."""
    me = Path(__file__).resolve()
    newsqa_dir, baseline_dir = store_dir("newsqa", n, smoke), store_dir("baseline", n, smoke)
    if not (newsqa_dir / "chroma").exists():
        print(f"building the {n}-article newsqa store", flush=True)
        run_worker(me, ["--worker", "build-newsqa", str(n), str(newsqa_dir)])
    if not baseline_dir.exists():
        print(f"building the {n}-article baseline store", flush=True)
        run_worker(me, ["--worker", "build-baseline", str(n), str(baseline_dir)])
    return newsqa_dir, baseline_dir


def run(sizes: tuple[int, ...], smoke: bool, count: int) -> dict[str, Any]:
    me = Path(__file__).resolve()
    results: dict[str, Any] = {"machine": machine(), "smoke": smoke, "questions": count, "sizes": {}}
    for n in sizes:
        newsqa_dir, baseline_dir = ensure_stores(n, smoke)
        entry = {
            "newsqa": run_worker(me, ["--worker", "newsqa", str(n), str(newsqa_dir), str(count)]),
            "baseline": run_worker(me, ["--worker", "baseline", str(n), str(baseline_dir), str(count)]),
        }
        entry["retrieval_over_baseline_p50"] = (
            entry["newsqa"]["retrieval"]["p50_ms"] / entry["baseline"]["retrieval"]["p50_ms"]
        )
        results["sizes"][str(n)] = entry
        print(f"{n} articles: retrieval p50 {entry['newsqa']['retrieval']['p50_ms']:.1f} ms", flush=True)
    largest = max(sizes)
    newsqa_dir = store_dir("newsqa", largest, smoke)
    question = questions(largest, 1, seed=7)[0]
    results["cold_start"] = {
        "store_articles": largest,
        "help": cold_help(),
        "ask": cold_ask(newsqa_dir, question),
        "serve": cold_serve(newsqa_dir),
    }
    results["machine_after"] = machine()
    return results


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    rows = []
    for n, e in results["sizes"].items():
        nq, base = e["newsqa"], e["baseline"]
        rows.append(
            [
                n,
                nq["sentences"],
                f"{nq['retrieval']['p50_ms']:.1f} / {nq['retrieval']['p95_ms']:.1f}",
                f"{nq['answer']['p50_ms']:.1f} / {nq['answer']['p95_ms']:.1f}",
                f"{base['retrieval']['p50_ms']:.1f} / {base['retrieval']['p95_ms']:.1f}",
                f"{e['retrieval_over_baseline_p50']:.1f}×",
                f"{nq['dense_recall']:.3f}" if "dense_recall" in nq else "–",
                f"{nq['open_seconds']:.2f}",
            ]
        )
    cold = results["cold_start"]
    serve = cold["serve"]
    serve_text = (
        f"{serve['page_s']:.1f} s" if "page_s" in serve else serve.get("note") or serve.get("error", "")
    )
    return (
        f"# Query latency\n\nMachine: {m['cpu']}, {m['cores']} cores; load average at start {m['loadavg']}, "
        f"at end {results['machine_after']['loadavg']}. {results['questions']} generated questions per "
        "measurement (answers use a disjoint set). Baseline: Chroma.similarity_search(k=4) over "
        "1000/200 character chunks.\n\n"
        + table(
            [
                "articles",
                "sentences",
                "retrieval p50 / p95 ms",
                "answer p50 / p95 ms",
                "baseline p50 / p95 ms",
                "retrieval / baseline (p50)",
                "dense chunk recall@16 vs exact",
                "store open s",
            ],
            rows,
        )
        + f"\nCold starts ({cold['store_articles']}-article store): `newsqa --help` "
        f"{cold['help']['median_s']:.2f} s (median of 3); `newsqa ask` first answer text "
        f"{cold['ask']['first_output_s']:.1f} s, exit {cold['ask']['exit_s']:.1f} s; "
        f"`newsqa serve` page: {serve_text}.\n"
    )


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [int(n) for n in results["sizes"]]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, get, style in (
        ("newsqa answer", lambda e: e["newsqa"]["answer"], "o-"),
        ("newsqa retrieval", lambda e: e["newsqa"]["retrieval"], "s-"),
        ("baseline retrieval", lambda e: e["baseline"]["retrieval"], "^:"),
    ):
        stats = [get(results["sizes"][str(n)]) for n in sizes]
        line = ax.plot(sizes, [s["p50_ms"] for s in stats], style, label=f"{label} p50")[0]
        ax.plot(sizes, [s["p95_ms"] for s in stats], style, alpha=0.4, color=line.get_color())
    ax.set(xscale="log", xlabel="articles in the store", ylabel="ms (faint: p95)", title="Query latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="the 20-article store, 5 questions")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")), help="e.g. 1028,10000")
    parser.add_argument("--questions", type=int, help=f"questions per measurement (default {QUESTIONS})")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, n, directory, *rest = args.worker
        if kind.startswith("build-"):
            build_store = build_baseline if kind == "build-baseline" else build_newsqa
            print(json.dumps(build_store(int(n), Path(directory))))
        else:
            fn = work_newsqa if kind == "newsqa" else work_baseline
            print(json.dumps(fn(int(n), Path(directory), int(rest[0]))))
        return 0
    sizes = args.sizes or (SMOKE_SIZES if args.smoke else SIZES)
    count = args.questions or (SMOKE_QUESTIONS if args.smoke else QUESTIONS)
    results = run(sizes, args.smoke, count)
    name = "query-smoke" if args.smoke else "query"
    json_path, md_path = write_results(name, results, markdown(results))
    plot(results, RESULTS / f"{name}_latency.png")
    print(md_path.read_text(encoding="utf-8"))
    print(f"wrote {json_path}, {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
