"""The evaluation report's shape: one set stays one set, headings say what was asked of what, and
the abstention figures appear wherever they apply. Hand-made records, no model."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import RIGHT, WRONG, eval_record, write_jsonl

from qa.eval.datasets import DatasetError, load_dataset
from qa.eval.report import EvalReport

# answerable and right (de), answerable and wrongly abstained (en), unanswerable and abstained (de)
ONE_SET = [("all", "de", True, RIGHT), ("all", "en", True, None), ("all", "de", False, None)]


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``## heading``, as cells."""
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


def test_a_set_without_splits_is_one_set_asked_of_the_store() -> None:
    report = EvalReport(
        [eval_record(*r) for r in ONE_SET], {"store": True}, {"dataset": "mine.jsonl", "store_articles": 4}
    )
    assert report.splits == ["all"]
    markdown = report.markdown()
    assert "dev" not in markdown and "test" not in markdown
    rows = table_rows(markdown, "Asked of your store (4 articles)")
    assert rows == [rows[0]] and rows[0][:3] == ["newsqa", "3", "0.500"]  # one row: 1 of 2 first citations
    header = markdown.split("## Asked of your store (4 articles)\n\n", 1)[1].splitlines()[0]
    cells = dict(zip([c.strip() for c in header.strip("|").split("|")], rows[0], strict=True))
    assert cells["wrong abst."] == "0.500" and cells["abstain (unans.)"] == "1.000"
    assert "articles of the set only" not in markdown


def test_the_language_table_shows_the_abstention_figures() -> None:
    report = EvalReport([eval_record(*r) for r in ONE_SET], {"store": True}, {"store_articles": 1})
    rows = {r[1]: r for r in table_rows(report.markdown(), "By question language")}
    assert rows["de"][-2:] == ["0.000", "1.000"]  # wrong abst., abstain (unans.)
    assert rows["en"][-2:] == ["1.000", "–"]  # no unanswerable English question: no figure


def test_named_splits_keep_their_rows_and_the_set_articles_heading() -> None:
    splits = [("dev", "de", True, RIGHT), ("test", "de", True, WRONG), ("test", "de", False, None)]
    report = EvalReport([eval_record(*r) for r in splits], {"store": False}, {"articles": 2})
    assert report.splits == ["dev", "test", "all"]
    rows = table_rows(report.markdown(), "Asked of the set's own articles (2 articles)")
    assert [r[1] for r in rows] == ["dev", "test", "all"]
    assert report.asked_of(language="de") == "An die Artikel des Fragensatzes gestellt (2 Artikel)"


def test_distractors_heading_names_them() -> None:
    records = [eval_record(*r) for r in ONE_SET] + [eval_record(*r, condition="distractors") for r in ONE_SET]
    meta = {"articles": 1, "distractors": {"file": "gnad.csv", "articles": 50}, "distractor_ingest_s": 1.0}
    markdown = EvalReport(records, {"store": False}, meta).markdown()
    assert "## Asked of the set's own articles (1 article)" in markdown
    assert "## Asked of the set's own articles and 50 articles of gnad.csv" in markdown
    assert table_rows(markdown, "By question language")[0][0] == "without distractors"


def test_jsonl_splits_come_from_the_file_only(tmp_path: Path) -> None:
    plain = [{"question": f"Frage {i}?", "answers": ["x"], "article": f"A{i}", "context": "x."}
             for i in range(3)]  # fmt: skip
    assert {e.split for e in load_dataset(write_jsonl(tmp_path / "a.jsonl", plain)).examples} == {"all"}
    named = [r | {"split": s} for r, s in zip(plain, ["dev", "dev", "test"], strict=True)]
    loaded = load_dataset(write_jsonl(tmp_path / "b.jsonl", named))
    assert [e.split for e in loaded.examples] == ["dev", "dev", "test"]
    assert [a.split for a in loaded.articles] == ["dev", "dev", "test"]
    with pytest.raises(DatasetError, match="line 3: field 'split': missing"):
        load_dataset(write_jsonl(tmp_path / "c.jsonl", [*named[:2], plain[2]]))


def test_plots_take_titles_with_dollar_signs_as_text(tmp_path: Path) -> None:
    """An article title is data: ``$…$`` in it is no mathtext (``$\\frac{$`` made matplotlib raise)."""
    titled = eval_record("all", "de", True, RIGHT)
    titled["article"] = titled["article_title"] = "Kurs $\\frac{$ fällt"
    report = EvalReport([titled], {"store": True}, {"dataset": "x.jsonl", "store_articles": 1})
    files = report.write(tmp_path, language="de")
    assert {"hit_at_k", "per_article", "latency"} <= set(files)
    assert files["per_article"].stat().st_size > 0


@pytest.mark.parametrize("language", ["x ![t](http://evil.example/p.png) |", "DE", "deutsch", 7])
def test_jsonl_language_is_a_language_code(tmp_path: Path, language: object) -> None:
    rows = [{"question": "Wer?", "answers": ["x"], "language": code} for code in ("de", "en-GB", "", None)]
    assert [e.language for e in load_dataset(write_jsonl(tmp_path / "a.jsonl", rows)).examples] == [
        "de", "en-GB", None, None
    ]  # fmt: skip
    bad = [*rows[:2], {"question": "Wer?", "answers": ["x"], "language": language}]
    with pytest.raises(DatasetError, match=r"b\.jsonl: line 3: field 'language': expected a language code"):
        load_dataset(write_jsonl(tmp_path / "b.jsonl", bad))
