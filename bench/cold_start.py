"""Cold starts on a small store: how long a command takes from a fresh process, against its libraries.

``python bench/cold_start.py [--repeats 3]`` (``--smoke``: one repeat). On a store of the seed article
(``newsqa ingest seeds/`` into a temporary folder), each measurement runs ``--repeats`` times, each
in a fresh process, in a bounded loop:

- ``newsqa --help``, ``newsqa list`` and ``newsqa ask "…"`` (the extractive answerer): start to exit;
- ``newsqa serve`` (what ``make run`` starts, on 127.0.0.1): start until the page answers HTTP 200,
  and until the first answer through the page's API (``gradio_client``, ``/chat``);
- the baseline, in the same run: ``python -c pass``, ``import chromadb`` and ``import gradio`` alone,
  so each figure is also given as a ratio against what its libraries cost before newsqa does anything.

Reports the load average before and after (the machine may be shared). Results:
``bench/results/cold_start[-smoke].{json,md}``; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

# The repository root first: bench/ (this script's folder, which Python puts on the path) holds an
# ingest.py that would shadow the ``ingest`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import NEWSQA, PYTHON, ROOT, machine, newsqa_env, serving, table, write_results

QUESTION = "Was wies der Generalstab in Kiew zurück?"
BASELINES = {"python": "pass", "import chromadb": "import chromadb", "import gradio": "import gradio"}


def timed(command: list[str], env: dict[str, str]) -> float:
    """Seconds from the start of ``command`` to its exit (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds


def serve_once(directory: Path) -> dict[str, float]:
    """One ``newsqa serve``: seconds from its start to the page, and to the first answer through it."""
    from gradio_client import Client

    started = time.perf_counter()
    with serving(directory) as (url, page_s):
        messages, *_ = Client(url, verbose=False).predict(QUESTION, api_name="/chat")
        answer_s = time.perf_counter() - started
    if "Generalstab" not in messages[0]["content"]:
        raise RuntimeError(f"the page's first answer cites no seed sentence: {messages[0]['content']!r}")
    return {"page_s": page_s, "answer_s": answer_s}


def repeated(repeats: int, measure: Callable[[], float]) -> dict[str, Any]:
    runs = [measure() for _ in range(repeats)]
    return {"runs_s": runs, "median_s": statistics.median(runs), "min_s": min(runs)}


def run(repeats: int) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "repeats": repeats}
    with tempfile.TemporaryDirectory(prefix="newsqa-cold-") as folder:
        directory = Path(folder) / "store"
        env = newsqa_env(directory)
        timed([str(NEWSQA), "ingest", str(ROOT / "seeds")], env)
        baseline = {
            name: repeated(repeats, partial(timed, [PYTHON, "-c", code], env))
            for name, code in BASELINES.items()
        }
        commands = {
            "newsqa --help": [str(NEWSQA), "--help"],
            "newsqa list": [str(NEWSQA), "list"],
            "newsqa ask": [str(NEWSQA), "ask", QUESTION],
        }
        measured = {
            name: repeated(repeats, partial(timed, command, env)) for name, command in commands.items()
        }
        served = [serve_once(directory) for _ in range(repeats)]
    for key, name in (("page_s", "newsqa serve: page"), ("answer_s", "newsqa serve: first answer")):
        runs = [s[key] for s in served]
        measured[name] = {"runs_s": runs, "median_s": statistics.median(runs), "min_s": min(runs)}
    results |= {"baseline": baseline, "commands": measured, "machine_after": machine()}
    return results


# The baseline each command is compared with: the library it cannot start without.
AGAINST = {
    "newsqa --help": "python",
    "newsqa list": "import chromadb",
    "newsqa ask": "import chromadb",
    "newsqa serve: page": "import gradio",
    "newsqa serve: first answer": "import gradio",
}


def markdown(results: dict[str, Any]) -> str:
    base, measured = results["baseline"], results["commands"]
    m = results["machine"]
    rows = [
        [f"`{name}` (baseline)", f"{b['median_s']:.2f}", f"{b['min_s']:.2f}", ""] for name, b in base.items()
    ]
    for name, c in measured.items():
        against = AGAINST[name]
        ratio = c["median_s"] / base[against]["median_s"]
        rows.append([f"`{name}`", f"{c['median_s']:.2f}", f"{c['min_s']:.2f}", f"{ratio:.1f}x `{against}`"])
    return (
        f"# Cold start\n\nMachine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; load average "
        f"{m['loadavg']} at start, {results['machine_after']['loadavg']} at end. Store: the seed article. "
        f"{results['repeats']} fresh processes per row.\n\n"
        + table(["command", "median s", "min s", "median / baseline"], rows)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--smoke", action="store_true", help="one repeat")
    args = parser.parse_args(argv)
    results = run(1 if args.smoke else args.repeats)
    json_path, md_path = write_results(
        "cold_start-smoke" if args.smoke else "cold_start", results, markdown(results)
    )
    print(md_path.read_text(encoding="utf-8"))
    print(f"wrote {json_path}, {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
