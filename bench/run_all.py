"""Run every performance benchmark: ``make bench`` (``--smoke`` for the tiny versions, in seconds).

Ingest first (it builds the stores that the query bench reuses), then queries; then one summary
``bench/results/summary.md`` with both tables and the acceptance targets of issue #6 checked, so a
run is judged from one file. Training (``qa/training``) and evaluation are quality, not speed, and
live in ``qa``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import PYTHON, RESULTS, ROOT, machine  # noqa: E402


def targets(ingest: dict[str, Any], query: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The issue's targets as (target, measured, met), for the sizes this run measured."""
    out: list[tuple[str, str, bool]] = []
    sizes = ingest["sizes"]
    compared = [n for n in sizes if "ceiling" in sizes[n]]
    if compared:
        n = max(compared, key=int)
        e = sizes[n]
        out.append(
            (
                f"ingest {n} ≥ 60% of the embedding ceiling",
                f"{e['newsqa_over_ceiling']:.0%}",
                e["newsqa_over_ceiling"] >= 0.6,
            )
        )
        out.append(
            (
                f"ingest {n} ≥ 1.5× the LangChain baseline",
                f"{e['newsqa_over_baseline']:.2f}×",
                e["newsqa_over_baseline"] >= 1.5,
            )
        )
        share = e["newsqa"]["reingest_share"]
        out.append((f"re-ingest unchanged {n} < 10% of first ingest", f"{share:.1%}", share < 0.10))
    q = query["sizes"][max(query["sizes"], key=int)]["newsqa"]
    n = max(query["sizes"], key=int)
    out.append(
        (
            f"answer p50 < 150 ms at {n} articles",
            f"{q['answer']['p50_ms']:.0f} ms",
            q["answer"]["p50_ms"] < 150,
        )
    )
    out.append(
        (
            f"retrieval p50 < 50 ms at {n} articles",
            f"{q['retrieval']['p50_ms']:.0f} ms",
            q["retrieval"]["p50_ms"] < 50,
        )
    )
    help_s = query["cold_start"]["help"]["median_s"]
    out.append(("`newsqa --help` < 1 s", f"{help_s:.2f} s", help_s < 1.0))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny versions of every bench")
    args = parser.parse_args(argv)
    flags = ["--smoke"] if args.smoke else []
    started = time.perf_counter()
    for script in ("ingest.py", "query.py"):
        subprocess.run([PYTHON, str(HERE / script), *flags], check=True, cwd=ROOT)
    suffix = "-smoke" if args.smoke else ""
    ingest = json.loads((RESULTS / f"ingest{suffix}.json").read_text(encoding="utf-8"))
    query = json.loads((RESULTS / f"query{suffix}.json").read_text(encoding="utf-8"))
    rows = targets(ingest, query)
    lines = ["| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {t} | {m} | {'yes' if ok else 'NO'} |" for t, m, ok in rows]
    summary = {
        "machine": machine(),
        "seconds": time.perf_counter() - started,
        "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in rows],
    }
    (RESULTS / f"summary{suffix}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    text = (
        f"# newsqa performance{' (smoke)' if args.smoke else ''}\n\n## Targets\n\n"
        + "\n".join(lines)
        + "\n\n"
        + (RESULTS / f"ingest{suffix}.md").read_text(encoding="utf-8").replace("# ", "## ", 1)
        + "\n"
        + (RESULTS / f"query{suffix}.md").read_text(encoding="utf-8").replace("# ", "## ", 1)
    )
    (RESULTS / f"summary{suffix}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
