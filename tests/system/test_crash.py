"""Crash safety: the real CLI SIGKILLed mid-ingest leaves a store that opens consistent and resumes;
``newsqa doctor`` repairs damaged BM25 files and Chroma orphans (and says so)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import GENERALSTAB, ROOT, SEED, build_qa, vectored_sentence_ids

from ingest import load_file
from ingest.types import article_of
from qa.cli import main
from qa.store.lexical import LexicalIndex
from qa.text.tokens import tokenize

NEWSQA = [sys.executable, "-m", "qa.cli"]
N_ARTICLES = 160  # long enough that every kill point lands mid-ingest on a quiet machine
SENTENCES_PER_ARTICLE = 6

_SUBJECTS = ["Die Regierung", "Der Bürgermeister", "Die Polizei", "Der Verband", "Die Ministerin",
             "Das Gericht", "Der Stadtrat", "Die Gewerkschaft", "Der Konzern", "Die Opposition"]  # fmt: skip
_VERBS = ["kündigte", "kritisierte", "bestätigte", "verschob", "prüfte", "forderte", "lehnte", "plante"]
_OBJECTS = ["den Ausbau der Bahnstrecke", "neue Regeln für Mieten", "die Sanierung der Schulen",
            "eine Reform der Rente", "höhere Löhne in der Pflege", "den Bau eines Windparks",
            "strengere Kontrollen an der Grenze", "mehr Geld für die Feuerwehr"]  # fmt: skip
_TAILS = ["am Montag an", "nach langer Debatte", "vor dem Landtag", "in einer Mitteilung",
          "zum Ärger der Anwohner", "trotz hoher Kosten", "im Frühjahr", "ohne weitere Angaben"]  # fmt: skip


def write_articles(folder: Path, n: int = N_ARTICLES, sentences: int = SENTENCES_PER_ARTICLE) -> Path:
    """German-ish news articles with a unique title and a unique token per sentence."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        lines = [f"Meldung {i}: Nachrichten aus Musterstadt", ""]
        lines += [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}, "
            f"teilte Sprecher Nummer{i}x{j} mit."
            for j in range(sentences)
        ]
        (folder / f"meldung-{i:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env["NEWSQA_DATA_DIR"] = str(data_dir)
    env["NEWSQA_EMBED_BATCH_SENTENCES"] = "21"  # 3 articles per commit: many points to be killed at
    return env


def inspect(data_dir: Path, embeddings) -> dict:
    """Open the store (which repairs), run ``newsqa doctor``, and report every invariant.

    In-process for speed, but on a fresh Chroma client: the embedded client caches its segments
    per path, so the cache is dropped first and only what reached the disk is seen.
    """
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    out = io.StringIO()
    with _environ(_env(data_dir)), contextlib.redirect_stdout(out):
        code = main(["doctor"])
    store = build_qa(data_dir, embeddings).store
    ids = {"sentences": vectored_sentence_ids(store), "chunks": store._chunks.get(include=[])["ids"]}
    owners = {name: Counter(article_of(i) for i in found) for name, found in ids.items()}
    state = {
        "doctor_code": code,
        "doctor": out.getvalue(),
        "articles": {a.id: [a.n_sentences, a.n_chunks] for a in store.list_articles()},
        "sentence_owners": owners["sentences"],
        "chunk_owners": owners["chunks"],
        "sentence_ids": sorted(ids["sentences"]),  # those whose vectors the chunk records hold
        "chunk_ids": sorted(ids["chunks"]),
        "lexical": [_live(index) for index in store.lexical_indexes()],
        "lexical_on_disk": [
            _live(LexicalIndex.load(data_dir / "lexical" / "newsqa" / f"{name}.npz"))
            for name in ("sentences", "chunks")
        ],
    }
    SharedSystemClient.clear_system_cache()  # let the next subprocess own the files alone
    return state


def _live(index: LexicalIndex) -> list[str]:
    return sorted(i for i, row in index.row_of.items() if index.alive[row])


@contextlib.contextmanager
def _environ(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def assert_consistent(state: dict) -> None:
    """Each article is complete everywhere (record, sentences, chunks, both BM25 indexes) or absent."""
    assert state["doctor_code"] == 0 and "consistent" in state["doctor"], state["doctor"]
    articles = state["articles"]
    assert set(state["sentence_owners"]) == set(articles), "sentences without an article record"
    assert set(state["chunk_owners"]) == set(articles), "chunks without an article record"
    for article_id, (n_sentences, n_chunks) in articles.items():
        assert state["sentence_owners"][article_id] == n_sentences == SENTENCES_PER_ARTICLE + 1
        assert state["chunk_owners"][article_id] == n_chunks
    assert state["lexical"] == [state["sentence_ids"], state["chunk_ids"]]
    assert state["lexical_on_disk"] == state["lexical"], "the repaired BM25 index was not saved"


def _chroma_bytes(data_dir: Path) -> int:
    root = data_dir / "chroma"
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def _ingest_and_kill(folder: Path, data_dir: Path, after_writes: float | None, delay: float) -> None:
    """Start the CLI ingest and SIGKILL it: ``delay`` s after start, or after its first write."""
    proc = subprocess.Popen(
        [*NEWSQA, "ingest", str(folder)], env=_env(data_dir), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if after_writes is not None:  # progress = the Chroma files growing past their size at start
            start_size = _chroma_bytes(data_dir)
            deadline = time.time() + 60
            while _chroma_bytes(data_dir) <= start_size + after_writes and proc.poll() is None:
                assert time.time() < deadline, "the ingest never wrote anything"
                time.sleep(0.02)
        time.sleep(delay)
        assert proc.poll() is None, "the ingest finished before it could be killed; make it longer"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_a_consistent_store_that_resumes(tmp_path: Path, embeddings) -> None:
    folder = write_articles(tmp_path / "articles")
    data_dir = tmp_path / "store"
    seen: list[int] = []
    # at the first write (mid-batch), and later, between or inside the following batches
    for after_writes, delay in ((0, 0.0), (0, 0.5), (0, 1.0)):
        _ingest_and_kill(folder, data_dir, after_writes, delay)
        state = inspect(data_dir, embeddings)
        assert_consistent(state)
        seen.append(len(state["articles"]))
    assert seen[-1] < N_ARTICLES, f"the kills came too late to interrupt anything: {seen}"
    done = subprocess.run(
        [*NEWSQA, "ingest", str(folder), "--json"], env=_env(data_dir), cwd=ROOT,
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["added"]) == N_ARTICLES - seen[-1] and len(report["unchanged"]) == seen[-1]
    final = inspect(data_dir, embeddings)
    assert_consistent(final)
    assert len(final["articles"]) == N_ARTICLES
    assert len(final["sentence_ids"]) == N_ARTICLES * (SENTENCES_PER_ARTICLE + 1)
    assert "The store is consistent." in final["doctor"]


@pytest.fixture
def stored(make_qa, tmp_path: Path) -> Path:
    """A store holding the seed article, written in-process; the checks run in subprocesses."""
    make_qa(data_dir=tmp_path / "doctor-store").ingest([SEED])
    return tmp_path / "doctor-store"


def test_doctor_repairs_deleted_and_corrupted_lexical_indexes(stored: Path, embeddings) -> None:
    lexical = stored / "lexical" / "newsqa"
    (lexical / "sentences.npz").unlink()
    (lexical / "chunks.npz").write_bytes(os.urandom(4096))
    state = inspect(stored, embeddings)
    assert "Lexical index repaired: +1" in state["doctor"] and "now consistent" in state["doctor"]
    assert len(state["lexical"][0]) == 21 and state["lexical"] == [state["sentence_ids"], state["chunk_ids"]]
    assert state["lexical_on_disk"] == state["lexical"], "the repair must be saved, not only done in memory"


def test_doctor_removes_chroma_orphans(make_qa, stored: Path, tmp_path: Path, embeddings) -> None:
    qa = make_qa(data_dir=stored)
    kept = qa.articles()[0].id
    # an interrupted write of a second article: its chunks landed, its record did not
    other = load_file(_copy_with_new_text(tmp_path))[0]
    qa.store._write_batch([other])
    qa.store._articles.delete(ids=[other.id])
    state = inspect(stored, embeddings)
    assert "Removed chunk records of 1 article stored incompletely." in state["doctor"]
    assert state["sentence_owners"] == {kept: 21} and set(state["chunk_owners"]) == {kept}


def _copy_with_new_text(tmp_path: Path) -> Path:
    path = tmp_path / "andere-meldung.txt"
    path.write_text("Eine andere Meldung.\n\nDer Stadtrat tagte am Montag. Er beschloss nichts.\n", "utf-8")
    return path


def test_crash_while_replacing_an_article_never_leaves_its_old_wording_in_bm25(make_qa, tmp_path) -> None:
    """Replacing keeps the article id; a crash before the final BM25 save must not resurrect old text.

    Fails without the early lexical save in ``ArticleStore._plan``: the stale rows carry the same
    article id as the new version, so the id-based reconciliation on open cannot see them.
    """
    path = tmp_path / "artikel.txt"
    shutil.copy(SEED, path)
    qa = make_qa()
    qa.ingest([path])
    path.write_text(
        SEED.read_text(encoding="utf-8").replace(GENERALSTAB, "Der Generalstab in Kiew schwieg dazu."),
        encoding="utf-8",
    )
    write = qa.store._write_batch

    def write_then_die(*args: object) -> None:
        write(*args)  # Chroma holds the new version, committed...
        raise KeyboardInterrupt  # ...and the process dies before the lexical index is saved

    qa.store._write_batch = write_then_die
    with pytest.raises(KeyboardInterrupt):
        qa.ingest([path])
    reopened = make_qa()
    index = reopened.store.sentence_index
    assert index.top(tokenize("schwieg"), 1), "the new wording must be searchable"
    assert index.top(tokenize("zurück"), 5) == [], "the old wording is still in the BM25 index"
    assert len(index) == len(vectored_sentence_ids(reopened.store))
