"""Large and pathological inputs: many articles in one ingest, JSON nested too deeply, huge titles.

Before: 200,000 tiny articles failed with "too many SQL variables" (one Chroma look-up for every
id at once), a ``.json`` nested 100,000 deep aborted the whole command with a ``RecursionError``
naming no file (and the good file beside it was not ingested; the web upload left it in
``uploads/``), and a 100 KB title was stored and printed whole.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

from ingest import build_article
from ingest.articles import MAX_TITLE_CHARS
from ingest.types import sentence_id

GOOD = "Die Fähre nach Amrum fällt am Dienstag wegen Sturm aus. Der Betreiber bietet Ersatzfahrten an."
DEPTH = 100_000


def _bad_and_good(folder: Path) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    deep = folder / "deep.json"
    deep.write_text("[" * DEPTH + "]" * DEPTH, encoding="utf-8")
    deep_line = folder / "deep.jsonl"
    deep_line.write_text(json.dumps({"title": "ok", "text": GOOD}) + "\n" + "{" + '"a":{' * DEPTH + "\n")
    good = folder / "faehre.txt"
    good.write_text(f"Fähre\n\n{GOOD}\n", encoding="utf-8")
    return deep, deep_line, good


def test_many_articles_are_looked_up_in_batches(make_qa) -> None:
    """40,000 ids in one look-up are more than SQLite takes. Copies of one text under 40,000 names
    make ``add`` look up every id, while only the first copy is embedded (the rest are duplicates)."""
    qa = make_qa()
    copies = [build_article("Pegel", GOOD, f"copy-{i}", source_key=f"copy-{i}") for i in range(40_000)]
    report = qa.add_articles(copies)
    assert report.added == [copies[0].id] and len(report.duplicates) == 39_999
    assert qa.add_articles(copies).unchanged == [copies[0].id]
    rows = qa.store.sentence_rows([sentence_id(c.id, 0) for c in copies])
    assert list(rows) == [sentence_id(copies[0].id, 0)]


def test_json_nested_too_deeply_is_rejected_by_name_and_the_rest_ingested(tmp_path: Path) -> None:
    deep, deep_line, good = _bad_and_good(tmp_path / "files")
    done = run("ingest", str(deep), str(deep_line), str(good), data_dir=tmp_path / "store")
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    problems = [line for line in done.stderr.splitlines() if line.startswith("skipped")]
    assert problems == [
        f"skipped {deep}: the JSON is nested too deeply",
        f"skipped {deep_line}: 1 bad line(s), so nothing of this file was ingested: "
        "line 2 (nested too deeply)",
    ]
    assert all(line.count(str(tmp_path)) == 1 for line in problems), problems  # the path once
    assert "Recursion" not in done.stderr and "Traceback" not in done.stderr


def test_web_upload_of_a_too_deep_json_keeps_the_good_file_only(make_qa, tmp_path: Path) -> None:
    from ui.articles import Articles

    qa = make_qa()
    deep, _, good = _bad_and_good(tmp_path / "files")
    status, *_ = Articles(qa).ingest_files([str(deep), str(good)], progress=lambda *a, **k: None)
    rejected = [line for line in status.splitlines() if "deep" in line]
    assert len(rejected) == 1 and "nested too deeply" in rejected[0], status
    assert [a.title for a in qa.articles()] == ["Fähre"]
    assert sorted(p.name for p in (Path(qa.settings.data_dir) / "uploads").iterdir()) == ["faehre.txt"]


def test_titles_are_capped(make_qa, tmp_path: Path) -> None:
    qa = make_qa()
    huge = "Sturmflut " * 10_000  # 100 KB
    record = tmp_path / "huge.json"
    record.write_text(json.dumps({"title": huge, "text": GOOD}), encoding="utf-8")
    qa.ingest([record])
    qa.add_text(huge, "Die Deiche hielten der Sturmflut an der Nordsee stand.")
    titles = [a.title for a in qa.articles()]
    assert len(titles) == 2
    assert all(
        len(t) <= MAX_TITLE_CHARS and t.startswith("Sturmflut Sturmflut") and t.endswith("…") for t in titles
    )
