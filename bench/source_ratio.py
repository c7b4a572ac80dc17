"""How many sources does the LLM need? Gold coverage and mean sources per ``local_source_ratio``.

``python bench/source_ratio.py [--data-dir DIR] [--xquad F] [--gnad F]``: the production
candidates of the dev sets (XQuAD-de dev and the news dev set over 10kGNAD rows 0-39,
``qa.training.collect``, the same candidate generator serving uses), scored by the shipped
ranker; for each rule, the share of answerable questions whose answering sentence is among the
sources the model would get, and how many sources that is on average. Dev data only: this is what
``local_source_ratio`` was chosen on.
``--data-dir`` keeps the store for the next run. Results: bench/results/source_ratio.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import GNAD, RESULTS  # noqa: E402

from qa.training.cli import XQUAD  # noqa: E402

RATIOS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", default=XQUAD, help="XQuAD-de JSON (dev split)")
    parser.add_argument("--gnad", default=str(GNAD), help="10kGNAD test CSV (rows 0-39 asked)")
    parser.add_argument("--data-dir", default=None, help="keep the training store here")
    parser.add_argument("--max-sources", type=int, default=6, help="the local model's local_sources")
    args = parser.parse_args()

    import numpy as np

    from qa.retrieval.ranker import SentenceRanker
    from qa.retrieval.weights import DEFAULT_MODEL
    from qa.training.collect import collect, ingest_sets, training_store
    from qa.training.sets import news_dev, xquad_dev

    xquad, news = xquad_dev(args.xquad), news_dev(args.gnad)
    with training_store(args.data_dir) as qa:
        ingested = ingest_sets(qa, xquad, news)
        collected = {s.name: collect(qa, s, ingested[s.name]) for s in (xquad, news)}
    ranker = SentenceRanker.for_model(DEFAULT_MODEL)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, rows in collected.items():
        ranked = []
        for c in (c for c in rows if c.answerable and c.y.any()):
            p = ranker.probabilities(c.x)
            order = np.argsort(-p)
            ranked.append((p[order][: args.max_sources], c.y[order][: args.max_sources]))
        results[name] = {}
        for ratio in RATIOS:
            kept = [int((p >= ratio * p[0]).sum()) for p, _ in ranked]
            covered = np.mean([y[:k].any() for (_, y), k in zip(ranked, kept, strict=True)])
            results[name][str(ratio)] = {"covered": float(covered), "mean_sources": float(np.mean(kept))}
            print(
                f"{name}: ratio {ratio}: answering sentence kept {covered:.3f}, {np.mean(kept):.2f} sources"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "source_ratio.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
