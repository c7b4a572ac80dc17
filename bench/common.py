"""Shared pieces of the ``bench/`` scripts: the 10kGNAD corpus, result files, machine facts.

10kGNAD (CC BY-NC-SA 4.0) is read from ``/work/shared/data`` at run time and never copied into
the repository or the package: it is benchmark data only. Results go to ``bench/results/``
(gitignored); stores built by the ingest bench are kept in ``bench/.cache/stores/`` so the query
bench can reuse them instead of re-embedding 200k sentences.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(ROOT)]:
    # first, before the script's folder bench/ (whose ingest.py would shadow the ``ingest`` package),
    # also when ROOT is on the path already behind it (PYTHONPATH, an editable install)
    sys.path.insert(0, str(ROOT))

from ui.served_process import PageNotServed, page_process  # noqa: E402  (after ROOT is on the path)


def _gnad_path() -> Path:
    """10kGNAD's test split: ``NEWSQA_BENCH_GNAD``, else the shared data folder (here or beside the clone)."""
    if os.environ.get("NEWSQA_BENCH_GNAD"):
        return Path(os.environ["NEWSQA_BENCH_GNAD"])
    candidates = [
        Path("/work/shared/data/10kgnad_test.csv"),
        ROOT.parent / "shared" / "data" / "10kgnad_test.csv",
    ]
    return next((p for p in candidates if p.exists()), candidates[0])


GNAD = _gnad_path()
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"
STORES = CACHE / "stores"
PYTHON = sys.executable
QUESTIONS = ROOT / "bench" / "data" / "seed_questions.jsonl"
"""Questions about the seed article written for the benches (held out from tuning)."""
SEED = next((ROOT / "seeds").glob("*.txt"))
NEWSQA = Path(sys.executable).with_name("newsqa")
"""The console script ``make run`` starts (beside this interpreter)."""


