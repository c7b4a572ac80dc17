"""The training data: XQuAD-de dev and the hand-written news dev set over rows 0-39 of 10kGNAD test.

Never XQuAD-de test (reported only), never other 10kGNAD rows (distractors and benchmark data).
The 10kGNAD texts are licensed non-commercial, so they are read from the path given at run time
and only the questions (with short evidence quotes) live in the repo (``data/news_dev.jsonl``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from qa.eval.datasets import EvalArticle, EvalSet, Example, load_dataset

NEWS_QUESTIONS = Path(__file__).with_name("data") / "news_dev.jsonl"
NEWS_SET = "news dev"
NEWS_ROWS = 40  # rows 0..39 of 10kgnad_test.csv: the only rows questions are written over


def xquad_dev(path: str | Path) -> EvalSet:
    """XQuAD-de's dev articles (the first 24) and their questions."""
    full = load_dataset(path)
    return EvalSet(
        f"{full.name} (dev)",
        [e for e in full.examples if e.split == "dev"],
        [a for a in full.articles if a.split == "dev"],
    )


def news_dev(csv_path: str | Path, questions: str | Path = NEWS_QUESTIONS) -> EvalSet:
    """The news dev set: its questions with rows 0-39 of ``csv_path`` as their articles."""
    articles = []
    with Path(csv_path).open(encoding="utf-8-sig", newline="") as handle:
        for row_number, row in enumerate(csv.reader(handle, delimiter=";", quotechar="'")):
            if row_number >= NEWS_ROWS:
                break
            key = f"gnad-row-{row_number:02d}"
            # no title: derived from the first sentence, as for the same rows ingested as distractors
            articles.append(EvalArticle(key, "", row[1], "dev"))
    examples = []
    for line in Path(questions).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            examples.append(
                Example(
                    id=record["id"],
                    question=record["question"],
                    answers=tuple(record["answers"]),
                    evidence=tuple(record["evidence"]),
                    article=record.get("article"),
                    split="dev",
                    language=record.get("language"),
                )
            )
    return EvalSet(NEWS_SET, examples, articles)


def write_news_eval(csv_path: str | Path, out: str | Path) -> int:
    """The news dev set as one JSONL file that carries its articles (``context``), for ``newsqa eval``."""
    evalset = news_dev(csv_path)
    text = {a.key: a.text for a in evalset.articles}
    with Path(out).open("w", encoding="utf-8") as handle:
        for e in evalset.examples:
            row: dict[str, object] = {"id": e.id, "question": e.question, "answers": list(e.answers)}
            row |= {"evidence": list(e.evidence), "split": "dev", "language": e.language}
            if e.article:
                row |= {"article": e.article, "context": text[e.article]}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(evalset.examples)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write the news dev set with its articles as JSONL.")
    parser.add_argument("gnad", nargs="?", default="../shared/data/10kgnad_test.csv", help="10kGNAD test CSV")
    parser.add_argument("out", nargs="?", default="news_dev_eval.jsonl")
    args = parser.parse_args()
    print(f"{write_news_eval(args.gnad, args.out)} questions written to {args.out}")
