"""Which ``local_source_ratio`` lets the local model cite right? Its answers per ratio, on a dev set.

``python bench/local_source_ratio.py SET [--split dev] [--limit N] [--seed S] [--ratios 0.05,0.3]``
asks the set's questions (a fresh store of its own articles, as ``newsqa eval`` does) of the local
model once per distinct source set the ratios give: a question whose sources are the same under
two ratios gets the same prompt, and at temperature 0 the same answer, so it is asked once. Per
ratio it prints the answerable questions with a citation holding the gold, the share of answered
questions whose citation holds it (``cit. ok (answered)`` of the evaluation report), unanswerable
questions abstained and the mean number of sources. Dev sets only: the shipped ratio is chosen here.
Results: bench/results/local_source_ratio.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import RESULTS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="an eval set that carries its articles (XQuAD JSON, news dev JSONL)")
    parser.add_argument("--split", default="all", help="dev, test or all (never tune on test)")
    parser.add_argument("--limit", type=int, default=None, help="a seeded sample of N questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ratios", default="0.05,0.2,0.3", help="comma-separated ratios to compare")
    args = parser.parse_args()
    ratios = [float(r) for r in args.ratios.split(",")]

    from tqdm import tqdm

    from qa.answering.llm import LLMAnswerer
    from qa.api import NewsQA
    from qa.eval.datasets import load_dataset
    from qa.eval.runner import gold_for, ingest_articles, question_language, record, select
    from qa.eval.summary import aggregate
    from qa.eval.systems import NewsQASystem
    from qa.settings import Settings

    evalset = load_dataset(args.data)
    examples = select(evalset, args.split, args.limit, args.seed)
    records: dict[float, list[dict]] = {r: [] for r in ratios}
    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as tmp:
        qa = NewsQA(Settings().model_copy(update={"data_dir": Path(tmp), "answerer": "local"}))
        articles, ids = ingest_articles(qa, evalset, False, {}, None)
        answerer = qa.answerer
        assert isinstance(answerer, LLMAnswerer)
        system = NewsQASystem(qa)
        for example in tqdm(examples, desc="questions", unit="q"):
            gold = gold_for(example, ids, articles)
            passages = qa.retriever.retrieve(example.question).passages
            asked: dict[tuple[str, ...], dict] = {}
            for ratio in ratios:
                answerer.source_ratio = ratio
                given = tuple(p.sentence_id for p in answerer.sources(passages))
                if given not in asked:
                    prediction = system.predict(example.question)
                    language = question_language(example)
                    asked[given] = record(example, gold, prediction, language, system.name, "none", {})
                records[ratio].append(asked[given] | {"sources": len(given)})
    summary = {str(r): _summary(rows, aggregate(rows)) for r, rows in records.items()}
    for ratio, line in summary.items():
        print(f"ratio {ratio}: " + ", ".join(f"{k} {v}" for k, v in line.items()))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "local_source_ratio.json").write_text(json.dumps(summary, indent=2))
    return 0


def _summary(rows: list[dict], metrics: dict) -> dict[str, object]:
    """The evaluation's own aggregates (``qa.eval.summary.aggregate``) as counts, plus the sources."""

    def count(rate: float | None, n: int) -> str:
        return f"{round((rate or 0.0) * n)}/{n}"

    return {
        "cited_right": count(metrics["citation_recall"], metrics["n_answerable"]),
        "cit_ok_answered": metrics["answered_citation"],
        "unanswerable_abstained": count(metrics["abstain_rate"], metrics["n_unanswerable"]),
        "mean_sources": round(sum(r["sources"] for r in rows) / len(rows), 2),
        # an answer the extractive fallback gave (the server failed) is no answer of the model's
        "fallback_answers": sum(bool(r["fallback"]) for r in rows),
    }


if __name__ == "__main__":
    raise SystemExit(main())
