"""Which e5 vector of an English question finds its German sentence: the question, or its glossary form.

One command: ``python bench/english_query_vector.py [--gnad ../shared/data/10kgnad_test.csv]``.
For each answerable English question of the news dev set (rows 0-39 of 10kGNAD, dev data), the
question's vector is scored against the sentence vectors of its gold article alone, so only the
dense model decides which sentence comes first. Rows: the question as asked, its
``lexical_form`` (German glossary words appended; what ``find_candidates`` embeds since 0.12),
and their normalised sum. Also times one-at-a-time encoding of both forms in the same run.
Prints a Markdown table (docs/benchmarks.md, "newsqa 0.12").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ingest  # noqa: F401  (the package, before bench/ingest.py can shadow it)

sys.path.append(str(Path(__file__).resolve().parent))
from common import table

from ingest.articles import build_article
from qa.embeddings.factory import encode_queries, make_embeddings
from qa.eval.metrics import Unit, unit_correct
from qa.eval.runner import gold_for
from qa.settings import Settings
from qa.text.glossary import lexical_form
from qa.training.cli import GNAD
from qa.training.sets import news_dev


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gnad", default=GNAD, help="10kGNAD test CSV")
    args = parser.parse_args()
    model = make_embeddings(Settings(_env_file=None))  # type: ignore[call-arg]
    evalset = news_dev(args.gnad)
    articles = {a.key: build_article(a.title, a.text, "bench") for a in evalset.articles}
    vectors = {key: model.encode([s.text for s in art.sentences]) for key, art in articles.items()}
    hits: dict[str, list[bool]] = {"as asked": [], "glossary form (shipped)": [], "sum of both": []}
    timings: dict[str, list[float]] = {"as asked": [], "glossary form (shipped)": []}
    for example in evalset.examples:
        if example.language != "en" or not example.answerable or example.article not in articles:
            continue
        article = articles[example.article]
        # the evaluation's own rule for "this sentence holds the gold"
        gold_of = gold_for(example, {example.article: article.id}, articles)
        gold = {
            s.index
            for s in article.sentences
            if unit_correct(Unit(article.id, s.start, s.end, s.text), gold_of)
        }
        if not gold:
            continue
        forms = {"as asked": example.question, "glossary form (shipped)": lexical_form(example.question)}
        encoded = {}
        for name, text in forms.items():
            start = time.perf_counter()
            encoded[name] = encode_queries(model, [text])[0]
            timings[name].append(time.perf_counter() - start)
        total = encoded["as asked"] + encoded["glossary form (shipped)"]
        encoded["sum of both"] = total / np.linalg.norm(total)
        for name, vector in encoded.items():
            hits[name].append(int(np.argmax(vectors[example.article] @ vector)) in gold)
    rows = [
        [
            name,
            len(h),
            f"{np.mean(h):.3f}",
            f"{statistics.median(timings[name]) * 1000:.1f}" if name in timings else "–",
        ]
        for name, h in hits.items()
    ]
    print(
        table(
            ["question vector", "questions", "answering sentence first in its article", "encode p50 ms"], rows
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
