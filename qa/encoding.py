"""Ingest-side encoding: each batch's sentence vectors and BM25 tokens, computed ahead of the writer.

The store writes batch *i* to Chroma while batch *i+1* (and later ones) are encoded elsewhere:

- a large ingest with the local model runs the model in worker processes, one BLAS thread each.
  On 2 cores, 22,681 sentences took 18.5 s in two single-threaded processes and 25.5 s in one
  process with two BLAS threads (``bench/ingest.py``, ceiling): the second BLAS thread mostly
  waits, and the model's tokenizer is pure Python behind the GIL. Chroma's writes then run in the
  main process beside them;
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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from qa.embeddings import UniversalSentenceEncoderEmbeddings, encode
from qa.ranking import tokenize

PROCESS_POOL_MIN_SENTENCES = 4096  # below this, starting workers (~1 s) costs more than it saves


@dataclass(frozen=True, slots=True)
class EncodedBatch:
    """A batch's sentence vectors (one row per sentence) and the BM25 tokens of its sentences and chunks."""

    vectors: np.ndarray
    sentence_tokens: list[list[str]]
    chunk_tokens: list[list[str]]


TextBatch = tuple[list[str], list[str]]  # (sentence texts, chunk texts) of one batch


def encode_batch(embeddings: Embeddings, texts: TextBatch, threads: int | None = None) -> EncodedBatch:
    sentences, chunks = texts
    return EncodedBatch(
        encode(embeddings, sentences, threads=threads),
        [tokenize(t) for t in sentences],
        [tokenize(t) for t in chunks],
    )


def encoded_batches(
    embeddings: Embeddings, batches: Sequence[TextBatch], workers: int
) -> Iterator[EncodedBatch]:
    """Yield :func:`encode_batch` of every batch, in order, each computed before it is asked for.

    ``workers``: cores the model may use. Close the generator (or exhaust it) to stop the workers.
    """
    sentences = sum(len(b[0]) for b in batches)
    workers = min(workers, _usable_cores())
    if (
        isinstance(embeddings, UniversalSentenceEncoderEmbeddings)
        and workers > 1
        and (sentences >= PROCESS_POOL_MIN_SENTENCES)
    ):
        processes = _WorkerProcesses(embeddings.batch_size)
        try:
            threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsqa-encode")
            yield from _in_order(threads, processes.encode, batches, ahead=workers + 1)
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
) -> Iterator[EncodedBatch]:
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

    def __init__(self, batch_size: int) -> None:
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
        path = [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
        process = subprocess.Popen(
            [sys.executable, "-c", f"from qa.encoding import serve; serve({self._batch_size})"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        with self._lock:
            self._started.append(process)
        return process


def serve(batch_size: int) -> None:
    """A worker: encode pickled batches from stdin onto stdout, one BLAS thread, until end of input."""
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the result stream
    model = UniversalSentenceEncoderEmbeddings(threads=1, batch_size=batch_size)
    requests = sys.stdin.buffer
    while True:
        try:
            texts = pickle.load(requests)
        except EOFError:
            return
        pickle.dump(encode_batch(model, texts, threads=1), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()
