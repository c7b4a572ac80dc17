"""Time to the first shown sentence and to the full answer of the local model, with 4, 8 and 12 sources.

Each fixed row gives the model exactly that many sources (``local_source_ratio=0``); the row
``shipped`` uses the defaults (at most ``local_sources``, fewer when one source stands out).

``make bench-local`` (or ``python bench/local_llm.py [--model F.gguf] [--questions N]``): the seed
article in a fresh store, the answerable seed questions (bench/data/seed_questions.jsonl), each asked
through ``NewsQA.stream`` with ``answerer=local`` exactly as the web chat asks it. The server is
started and warmed with one question per configuration first (its load is not an answer's cost);
after that the fixed system prompt is in llama.cpp's prompt cache, as on a running server. The
baseline measured in the same run is the extractive answerer on the same questions, so the table
also gives the ratio. Results: bench/results/local_llm.json; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import QUESTIONS, RESULTS, SEED, machine, percentiles  # noqa: E402


def timed(qa: Any, question: str) -> tuple[float, float, Any]:
    """(seconds to the first streamed piece, seconds to the final Answer, the Answer)."""
    from qa.types import Answer

    started = time.perf_counter()
    first = None
    final = None
    for event in qa.stream(question):
        if isinstance(event, Answer):
            final = event
        elif first is None:
            first = time.perf_counter() - started
    total = time.perf_counter() - started
    return (first if first is not None else total), total, final


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="", help="a GGUF (default: the packaged 1.5B model)")
    parser.add_argument("--questions", type=int, default=8, help="answerable seed questions per setting")
    parser.add_argument("--sources", default="4,8,12,shipped", help="numbers of sources to compare")
    args = parser.parse_args()

    from qa.api import NewsQA
    from qa.settings import Settings

    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    questions = [r["question"] for r in rows if r["answers"]][: args.questions]
    results: dict[str, Any] = {"machine": machine(), "load_before": os.getloadavg(), "settings": {}}
    with tempfile.TemporaryDirectory(prefix="bench-local-") as tmp:
        base = Settings(_env_file=None, data_dir=Path(tmp), answerer="extractive")  # type: ignore[call-arg]
        extractive = NewsQA(base)
        extractive.ingest([SEED])
        timed(extractive, questions[0])
        baseline = [timed(extractive, q)[1] for q in questions]
        results["extractive_s"] = percentiles(baseline)
        for k in args.sources.split(","):
            fixed = {} if k == "shipped" else {"local_sources": int(k), "local_source_ratio": 0.0}
            qa = NewsQA(
                base, embeddings=extractive.embeddings, answerer="local", local_model=args.model,
                llm_deadline=900.0, llm_timeout=900.0, **fixed,
            )  # fmt: skip
            timed(qa, questions[-1])  # start the server, load the model, cache the system prompt
            firsts, totals, verified = [], [], 0
            for q in questions:
                first, total, answer = timed(qa, q)
                firsts.append(first)
                totals.append(total)
                verified += bool(answer and answer.citations and not answer.abstained)
                print(f"{k} sources: {first:6.1f} s first, {total:6.1f} s all: {q}", flush=True)
            results["settings"][k] = {
                "first_sentence_s": percentiles(firsts),
                "answer_s": percentiles(totals),
                "answered_with_citation": verified,
                "questions": len(questions),
                "answer_over_extractive_p50": percentiles(totals)["p50"] / results["extractive_s"]["p50"],
            }
        results["model"] = qa.answerer.label
    results["load_after"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "local_llm.json").write_text(json.dumps(results, indent=2))
    print(f"\n{results['model']}, {len(questions)} questions per row, load {results['load_before']}")
    print("| sources | first sentence p50 / p95 | full answer p50 / p95 | cited | vs extractive |")
    print("| --- | --- | --- | --- | --- |")
    for k, r in results["settings"].items():
        f, a = r["first_sentence_s"], r["answer_s"]
        print(
            f"| {k} | {f['p50']:.1f} / {f['p95']:.1f} s | {a['p50']:.1f} / {a['p95']:.1f} s "
            f"| {r['answered_with_citation']}/{r['questions']} | {r['answer_over_extractive_p50']:.0f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
