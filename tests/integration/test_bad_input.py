"""Bad input through every way in: Python API, CLI (in-process per row, one real subprocess for all),
and QA sets for ``newsqa eval``. Each row is rejected with a clear message naming the file, or
accepted with a documented result; nothing crashes, and a rejected input leaves the store as it was.

Documented results (accepted): Latin-1 / Windows-1252 / UTF-8-BOM text (read correctly), HTML with
scripts and iframes (only the visible text is stored), an article of only numbers, and a 1 MB line
without punctuation (cut at whitespace into "sentences" of at most ``MAX_SENTENCE_CHARS``).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import ROOT, SEED, build_qa
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.embeddings import DeterministicFakeEmbedding

from ingest import load_articles
from ingest.sentences import MAX_SENTENCE_CHARS, _cut_long, split_sentences
from qa.api import NewsQA, QuestionError
from qa.cli import main

MB = 1_000_000
HTML = b"""<html><head><title>Stadtrat beschliesst Haushalt</title>
<script>alert("xss"); document.cookie</script></head><body><article>
<h1>Stadtrat beschliesst Haushalt</h1>
<p>Der Stadtrat hat am Dienstag den Haushalt fuer das kommende Jahr beschlossen. Die Opposition
stimmte dagegen und kritisierte die hohen Ausgaben fuer neue Strassen.</p>
<iframe src="https://evil.example/frame"></iframe><script src="https://evil.example/x.js"></script>
<p onclick="steal()">Die Buergermeisterin sprach von einem guten Tag fuer die Stadt und dankte allen.</p>
</article></body></html>"""

# (file name, content) -> regex the message must match; every rejected file leaves the store alone
REJECTED: dict[str, tuple[bytes | Callable[[Path], None], str]] = {
    "leer.txt": (b"", "the file is empty"),
    "blank.txt": (b"  \n\t\r\n  \n", "only whitespace"),
    "bericht.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", r"binary file \(PDF\)"),
    "bericht.pdf": (b"%PDF-1.7\n", r"unsupported file type '\.pdf'"),
    "bild.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), r"binary file \(PNG image\)"),
    "zufall.txt": (random.Random(3).randbytes(8192), "binary file|non-printable"),
    "riesig.txt": (lambda p: _sparse(p, 50 * MB), r"50\.0 MB, larger than the limit of 20\.0 MB"),
    "kaputt.jsonl": (
        b'{"title": "A", "text": "Eins."}\n{"title": "B", "text": \n{"title": "C", "text": "Drei."}\n',
        r"1 bad line\(s\), so nothing of this file was ingested: line 2 \(malformed JSON",
    ),
    "kaputt.json": (b'[{"title": "A", "text": "Eins."},\n {"title": "B" "text": "Zwei."}]', "line 2, column"),
    "ohne-text.json": (b'[{"title": "A", "text": "Eins."}, {"title": "B"}]', r'record 2 \(no "text" field\)'),
}

LATIN = "Größere Änderungen für Bürger in Köln. Die Straße bleibt gesperrt, sagte der Bürgermeister."
CP1252 = "„Das ist teuer“, sagte sie – 5 € pro Stück. Die Maßnahme gilt ab Montag."
# (file name, content) -> substrings the stored article text must (and must not) contain
ACCEPTED: dict[str, tuple[bytes, list[str], list[str]]] = {
    "latin1.txt": (LATIN.encode("latin-1"), ["Größere", "Straße", "Köln"], ["\ufffd", "Ã"]),
    "cp1252.txt": (CP1252.encode("cp1252"), ["„Das ist teuer“", "5 €", "Maßnahme"], ["\ufffd", "Ã"]),
    "bom.txt": (b"\xef\xbb\xbf" + LATIN.encode("utf-8"), ["Größere"], ["\ufeff"]),
    "seite.html": (HTML, ["Haushalt", "Buergermeisterin"], ["alert", "cookie", "evil.example", "<", "steal"]),
    "zahlen.txt": (b"1 2 3\n4 5 6\n7,5 8.000 9\n", ["7,5 8.000 9"], []),
}


def _sparse(path: Path, size: int) -> None:
    """A file of ``size`` bytes that takes no disk space (and no time) to create."""
    with open(path, "wb") as fh:
        fh.truncate(size)


def _write(folder: Path, name: str, content: bytes | Callable[[Path], None]) -> Path:
    path = folder / name
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    return path


def sizes(qa: NewsQA) -> tuple[int, ...]:
    """Everything a write could change: articles, chunks (with their sentence vectors), both BM25 indexes."""
    return tuple(qa.store.record_counts().values())


@pytest.fixture(scope="module")
def store(seeded: NewsQA) -> NewsQA:
    return seeded


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_through_the_api(store: NewsQA, tmp_path: Path, name: str) -> None:
    content, message = REJECTED[name]
    path = _write(tmp_path, name, content)
    before = sizes(store)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = store.ingest([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 5 * MB, f"{name}: {peak / MB:.0f} MB allocated; the file must not be read whole"
    [problem] = result.problems
    assert problem.path == str(path) and problem.message.startswith(str(path))
    assert re.search(message, problem.message), problem.message
    assert not result.report.changed and sizes(store) == before


def test_ingest_urls_refuses_paths_and_other_schemes(store: NewsQA, tmp_path: Path) -> None:
    """The page's URL box reaches ``ingest_urls``: a path typed there must not ingest server files."""
    folder = tmp_path / "server-files"
    folder.mkdir()
    (folder / "secret.txt").write_text("Geheim. Das Passwort lautet Sonnenblume.", encoding="utf-8")
    entries = [str(folder), str(folder / "secret.txt"), "file:///etc/passwd", "ftp://127.0.0.1/x"]
    before = sizes(store)
    result = store.ingest_urls(entries)
    assert [p.path for p in result.problems] == entries
    assert all(p.message == f"{e}: not an http(s) URL" for p, e in zip(result.problems, entries, strict=True))
    assert not result.report.changed and sizes(store) == before


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_through_the_cli_main(
    store: NewsQA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The CLI entry point in-process (the subprocess below covers all rows at once)."""
    content, message = REJECTED[name]
    path = _write(tmp_path, name, content)
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(store.settings.data_dir))
    before = sizes(store)
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["ingest", str(path)])
    assert code == 2
    assert "0 added" in out.getvalue() and f"skipped {path}: " in err.getvalue()
    assert re.search(message, err.getvalue()) and "Traceback" not in err.getvalue()
    store.store.refresh()
    assert sizes(store) == before


def test_all_rejected_files_through_the_real_cli(tmp_path: Path, store: NewsQA) -> None:
    """One real ``newsqa ingest`` process on every bad file: a message per file, exit 2, no traceback,
    the 50 MB file rejected quickly, and the store (shared with the API tests) unchanged."""
    folder = tmp_path / "bad"
    folder.mkdir()
    paths = [_write(folder, name, content) for name, (content, _) in REJECTED.items()]
    before = sizes(store)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env["NEWSQA_DATA_DIR"] = str(store.settings.data_dir)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest", *map(str, paths)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert time.perf_counter() - started < 60
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    for path, (_, message) in zip(paths, REJECTED.values(), strict=True):
        line = next(x for x in done.stderr.splitlines() if x.startswith(f"skipped {path}: "))
        assert re.search(message, line), line
    store.store.refresh()
    assert sizes(store) == before


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_with_a_documented_result(make_qa, tmp_path: Path, name: str) -> None:
    content, present, absent = ACCEPTED[name]
    qa = make_qa()
    result = qa.ingest([_write(tmp_path, name, content)])
    assert not result.problems and len(result.report.added) == 1
    article = qa.article(result.report.added[0])
    assert article is not None
    for text in present:
        assert text in article.text, (text, article.text)
    for text in absent:
        assert text not in article.text and text not in article.title
    assert all(article.text[s.start : s.end] == s.text for s in article.sentences)
    assert sizes(qa)[2] == len(article.sentences)


class _NamedFake(DeterministicFakeEmbedding):
    """Cheap vectors: what is tested here is segmentation and the store, not embedding quality."""

    name: str = "fake-512"


def test_megabyte_line_without_punctuation_is_cut_and_stored(tmp_path: Path) -> None:
    """Accepted: a 1 MB line becomes ~500 "sentences" of at most 2000 characters, split in linear time.

    Real embeddings would take ~25 s for a megabyte (like any 1 MB article), so the store here
    uses fake ones. Fails without the cap in ``split_sentences``: one 1 MB sentence, quoted whole.
    """
    rng = random.Random(5)
    words = ["Regierung", "kanzler", "berlin", "wahl", "zeitung", "stadt", "frieden", "wirtschaft"]
    line = " ".join(rng.choice(words) for _ in range(130_000))[:MB]
    path = tmp_path / "zeile.txt"
    path.write_text(line, encoding="utf-8")
    started = time.perf_counter()
    [article], problems = load_articles([path])
    assert time.perf_counter() - started < 3 and not problems
    lengths = [s.end - s.start for s in article.sentences]
    assert max(lengths) <= MAX_SENTENCE_CHARS and len(lengths) >= MB // MAX_SENTENCE_CHARS
    qa = build_qa(tmp_path / "store", _NamedFake(size=512))
    assert qa.ingest([path]).report.added == [article.id]
    assert sizes(qa)[2] == len(lengths)
    answer = qa.ask("Was sagt der Kanzler in Berlin über die Wirtschaft?")
    assert all(len(c.text) <= MAX_SENTENCE_CHARS for c in answer.citations + answer.passages)


def test_long_token_stays_whole_and_splitting_stays_linear() -> None:
    text = ("x" * 5000 + " ") * 200  # 1 MB of 5000-character "words"
    started = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - started < 2
    assert [e - s for s, e in spans] == [5000] * 200


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\t\u00a0.x"), max_size=300), st.integers(1, 40))
def test_cutting_long_spans_keeps_offsets_exact(text: str, limit: int) -> None:
    """Pieces are ordered, stripped, at most ``limit`` long unless a single token is longer, and
    cover every non-space character of the span."""
    stripped = text.strip()
    if not stripped:
        return
    start = len(text) - len(text.lstrip())
    end = start + len(stripped)
    pieces = _cut_long(text, start, end, limit)
    previous = start
    covered = set()
    for a, b in pieces:
        piece = text[a:b]
        assert previous <= a < b <= end and piece == piece.strip()
        assert len(piece) <= limit or not any(c.isspace() for c in piece)
        covered.update(range(a, b))
        previous = b
    assert all(i in covered for i in range(start, end) if not text[i].isspace())


# ---- questions --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty"),
        (" \n\t ", "the question is empty"),
        ("Warum " * 1667, "has 10,001 characters; the limit is 2,000"),
        ("x" * 10_000, "has 10,000 characters; the limit is 2,000"),
    ],
)
def test_bad_questions_are_a_clear_error(store: NewsQA, question: str, message: str) -> None:
    before = sizes(store)
    with pytest.raises(QuestionError, match=message):
        store.ask(question)
    with pytest.raises(QuestionError, match=message):
        list(store.stream(question))
    assert sizes(store) == before


@pytest.mark.parametrize("question", ["???", "1234567890", "\x00\x01 Kiew \x7f", "<script>alert(1)</script>"])
def test_odd_questions_get_an_answer_not_a_crash(store: NewsQA, question: str) -> None:
    answer = store.ask(question)
    assert answer.abstained or answer.citations
    assert "<script>" not in answer.text


def test_overlong_question_through_the_real_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env["NEWSQA_DATA_DIR"] = str(tmp_path / "empty-store")
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", "x" * 10_000],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "10,000 characters; the limit is 2,000" in done.stderr


# ---- QA sets for `newsqa eval` ------------------------------------------------------------------
GOOD_ROW = (
    '{"question": "Was wies der Generalstab zurück?", "answers": ["dass die Soldaten eingekesselt seien"]}'
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b" \n \n", "the file is empty"),
        (b"%PDF-1.7\n1 0 obj\n", "line 1: malformed JSON"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "cannot read the QA set"),
        (random.Random(4).randbytes(4096), "cannot read the QA set|malformed JSON"),
        ((GOOD_ROW + "\n" + GOOD_ROW[:-5] + "\n" + GOOD_ROW).encode(), "line 2: malformed JSON"),
        ('{"question": "Größe?", "answers": ["ß"]}'.encode("latin-1"), "cannot read the QA set"),
    ],
    ids=["empty", "blank", "pdf", "png", "random", "malformed-line-2", "latin-1"],
)
def test_bad_qa_sets_are_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    from qa.eval import DatasetError, load_dataset

    path = tmp_path / "set.jsonl"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message) as info:
        load_dataset(path)
    assert str(path) in str(info.value)


def test_qa_set_with_bom_and_crlf_is_read(tmp_path: Path) -> None:
    from qa.eval import load_dataset

    path = tmp_path / "set.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (GOOD_ROW + "\r\n" + GOOD_ROW + "\r\n").encode())
    examples = load_dataset(path).examples
    assert [e.question for e in examples] == ["Was wies der Generalstab zurück?"] * 2


def test_seed_is_still_answered_after_all_that(store: NewsQA) -> None:
    assert store.articles()[0].source == str(SEED)