def percentiles(values: list[float]) -> dict[str, float]:
    import numpy as np

    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95))}


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One benchmark article before segmentation: what a reader would hand to ``build_article``."""

    key: str
    label: str
    text: str


def gnad_rows(limit: int | None = None) -> list[tuple[str, str]]:
    """``(label, text)`` rows of 10kGNAD's test split (``label;'text'``, ``'`` as quote char)."""
    csv.field_size_limit(10**8)
    rows: list[tuple[str, str]] = []
    with open(GNAD, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter=";", quotechar="'"):
            if len(row) >= 2 and row[1].strip():
                rows.append((row[0], row[1]))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def corpus(n: int) -> list[RawArticle]:
    """``n`` articles: the real ones first, then copies of them with new ids.

    A copy gets a new key (so a new article id) and a "(Kopie k)" title, which enters the content
    hash, so the store treats it as a new article rather than a duplicate of stored text; its
    sentences are embedded and indexed like any other. This is how the 10,000-article corpus is made
    from the 1028 real articles.
    """
    rows = gnad_rows()
    out: list[RawArticle] = []
    for i in range(n):
        copy, j = divmod(i, len(rows))
        label, text = rows[j]
        out.append(RawArticle(f"10kgnad/{j}" + (f"/copy{copy}" if copy else ""), label, text))
    return out


def build(raw: Sequence[RawArticle]) -> list:
    """Segment raw articles into ``Article``s, as ``newsqa ingest`` does for a JSONL file."""
    from ingest import build_article

    articles = []
    for r in raw:
        copy = r.key.rsplit("/copy", 1)[1] if "/copy" in r.key else ""
        title = f"{r.label}: Artikel {r.key.split('/')[1]}" + (f" (Kopie {copy})" if copy else "")
        articles.append(build_article(title, r.text, "10kgnad_test.csv", url=f"bench://{r.key}"))
    return articles


def build_newsqa(n: int, directory: Path) -> dict[str, Any]:
    """A newsqa store for query timing only: each distinct sentence encoded once, on both cores.

    A copy's sentences are its original's texts and embed to the same vectors, so the store is the
    one ``newsqa ingest`` writes, without encoding the 10,000-article corpus ten times over (~28 min
    with e5 on 2 cores; bench/ingest.py times real ingests).
    """
    import numpy as np

    from qa.embeddings.factory import make_embeddings
    from qa.embeddings.workers import encoded_batches
    from qa.settings import Settings
    from qa.store import ArticleStore

    settings = Settings(_env_file=None, data_dir=directory)
    model = make_embeddings(settings)
    articles = build(corpus(n))
    texts = list(dict.fromkeys(s.text for a in articles for s in a.sentences))
    pieces = [(texts[i : i + 2048], []) for i in range(0, len(texts), 2048)]
    vectors = np.vstack(
        [b.vectors for b in encoded_batches(model, pieces, int(getattr(model, "threads", 2)))]
    )
    memo = dict(zip(texts, vectors, strict=True))

    class Cached(type(model)):  # type: ignore[misc]  # the configured local model, answering from memo
        worker_module = None  # encode in this process, where the memo is

        def encode(self, texts: Any, threads: int | None = None) -> np.ndarray:
            return np.stack([memo[t] for t in texts]) if len(texts) else vectors[:0]

    shutil.rmtree(directory, ignore_errors=True)
    report = ArticleStore(settings, Cached()).add(articles)
    return {"articles": len(report.added), "distinct_sentences": len(texts)}


def store_dir(kind: str, n: int, smoke: bool = False) -> Path:
    """Where the ingest bench leaves the store of ``kind`` ("newsqa"/"baseline") for ``n`` articles."""
    return STORES / f"{'smoke-' if smoke else ''}{kind}-{n}"


def machine() -> dict[str, Any]:
    """The facts that make timings comparable: CPU model, cores, load, versions."""
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        names = (ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name"))
        model = next(names, "")
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(script: Path, args: Sequence[str], timeout: float = 3600) -> dict[str, Any]:
    """Run ``script args`` in a fresh interpreter and return the JSON object it prints last.

    Every measurement runs in its own process: peak memory is then that measurement's alone, and a
    model or a Chroma client loaded by one measurement cannot warm the next one's caches.
    """
    proc = subprocess.run(
        [PYTHON, str(script), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{proc.stderr[-4000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1])


def write_results(name: str, data: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """Write ``bench/results/<name>.json`` and ``<name>.md``; returns both paths."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path, md_path = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    return json_path, md_path


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def percentile(values: Sequence[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def newsqa_env(directory: Path, **extra: str) -> dict[str, str]:
    """This environment without the caller's newsqa/OpenAI settings, on the store at ``directory``,
    with the extractive answerer and no Gradio analytics (no outbound calls)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env.update(NEWSQA_DATA_DIR=str(directory), NEWSQA_ANSWERER="extractive", GRADIO_ANALYTICS_ENABLED="False")
    return env | extra


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far, from ``/proc`` (0.0 elsewhere).

    On a shared machine a process's CPU time barely depends on the load, unlike its wall time."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@dataclass
class Served:
    """A running ``newsqa serve``: its URL, and the seconds from its start until its page answered."""

    url: str
    page_s: float
    page_cpu_s: float
    pid: int

    def cpu_s(self) -> float:
        """The server's CPU seconds so far."""
        return process_cpu_s(self.pid)


@contextmanager
def serving(directory: Path, timeout: float = 300) -> Iterator[Served]:
    """``newsqa serve`` on ``directory`` (127.0.0.1, a free port, no login) in its own process, ended
    afterwards; yields it once its page answers HTTP 200."""
    port = free_port()
    env = newsqa_env(directory, NEWSQA_HOST="127.0.0.1", NEWSQA_PORT=str(port), NEWSQA_AUTH="")
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    try:
        with page_process([str(NEWSQA), "serve"], url, env=env, cwd=ROOT, timeout=timeout) as proc:
            yield Served(url, time.perf_counter() - started, process_cpu_s(proc.pid), proc.pid)
    except PageNotServed as exc:
        raise RuntimeError(f"{exc} (run newsqa serve by hand to see why)") from None
