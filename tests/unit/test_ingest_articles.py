"""Articles and loaders: stable ids, content hashes, the seed, per-file problems."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import (
    IngestError,
    IngestProblem,
    article_from_text,
    article_id,
    build_article,
    load_articles,
    load_file,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "Trump-bittet-Putin-um-Schonung-ukrainischer-Soldaten-in-Kursk.txt"
GENERALSTAB = "Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien."


def test_seed_article() -> None:
    [article] = load_file(SEED)
    file_text = SEED.read_bytes().decode("utf-8")
    assert article.text == file_text
    assert article.title == "Trump bittet Putin um Schonung ukrainischer Soldaten in Kursk"
    [sentence] = [s for s in article.sentences if s.text == GENERALSTAB]
    assert file_text[sentence.start : sentence.end] == GENERALSTAB
    assert sentence.id == f"{article.id}:{sentence.index}"
    quote = [s.text for s in article.sentences if s.text.startswith('"Genau in diesem Moment')]
    assert len(quote) == 1 and quote[0].endswith("Truth Social.")
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text and s.article_id == article.id
    for c in article.chunks:
        assert article.text[c.start : c.end] == c.text
    assert {i for c in article.chunks for i in c.sentence_indices} == set(range(len(article.sentences)))
    assert article.id == article_id(str(SEED.resolve()))
    assert len(article.id) == 16 and int(article.id, 16) >= 0


def test_same_file_twice_same_id_and_hash(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Eins ist hier. Zwei ist da.", encoding="utf-8")
    first, second = load_file(path)[0], load_file(path)[0]
    assert (first.id, first.content_hash) == (second.id, second.content_hash)
    path.write_text("Eins ist hier. Zwei ist woanders.", encoding="utf-8")
    changed = load_file(path)[0]
    assert changed.id == first.id and changed.content_hash != first.content_hash


def test_whitespace_only_changes_keep_the_hash(tmp_path: Path) -> None:
    a = build_article("T", "Eins.  Zwei.\n", "s")
    b = build_article("T", "Eins.\nZwei.", "s")
    assert a.content_hash == b.content_hash
    assert build_article("Anders", "Eins.\nZwei.", "s").content_hash != a.content_hash


def test_id_key_precedence() -> None:
    with_url = build_article("T", "Text.", "file.txt", url="https://x.de/a", source_key="/p/file.txt")
    assert with_url.id == article_id("https://x.de/a")
    assert build_article("T", "Text.", "file.txt", source_key="/p/file.txt").id == article_id("/p/file.txt")
    pasted = build_article("T", "Text.", "pasted")
    assert pasted.id == article_id(pasted.content_hash)


def test_json_records_keep_ids_when_text_changes(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    b_line = json.dumps({"title": "B", "text": "B."})
    path.write_text(json.dumps({"title": "A", "text": "Alt."}) + "\n" + b_line)
    old = load_file(path)
    path.write_text(json.dumps({"title": "A", "text": "Neu."}) + "\n" + b_line)
    new = load_file(path)
    assert [a.id for a in old] == [a.id for a in new]
    assert old[0].content_hash != new[0].content_hash and old[1].content_hash == new[1].content_hash
    assert old[0].id == article_id(f"{path.resolve()}#A")


def test_blank_text_is_an_error() -> None:
    with pytest.raises(IngestError, match="no sentences"):
        build_article("T", "  \n ", "s")
    with pytest.raises(IngestError, match="empty"):
        article_from_text("T", "   ")


def test_article_from_text() -> None:
    article = article_from_text("", "\ufeffErster Satz. Zweiter Satz.")
    assert article.title == "Erster Satz."
    assert article.source == "pasted"
    assert [s.text for s in article.sentences] == ["Erster Satz.", "Zweiter Satz."]
    assert article_from_text("", "Erster Satz. Zweiter Satz.").id == article.id
    assert article_from_text("T", "Text.", url="https://x.de").id == article_id("https://x.de")


def test_load_articles_collects_problems_per_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Gut. Sehr gut.", encoding="utf-8")
    (tmp_path / "sub" / "b.json").write_text('[{"title": "B", "text": "Auch gut."}]', encoding="utf-8")
    (tmp_path / "sub" / "bad.jsonl").write_text('{"text": "ok."}\n{broken\n', encoding="utf-8")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    articles, problems = load_articles([tmp_path, tmp_path / "a.txt", tmp_path / "nope.txt"])
    assert [a.title for a in articles] == ["A", "B"]  # a.txt read once, in sorted order
    by_path = {Path(p.path).name: p.message for p in problems}
    assert set(by_path) == {"empty.md", "bad.jsonl", "nope.txt"}
    assert "line 2" in by_path["bad.jsonl"]
    assert "no such file" in by_path["nope.txt"]
    assert all(isinstance(p, IngestProblem) for p in problems)


def test_duplicate_ids_later_wins(tmp_path: Path) -> None:
    (tmp_path / "1.json").write_text('{"title": "Alt", "text": "Alt.", "url": "https://x.de/a"}')
    (tmp_path / "2.json").write_text('{"title": "Neu", "text": "Neu.", "url": "https://x.de/a"}')
    articles, problems = load_articles([tmp_path])
    assert [a.title for a in articles] == ["Neu"]
    assert len(problems) == 1 and "replaces" in problems[0].message


def test_load_file_errors(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        load_file(tmp_path / "missing.txt")


def test_import_is_light() -> None:
    code = "import sys, ingest; print(any(m.startswith(('trafilatura', 'lxml')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_same_text_under_another_name_has_the_same_hash(tmp_path: Path) -> None:
    (tmp_path / "copy-of-seed.txt").write_bytes(SEED.read_bytes())
    [original] = load_file(SEED)
    [copy] = load_file(tmp_path / "copy-of-seed.txt")
    assert copy.title == "Copy of seed" and copy.id != original.id
    assert copy.content_hash == original.content_hash  # a made-up title is not content


def test_given_titles_are_content(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('{"url": "https://x.de/a", "title": "Alt", "text": "Text."}')
    [old] = load_file(path)
    path.write_text('{"url": "https://x.de/a", "title": "Neu", "text": "Text."}')
    [new] = load_file(path)
    assert old.id == new.id and old.content_hash != new.content_hash
    assert article_from_text("", "Text.").content_hash != article_from_text("T", "Text.").content_hash
