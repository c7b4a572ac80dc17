"""The performance benchmarks still run: each ``bench/`` script with ``--smoke``, in a subprocess.

Only the shape of the JSON each writes is checked, never a timing: benchmarks are measured by
``make bench`` on a quiet machine, not asserted in unit tests on a shared one. Needs the 10kGNAD
file from the shared data folder (benchmark data, never shipped); skipped where it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
_CANDIDATES = [
    Path(os.environ.get("NEWSQA_BENCH_GNAD", "/work/shared/data/10kgnad_test.csv")),
    ROOT.parent / "shared" / "data" / "10kgnad_test.csv",  # CI: shared/ beside the clone
]
GNAD = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not GNAD.exists(), reason="10kGNAD benchmark data not available"),
]


def _run(script: str, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env.update(GRADIO_ANALYTICS_ENABLED="False", NEWSQA_BENCH_GNAD=str(GNAD))
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def _load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}-smoke.json").read_text(encoding="utf-8"))


def test_ingest_smoke_writes_its_figures() -> None:
    _run("ingest.py", "--repeats", "3")  # the pairs a full run repeats, kept working
    data = _load("ingest")
    assert {"machine", "sizes", "smoke"} <= data.keys() and data["smoke"] is True
    entry = data["sizes"]["20"]
    assert {"newsqa", "ceiling", "baseline", "newsqa_over_ceiling", "newsqa_over_baseline"} <= entry.keys()
    assert {
        "articles",
        "sentences",
        "seconds",
        "articles_per_s",
        "sentences_per_s",
        "reingest_seconds",
        "reingest_share",
        "peak_rss_mb",
    } <= entry["newsqa"].keys()
    assert entry["newsqa"]["articles"] == 20 and entry["newsqa"]["sentences"] > 0
    assert {"sentences_per_s", "seconds"} <= entry["ceiling"].keys()
    assert {"chunks", "seconds"} <= entry["baseline"].keys()
    assert len(entry["pairs"]) == 3  # the reported pair is one of them
    assert entry["baseline"]["seconds"] in [pair["baseline"] for pair in entry["pairs"]]
    assert (RESULTS / "ingest-smoke.md").exists() and (RESULTS / "ingest-smoke_growth.png").exists()


def test_query_smoke_writes_its_figures() -> None:
    _run("query.py")  # builds the 20-article stores itself if the ingest smoke has not run
    data = _load("query")
    entry = data["sizes"]["20"]
    for part in ("retrieval", "answer"):
        assert {"n", "p50_ms", "p95_ms"} <= entry["newsqa"][part].keys()
        assert entry["newsqa"][part]["n"] == 5
    assert {"p50_ms", "p95_ms"} <= entry["baseline"]["retrieval"].keys()
    assert "retrieval_over_baseline_p50" in entry
    cold = data["cold_start"]
    assert {"help", "ask", "serve"} <= cold.keys()
    assert "median_s" in cold["help"] and {"first_output_s", "exit_s"} <= cold["ask"].keys()
    assert "available" in cold["serve"]
    assert (RESULTS / "query-smoke.md").exists()


def test_run_all_smoke_checks_the_targets() -> None:
    _run("run_all.py")
    summary = json.loads((RESULTS / "summary-smoke.json").read_text(encoding="utf-8"))
    assert summary["targets"] and all({"target", "measured", "met"} <= t.keys() for t in summary["targets"])


def test_cold_start_smoke_writes_its_figures() -> None:
    _run("cold_start.py")  # one fresh process per row (after one unmeasured run that compiles)
    data = _load("cold_start-cached")
    assert data["bytecode"] == "cached" and data["repeats"] == 1
    assert {"python", "import chromadb", "import gradio"} == data["baseline"].keys()
    commands = data["commands"]
    assert {
        "newsqa --help",
        "newsqa list",
        "newsqa ask",
        "newsqa serve: page",
        "newsqa serve: first answer",
    } <= (commands.keys())
    for figures in [*data["baseline"].values(), *commands.values()]:
        assert {"median_s", "min_s", "median_cpu_s"} <= figures.keys() and figures["median_s"] > 0
    assert commands["newsqa serve: first answer"]["median_s"] > commands["newsqa serve: page"]["median_s"]
    assert (RESULTS / "cold_start-cached-smoke.md").exists()
