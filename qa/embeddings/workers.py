"""Ingest-side encoding: each batch's sentence vectors and BM25 tokens, computed ahead of the writer.

The store writes batch *i* to Chroma while batch *i+1* (and later ones) are encoded elsewhere:

- a large ingest with the local model runs the model in worker processes, one BLAS thread each:
  in one process a second BLAS thread mostly waits, and the model's tokenizer is pure Python
  behind the GIL (docs/benchmarks.md). Chroma's writes run in the main process beside them;
- anything else (a few uploaded articles, OpenAI embeddings, one core) uses one thread, one
  batch ahead: no process start-up for a small job, and a remote model needs no local cores.

Either way batches come back in order, so the writer's consistency rules do not change.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.text.tokens import tokenize

if TYPE_CHECKING:  # a worker process imports this module: LangChain would cost it CPU the model needs
    from langchain_core.embeddings import Embeddings

    from ingest.types import Article

# Below this, starting worker processes costs what they save (docs/benchmarks.md).
PROCESS_POOL_MIN_SENTENCES = 1500
PROCESS_PIECE_SENTENCES = 512  # what a worker encodes at a time: ~1 s, so the last pieces end together


@dataclass(frozen=True, slots=True)
class EncodedBatch:
    """A batch's sentence vectors (one row per sentence) and the BM25 tokens of its sentences and chunks."""

    vectors: np.ndarray
    sentence_tokens: list[list[str]]
    chunk_tokens: list[list[str]]


TextBatch = tuple[list[str], list[str]]  # (sentence texts, chunk texts) of one batch


def encode_batch(embeddings: Embeddings, texts: TextBatch, threads: int | None = None) -> EncodedBatch:
    from qa.embeddings.factory import encode

    return _encoded(encode(embeddings, texts[0], threads=threads), texts)


def _encoded(vectors: np.ndarray, texts: TextBatch) -> EncodedBatch:
    sentences, chunks = texts
    return EncodedBatch(vectors, [tokenize(t) for t in sentences], [tokenize(t) for t in chunks])


def encoded_batches(
    embeddings: Embeddings, batches: Sequence[TextBatch], workers: int
) -> Generator[EncodedBatch, None, None]:
    """Yield :func:`encode_batch` of every batch, in order, each computed before it is asked for.

    ``workers``: cores the model may use. Close the generator (or exhaust it) to stop the workers.
    """
    sentences = sum(len(b[0]) for b in batches)
    workers = min(workers, _usable_cores())
    module = getattr(embeddings, "worker_module", None)  # a local model that can run in a process
    if module and workers > 1 and sentences >= PROCESS_POOL_MIN_SENTENCES:
        # Workers get pieces of a batch, so no worker idles at the end while another finishes a
        # whole batch (2,048 sentences, ~3 s); the writer still gets (and writes) whole batches.
        pieces = [_split(batch, PROCESS_PIECE_SENTENCES) for batch in batches]
        processes = _WorkerProcesses(module, int(getattr(embeddings, "batch_size", 64)))
        try:
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsqa-encode")
            flat = [piece for parts in pieces for piece in parts]
            with closing(_in_order(pool, processes.encode, flat, ahead=4 * workers)) as encoded:
                for parts in pieces:
                    yield _joined([next(encoded) for _ in parts])
        finally:
            processes.close()
    else:
        # One thread encodes beside the writer: leave the writer (Chroma) a core of its own.
        # On 2 shared cores one BLAS thread encoded 2-3x faster than two fighting Chroma and each other.
        threads = max(1, int(getattr(embeddings, "threads", 2)) - 1)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsqa-encode")
        yield from _in_order(pool, partial(encode_batch, embeddings, threads=threads), batches, ahead=1)


def _in_order(
    pool: Executor, fn: Callable[[TextBatch], EncodedBatch], batches: Sequence[TextBatch], ahead: int
) -> Generator[EncodedBatch, None, None]:
    """Keep ``ahead`` batches in flight and yield results in submission order; shut down on exit."""
    pending: deque[Future[EncodedBatch]] = deque()
    try:
        for batch in batches:
            pending.append(pool.submit(fn, batch))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def batch_texts(batch: Sequence[Article]) -> TextBatch:
    """The sentence and chunk texts of a batch of articles, in the order the writer expects."""
    return [s.text for a in batch for s in a.sentences], [c.text for a in batch for c in a.chunks]


def article_batches(articles: Sequence[Article], max_sentences: int) -> Iterator[list[Article]]:
    """Consecutive articles grouped into batches of about ``max_sentences`` sentences."""
    batch: list[Article] = []
    size = 0
    for article in articles:
        batch.append(article)
        size += len(article.sentences)
        if size >= max_sentences:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _split(batch: TextBatch, size: int) -> list[TextBatch]:
    """``batch`` cut into nearly equal pieces of at most ~``size`` sentences (chunks cut alike)."""
    sentences, chunks = batch
    n = max(1, -(-len(sentences) // size))
    return [(_part(sentences, i, n), _part(chunks, i, n)) for i in range(n)]


def _part(items: list[str], i: int, n: int) -> list[str]:
    return items[len(items) * i // n : len(items) * (i + 1) // n]


def _joined(parts: Sequence[EncodedBatch]) -> EncodedBatch:
    return EncodedBatch(
        np.vstack([p.vectors for p in parts]),
        [t for p in parts for t in p.sentence_tokens],
        [t for p in parts for t in p.chunk_tokens],
    )


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _WorkerProcesses:
    """One model process per calling thread, spoken to over its stdin/stdout with pickled batches.

    Plain subprocesses rather than ``multiprocessing``: spawned workers re-import the caller's main
    module, which breaks any script that ingests at top level without a ``__main__`` guard. A
    worker reads until end of input, so it also ends by itself when the ingesting process dies.
    Each thread waits for its worker's answer before sending more, so no pipe can fill both ways.
    """

    def __init__(self, module: str, batch_size: int) -> None:
        self._module = module
        self._batch_size = batch_size
        self._local = threading.local()
        self._started: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def encode(self, texts: TextBatch) -> EncodedBatch:
        process = getattr(self._local, "process", None)
        if process is None:
            process = self._local.process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            pickle.dump(texts, process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            process.stdin.flush()
            return pickle.load(process.stdout)
        except (EOFError, BrokenPipeError, pickle.UnpicklingError) as exc:
            raise RuntimeError(
                f"An encoding worker process stopped (exit code {process.poll()}); see its error above."
            ) from exc

    def close(self) -> None:
        for process in self._started:
            if process.stdin:
                process.stdin.close()  # end of input: the worker leaves its loop
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            if process.stdout:
                process.stdout.close()

    def _start(self) -> subprocess.Popen[bytes]:
        path = [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from qa.embeddings.workers import serve; serve({self._module!r}, {self._batch_size})",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        with self._lock:
            self._started.append(process)
        return process


def serve(module: str, batch_size: int) -> None:
    """A worker: encode pickled batches from stdin onto stdout on one thread, until end of input.

    ``module`` names the model's LangChain-free module (``load_model``, ``encode_texts``).
    """
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the result stream
    local = import_module(module)
    model = local.load_model(threads=1)
    requests = sys.stdin.buffer
    while True:
        try:
            texts = pickle.load(requests)
        except EOFError:
            return
        vectors = local.encode_texts(model, texts[0], batch_size, threads=1)
        pickle.dump(_encoded(vectors, texts), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()
