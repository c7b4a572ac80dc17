"""Ingest encoding ahead of the writer: same results in worker processes, in order, and no leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from helpers import ROOT, SEED

from ingest import load_file
from qa.embeddings import workers as encoding
from qa.embeddings.workers import encode_batch, encoded_batches

SENTENCES = [s.text for s in load_file(SEED)[0].sentences]
two_cores = pytest.mark.skipif(encoding._usable_cores() < 2, reason="worker processes need two cores")


def _batches(n: int) -> list[tuple[list[str], list[str]]]:
    """``n`` batches of distinct sentence lists, each with one 'chunk' (two sentences joined)."""
    texts = [f"{t} ({i})" for i, t in enumerate(SENTENCES * 4)]
    size = len(texts) // n
    return [(texts[i * size : (i + 1) * size], [" ".join(texts[i * size : i * size + 2])]) for i in range(n)]


@two_cores
def test_worker_processes_return_what_the_model_computes_in_process_in_order(monkeypatch, embeddings) -> None:
    monkeypatch.setattr(encoding, "PROCESS_POOL_MIN_SENTENCES", 0)
    monkeypatch.setattr(encoding, "PROCESS_PIECE_SENTENCES", 5)  # 16 sentences, 1 chunk: 4 pieces each
    batches = _batches(5)
    got = list(encoded_batches(embeddings, batches, workers=2))
    assert len(got) == len(batches)
    for batch, result in zip(batches, got, strict=True):
        expected = encode_batch(embeddings, batch)
        assert result.vectors.shape == (len(batch[0]), expected.vectors.shape[1])
        np.testing.assert_allclose(result.vectors, expected.vectors, atol=1e-5)
        assert result.sentence_tokens == expected.sentence_tokens
        assert result.chunk_tokens == expected.chunk_tokens


def test_the_thread_path_returns_every_batch_in_order(embeddings) -> None:
    batches = _batches(3)
    got = list(encoded_batches(embeddings, batches, workers=1))
    assert [g.sentence_tokens for g in got] == [encode_batch(embeddings, b).sentence_tokens for b in batches]


@two_cores
def test_workers_exit_when_the_ingesting_process_is_killed(tmp_path) -> None:
    """A SIGKILLed ``newsqa ingest`` must not leave model processes behind, waiting forever."""
    script = tmp_path / "ingest_then_die.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, signal, sys
            from pathlib import Path
            sys.path.insert(0, {str(ROOT)!r})
            from qa.embeddings import workers as encoding
            from qa.embeddings.use import UniversalSentenceEncoderEmbeddings
            encoding.PROCESS_POOL_MIN_SENTENCES = 0
            batches = [(["Ein Satz.", "Noch einer."], ["Ein Satz. Noch einer."])] * 50
            results = encoding.encoded_batches(UniversalSentenceEncoderEmbeddings(), batches, 2)
            next(results)
            def parent_of(proc):
                try:
                    return (proc / "stat").read_text().split(") ", 1)[1].split()[1]
                except OSError:
                    return None
            me = str(os.getpid())
            children = [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and parent_of(p) == me]
            print(" ".join(children), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            """
        ),
        encoding="utf-8",
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    workers = [int(p) for p in run.stdout.split()]
    assert run.returncode == -9 and workers, run.stderr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers), "encoding workers outlived the killed process"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has exited; only its parent (gone) could reap it
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False
