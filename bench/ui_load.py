"""Many people asking the web chat at once: seconds per answer through ``newsqa serve``.

``python bench/ui_load.py [--users 30] [--seconds 60] [--articles 300] [--think 0]``: a store of the
seed article and 10kGNAD rows 40.. (benchmark data, never questions), ``newsqa serve`` on 127.0.0.1 in its own
process with the extractive answerer, and ``--users`` gradio_client sessions, each asking the seed
questions (bench/data/seed_questions.jsonl) one after another through ``/chat`` until ``--seconds``
have passed (a bounded loop). The baseline measured in the same run is the same questions through
``NewsQA.ask`` in one process, one at a time: what an answer costs without the serving path, so the
report gives the ratio. Results: bench/results/ui_load-think<T>.json; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import CACHE, QUESTIONS, RESULTS, SEED, build, gnad_rows, machine, percentiles, serving  # noqa: E402

FIRST_ROW = 40  # rows 0-39 are the news dev set's articles


def ensure_store(n: int) -> Path:
    """The seed article and ``n - 1`` 10kGNAD articles, built once and kept in bench/.cache."""
    directory = CACHE / "stores" / f"ui-load-{n}"
    if (directory / "done").exists():
        return directory
    from common import RawArticle

    from qa.api import NewsQA
    from qa.settings import Settings

    rows = gnad_rows(FIRST_ROW + n - 1)[FIRST_ROW:]
    raw = [RawArticle(f"10kgnad/{FIRST_ROW + i}", label, text) for i, (label, text) in enumerate(rows)]
    qa = NewsQA(Settings(_env_file=None, data_dir=directory))  # type: ignore[call-arg]
    qa.ingest([SEED])
    qa.store.add(build(raw))
    (directory / "done").write_text(str(qa.store.count()))
    return directory


def baseline(directory: Path, questions: list[str]) -> dict[str, float]:
    """Seconds per answer of ``NewsQA.ask`` in this process, after one warm-up question."""
    from qa.api import NewsQA
    from qa.settings import Settings

    qa = NewsQA(Settings(_env_file=None, data_dir=directory))  # type: ignore[call-arg]
    qa.ask(questions[0])
    seconds = []
    for question in questions * 2:
        started = time.perf_counter()
        qa.ask(question)
        seconds.append(time.perf_counter() - started)
    return percentiles(seconds)


def users(url: str, questions: list[str], count: int, seconds: float, think: float) -> dict[str, Any]:
    """``count`` sessions asking in a loop until ``seconds`` have passed, each reading its answer for
    ``think`` seconds (0: asking again at once, the server's capacity); every answer's seconds."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(count)]
    clients[0].predict(questions[0], api_name="/chat")  # the server's first answer loads its models
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def user(k: int) -> None:
        i = k
        time.sleep(think * k / count)  # people do not all press Enter in the same instant
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                clients[k].predict(questions[i % len(questions)], api_name="/chat")
                with lock:
                    times.append(time.perf_counter() - started)
            except Exception as exc:  # counted, not raised: the bench reports errors
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
            i += 1
            time.sleep(think)

    threads = [threading.Thread(target=user, args=(k,)) for k in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"answers": len(times), "errors": errors, "per_second": len(times) / wall, **percentiles(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user reads an answer")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    directory = ensure_store(args.articles)
    base = baseline(directory, questions)
    with serving(directory) as served:
        load = users(served.url, questions, args.users, args.seconds, args.think)
    result = {"machine": machine(), "args": vars(args), "baseline_ask": base, "served": load}
    result["ratio_p50"] = load["p50"] / base["p50"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ui_load-think{args.think:g}.json").write_text(json.dumps(result, indent=2))
    shown = {k: v for k, v in result.items() if k != "machine"}
    print(json.dumps(shown | {"load": result["machine"]["loadavg"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
