"""Cold starts on a small store: how long a command takes from a fresh process, against its libraries.

``python bench/cold_start.py [--repeats 3]`` (``--smoke``: one repeat). On a store of the seed article
(``newsqa ingest seeds/`` into a temporary folder), each measurement runs ``--repeats`` times, each
in a fresh process, in a bounded loop:

- ``newsqa --help``, ``newsqa list``, ``newsqa ask "…"`` (the extractive answerer) and
  ``newsqa ingest --if-empty seeds/`` (what ``make run`` does first): start to exit;
- ``newsqa serve`` (what ``make run`` then starts, on 127.0.0.1): start until the page answers HTTP
  200, and until the first answer through the page's API (``gradio_client``, ``/chat``);
- the baseline, in the same run: ``python -c pass``, ``import chromadb`` and ``import gradio`` alone,
  so each figure is also given as a ratio against what its libraries cost before newsqa does anything.

``--bytecode cached`` (the default) runs every command once unmeasured first, with Python's bytecode
written to ``bench/.cache/pycache`` (``PYTHONPYCACHEPREFIX``, so the venv is never written to): what
a start costs once the modules are compiled, as after a first run or in a venv installed with
``--compile-bytecode`` (the Makefile's ``UV_COMPILE_BYTECODE``). ``--bytecode venv`` uses only the
bytecode the interpreter and the venv hold and writes none (``PYTHONDONTWRITEBYTECODE=1``): in a venv
installed without it, every start compiles Gradio and Chroma from source (the report says whether
the venv held Gradio's bytecode).

Each figure is wall seconds and CPU seconds (user + system) of the process: on a shared machine the
wall time follows the other jobs' load, the CPU time much less. Reports the load average before and
after. Results:
``bench/results/cold_start-<bytecode>[-smoke].{json,md}``; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
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

from bench.common import CACHE, NEWSQA, PYTHON, ROOT, machine, newsqa_env, serving, table, write_results

QUESTION = "Was wies der Generalstab in Kiew zurück?"
BASELINES = {"python": "pass", "import chromadb": "import chromadb", "import gradio": "import gradio"}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of ``command`` from start to exit (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def serve_once(directory: Path) -> dict[str, tuple[float, float]]:
    """One ``newsqa serve``: wall and CPU seconds from its start to the page, and to the first answer
    through the page's API (the server's CPU, not this client's)."""
    from gradio_client import Client

    started = time.perf_counter()
    with serving(directory) as served:
        messages, *_ = Client(served.url, verbose=False).predict(QUESTION, api_name="/chat")
        answer = (time.perf_counter() - started, served.cpu_s())
    if "Generalstab" not in messages[0]["content"]:
        raise RuntimeError(f"the page's first answer cites no seed sentence: {messages[0]['content']!r}")
    return {"page": (served.page_s, served.page_cpu_s), "answer": answer}


def summary(runs: list[tuple[float, float]]) -> dict[str, Any]:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return {
        "runs_s": walls,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "cpu_runs_s": cpus,
        "median_cpu_s": statistics.median(cpus),
    }


def repeated(repeats: int, measure: Callable[[], tuple[float, float]]) -> dict[str, Any]:
    return summary([measure() for _ in range(repeats)])


def use_bytecode(mode: str) -> None:
    """Set this process's environment (which every measured process inherits) for ``mode``."""
    if mode == "cached":
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    else:
        os.environ.pop("PYTHONPYCACHEPREFIX", None)
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def venv_has_bytecode() -> bool:
    """Whether the venv holds compiled bytecode for Gradio (the largest import of ``newsqa serve``)."""
    import importlib.util

    spec = importlib.util.find_spec("gradio")
    return bool(spec and spec.origin and any(Path(spec.origin).parent.glob("__pycache__/*.pyc")))


def run(repeats: int, bytecode: str) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "repeats": repeats, "bytecode": bytecode}
    results["venv_bytecode"] = venv_has_bytecode()
    with tempfile.TemporaryDirectory(prefix="newsqa-cold-") as folder:
        directory = Path(folder) / "store"
        use_bytecode(bytecode)
        env = newsqa_env(directory)
        timed([str(NEWSQA), "ingest", str(ROOT / "seeds")], env)
        if bytecode == "cached":  # one unmeasured run of each, which compiles what it imports
            for code in BASELINES.values():
                timed([PYTHON, "-c", code], env)
            timed([str(NEWSQA), "ask", QUESTION], env)
            serve_once(directory)
        baseline = {
            name: repeated(repeats, partial(timed, [PYTHON, "-c", code], env))
            for name, code in BASELINES.items()
        }
        commands = {
            "newsqa --help": [str(NEWSQA), "--help"],
            "newsqa list": [str(NEWSQA), "list"],
            "newsqa ask": [str(NEWSQA), "ask", QUESTION],
            # what `make run` does before it serves, on a store that holds articles
            "newsqa ingest --if-empty seeds/": [str(NEWSQA), "ingest", "--if-empty", str(ROOT / "seeds")],
        }
        measured = {
            name: repeated(repeats, partial(timed, command, env)) for name, command in commands.items()
        }
        served = [serve_once(directory) for _ in range(repeats)]
    measured["newsqa serve: page"] = summary([s["page"] for s in served])
    measured["newsqa serve: first answer"] = summary([s["answer"] for s in served])
    results |= {"baseline": baseline, "commands": measured, "machine_after": machine()}
    return results


# The baseline each command is compared with: the library it cannot start without.
AGAINST = {
    "newsqa --help": "python",
    "newsqa list": "import chromadb",
    "newsqa ask": "import chromadb",
    "newsqa ingest --if-empty seeds/": "import chromadb",
    "newsqa serve: page": "import gradio",
    "newsqa serve: first answer": "import gradio",
}


def markdown(results: dict[str, Any]) -> str:
    base, measured = results["baseline"], results["commands"]
    m = results["machine"]

    def row(name: str, c: dict[str, Any], against: str = "") -> list[str]:
        ratio = f"{c['median_cpu_s'] / base[against]['median_cpu_s']:.2f}x `{against}`" if against else ""
        return [name, f"{c['median_s']:.2f}", f"{c['min_s']:.2f}", f"{c['median_cpu_s']:.2f}", ratio]

    rows = [row(f"`{name}` (baseline)", b) for name, b in base.items()]
    rows += [row(f"`{name}`", c, AGAINST[name]) for name, c in measured.items()]
    header = ["command", "wall median s", "wall min s", "CPU median s", "CPU / baseline CPU"]
    return (
        f"# Cold start\n\nMachine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; load average "
        f"{m['loadavg']} at start, {results['machine_after']['loadavg']} at end. Store: the seed article. "
        f"{results['repeats']} fresh processes per row; bytecode: {results['bytecode']} (the venv held "
        f"Gradio's: {results['venv_bytecode']}). CPU: user + "
        "system seconds of the process (for the server: until the page answered / until it had answered).\n\n"
        + table(header, rows)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--bytecode", choices=("cached", "venv"), default="cached", help="see the docstring")
    parser.add_argument("--smoke", action="store_true", help="one repeat")
    args = parser.parse_args(argv)
    results = run(1 if args.smoke else args.repeats, args.bytecode)
    json_path, md_path = write_results(
        f"cold_start-{args.bytecode}" + ("-smoke" if args.smoke else ""), results, markdown(results)
    )
    print(md_path.read_text(encoding="utf-8"))
    print(f"wrote {json_path}, {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
