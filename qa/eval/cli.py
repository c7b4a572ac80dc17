"""``newsqa eval``: the sub-command's arguments and its run function.

Only argparse at import time: ``qa.cli`` registers this for ``newsqa --help`` and the runner,
models, Chroma and matplotlib load only when the command actually runs.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``eval`` on newsqa's sub-command parser."""
    p = sub.add_parser(
        "eval",
        help="score answers and citations against a QA set (SQuAD JSON or JSONL)",
        description="Score newsqa's answers and citations against a QA set; writes JSON, Markdown and PNGs.",
    )
    p.add_argument(
        "data", help="SQuAD v1.1/v2 JSON, or JSONL with question/answers[/evidence/article/context]"
    )
    p.add_argument("--out", default="eval-report", help="report folder (default: eval-report/)")
    p.add_argument("--limit", type=int, help="ask a seeded sample of N questions")
    p.add_argument(
        "--split",
        choices=["dev", "test", "all"],
        default="all",
        help="the set's splits: SQuAD's dev is the first half of its articles; JSONL names them ('split')",
    )
    p.add_argument("--answerer", choices=["extractive", "llm", "local"], default="extractive")
    p.add_argument("--seed", type=int, default=0, help="seed for --limit sampling (same seed, same numbers)")
    p.add_argument(
        "--baseline", action="store_true", help="also score the naive LangChain and BM25-only baselines"
    )
    p.add_argument(
        "--distractors", metavar="CSV", help="10kGNAD-style CSV: score again with these articles added"
    )
    p.add_argument("--store", action="store_true", help="ask the configured store (NEWSQA_DATA_DIR) instead")
    p.add_argument(
        "--unanswerable-from-other-split",
        action="store_true",
        help="with --split dev|test: ingest only its articles; the other split's questions are unanswerable",
    )
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.set_defaults(run=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.eval.runner import evaluate

    if args.limit is not None and args.limit < 1:
        raise ValueError("--limit must be at least 1")
    report = evaluate(
        args.data,
        split=args.split,
        limit=args.limit,
        seed=args.seed,
        answerer=args.answerer,
        baseline=args.baseline,
        distractors=args.distractors,
        store=args.store,
        unanswerable_from_other_split=args.unanswerable_from_other_split,
        progress=sys.stderr.isatty(),
    )
    paths = report.write(args.out, plots=not args.no_plots)
    print(report.markdown())
    print("Wrote " + ", ".join(str(p) for p in paths.values()), file=sys.stderr)
    return 0
