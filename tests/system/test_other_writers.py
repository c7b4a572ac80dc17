"""A running NewsQA (as in ``newsqa serve``) sees what other processes write to its store.

Another process adds an article, replaces one and deletes one; the next question of the running
NewsQA answers from the new state, with no error and nothing stale from its caches. On an embedded
store the writer is a separate process on the same data directory (before, a question about the new
article failed with Chroma's "Error finding id": this process's in-memory vector index did not hold
it). On a ``chroma run`` server it is another client with a data directory (and BM25 indexes) of its
own (before, the reader's BM25 index never learnt of the other client's writes).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import GENERALSTAB, ROOT, SEED
from test_chroma_server import chroma_url  # noqa: F401  (the module's ``chroma run`` fixture)

from qa.api import NewsQA

NEW = "Die Bürgermeisterin Alwine Quastorf eröffnete am Montag die Brücke über die Wumme."
OLD = "Das Hafenfest in Kleinmöwen beginnt am Freitag um 18 Uhr auf der Mole."
CHANGED = "Das Hafenfest in Kleinmöwen beginnt am Samstag um 20 Uhr auf der Mole."
ASK_NEW = "Wer eröffnete die Brücke über die Wumme?"
ASK_CHANGED = "Wann beginnt das Hafenfest in Kleinmöwen?"
ASK_DELETED = "Was wies der Generalstab in Kiew zurück?"


def _article(folder: Path, name: str, title: str, sentence: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{sentence} Weitere Einzelheiten folgen.\n", encoding="utf-8")
    return path


def _cited(qa: NewsQA, question: str) -> list[str]:
    answer = qa.ask(question)
    return [c.text for c in answer.citations] + [p.text for p in answer.passages]


def _check_reader_follows(reader: NewsQA, folder: Path, write: Callable[[list[Path], str], None]) -> None:
    """``write(paths, delete_id)``: another process ingests ``paths`` and deletes ``delete_id``."""
    old = _article(folder, "hafenfest.txt", "Hafenfest", OLD)
    seed_id = reader.ingest([SEED, old]).report.added[0]
    # the reader has asked (and cached records) before the other process writes
    assert reader.ask(ASK_DELETED).citations[0].text == GENERALSTAB
    assert reader.ask(ASK_CHANGED).citations[0].text == OLD
    assert NEW not in _cited(reader, ASK_NEW)

    new = _article(folder, "bruecke.txt", "Brückenbau", NEW)
    _article(folder, "hafenfest.txt", "Hafenfest", CHANGED)  # same file: replaces the old version
    write([new, old], seed_id)

    assert reader.ask(ASK_NEW).citations[0].text == NEW
    assert reader.ask(ASK_CHANGED).citations[0].text == CHANGED
    assert OLD not in _cited(reader, ASK_CHANGED)
    assert GENERALSTAB not in _cited(reader, ASK_DELETED)
    assert sorted(a.title for a in reader.articles()) == ["Brückenbau", "Hafenfest"]
    assert reader.article(seed_id) is None
    hafenfest = reader.article(next(a.id for a in reader.articles() if a.title == "Hafenfest"))
    assert hafenfest is not None and CHANGED in hafenfest.text
    counts = reader.store.record_counts()
    assert counts["articles"] == 2
    assert counts["lexical_sentences"] == sum(a.n_sentences for a in reader.articles())


def test_a_running_newsqa_sees_another_process_write_to_its_embedded_store(make_qa, tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    reader = make_qa(data_dir=data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env["NEWSQA_DATA_DIR"] = str(data_dir)
    code = (
        "import sys; from qa.api import NewsQA; qa = NewsQA(); qa.ingest(sys.argv[2:]); "
        "assert qa.delete(sys.argv[1])"
    )

    def write(paths: list[Path], delete_id: str) -> None:
        done = subprocess.run(
            [sys.executable, "-c", code, delete_id, *map(str, paths)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]

    _check_reader_follows(reader, tmp_path / "articles", write)


@pytest.mark.server
def test_clients_of_one_chroma_server_see_each_others_writes(
    make_qa,
    chroma_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    reader = make_qa(chroma_url=chroma_url, data_dir=tmp_path / "reader", collection_prefix="shared")
    writer = make_qa(chroma_url=chroma_url, data_dir=tmp_path / "writer", collection_prefix="shared")

    def write(paths: list[Path], delete_id: str) -> None:
        writer.ingest(paths)
        assert writer.delete(delete_id)

    _check_reader_follows(reader, tmp_path / "articles", write)
    # and the other way round: the writer's BM25 index follows the reader's earlier ingest
    assert writer.ask(ASK_CHANGED).citations[0].text == CHANGED
    assert writer.store.record_counts() == reader.store.record_counts()
