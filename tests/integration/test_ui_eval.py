"""The Evaluation tab's callback (ui/evaluation.py) without a browser: it asks the store the page
serves, through the same ``qa.eval.evaluate`` as the CLI, reports one set as one set, and meets a
bad file with one line."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import OWN_QUESTIONS, RIGHT, WRONG_GOLD, eval_record, write_jsonl

import ui.evaluation
from ui import render
from ui.evaluation import Evaluation, summary_markdown

GERMAN = SimpleNamespace(session_hash="s1", headers={"cookie": "newsqa-lang=de"})


def no_progress(*_args: object, **_kwargs: object) -> None:
    """Stands in for ``gr.Progress`` outside a Gradio event."""


@pytest.fixture(scope="module")
def evaluation(seeded) -> Evaluation:
    return Evaluation(seeded)


def test_a_run_reports_one_set_with_each_question_and_the_files(
    evaluation: Evaluation, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "mine.jsonl", [*OWN_QUESTIONS, WRONG_GOLD])
    shown: list[tuple[float, str]] = []

    def progress(fraction: float, desc: str = "") -> None:
        shown.append((fraction, desc))

    status, summary, plots, table, md, archive = evaluation.run(str(path), None, progress)  # type: ignore[arg-type]
    assert shown[0] == (0, "Reading the question set …") and shown[-1] == (1.0, "Question 4 of 4")
    assert len(shown) == 5  # the bar moves after each question
    assert status.startswith("**Done:** 4 questions asked") and "`extractive`" in status
    lines = summary.splitlines()
    assert lines[0] == "### Asked of your store (1 article)"
    assert "dev" not in summary and "test" not in summary  # one set, not halved
    assert lines[2] == "| Metric | all questions (4) | German questions (3) | English questions (1) |"
    rows = {line.split(" | ")[0].strip("| "): line for line in lines[4:]}
    # 2 of the 3 answerable questions cite their gold first; the unanswerable one abstains
    assert rows["first citation holds the answer"].split(" | ")[1] == "0.667"
    assert rows["no answer to unanswerable questions"].split(" | ")[1:3] == ["1.000", "1.000"]
    assert "model sentences shown verified" not in rows  # the LLM's figures: not for this answerer
    frame = table["value"]
    assert list(frame.columns) == ["No.", "Question", "Result", "Answer", "Citations"]
    assert list(frame["Result"])[:3] == ["✓ first citation right"] * 2 + ["✓ no answer (unanswerable)"]
    assert list(frame["Result"])[3].startswith("✗")
    assert (
        "Der Generalstab in Kiew wies" in frame["Citations"][0]
        and "Trump bittet Putin" in frame["Citations"][0]
    )
    assert plots.count('<img src="data:image/png;base64,') == 2  # hit@k and latency: no article named
    assert Path(md["value"]).read_text(encoding="utf-8").startswith("# Evaluation: mine.jsonl")
    with zipfile.ZipFile(archive["value"]) as z:
        assert {"newsqa-eval/report.json", "newsqa-eval/summary.md", "newsqa-eval/latency.png"} <= set(
            z.namelist()
        )


def test_german_page_gets_german_figures_and_a_cap(
    evaluation: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui.evaluation, "MAX_QUESTIONS", 2)
    path = write_jsonl(tmp_path / "mine.jsonl", OWN_QUESTIONS)
    status, summary, *_ = evaluation.run(str(path), GERMAN, no_progress)  # type: ignore[arg-type]
    assert status.startswith("**Fertig:** 2 Fragen in")
    assert "Der Satz hat 3 Fragen; gestellt wurde eine feste Stichprobe von 2" in status
    assert summary.startswith("### An Ihren Speicher gestellt (1 Artikel)")
    assert "| erstes Zitat enthält die Antwort | " in summary and "1,000" in summary


@pytest.mark.parametrize(("answerer", "limit"), [("extractive", 300), ("llm", 30), ("local", 30)])
def test_a_run_is_bounded_lower_when_a_model_answers(make_qa, answerer: str, limit: int) -> None:
    """An extractive answer takes ~0.1 s, a model's seconds (and an ``llm`` run spends API budget)."""
    page = Evaluation(make_qa(answerer=answerer, openai_api_key="sk-test"))
    assert page.max_questions() == limit
    for lang, words in (("en", "At most {} questions per run."), ("de", "Höchstens {} Fragen je Lauf.")):
        intro = page.intro(lang)
        assert words.format(limit) in intro
        assert (f"(`{answerer}`)" in intro) == (answerer != "extractive")  # why so few, for a model


def test_a_report_that_cannot_be_written_gets_one_line(
    evaluation: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qa.eval.plots.write_plots", no_space)
    path = write_jsonl(tmp_path / "mine.jsonl", OWN_QUESTIONS)
    status, summary, plots, table, md, archive = evaluation.run(str(path), None, no_progress)  # type: ignore[arg-type]
    done, failed = status.split("\n\n")
    assert done.startswith("**Done:** 3 questions asked")
    assert failed == "**The report files could not be written:** \\[Errno 28\\] No space left on device"
    assert summary.startswith("### Asked of your store") and table["visible"]  # the run's figures stand
    assert "<img" not in plots and not md["visible"] and not archive["visible"]


def test_the_summary_shows_the_set_s_own_words_as_text() -> None:
    """A split or language the loader let through heads a column as written: no image, no new cell."""
    from qa.eval.report import EvalReport

    evil = "x ![t](http://evil.example/p.png) |"
    records = [eval_record("all", "de", True, RIGHT), eval_record("all", evil, True, RIGHT)]
    report = EvalReport(records, {"store": True}, {"dataset": "x.jsonl", "store_articles": 1})
    header = summary_markdown(report, "en").splitlines()[2]
    assert header.count(" | ") == 3  # Metric, all, German, the odd language: no cell of its own
    assert "![t](" not in header and "http://" not in header


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_run_that_fails_is_not_blamed_on_the_file(
    evaluation: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("the answerer's model file is missing")

    monkeypatch.setattr("qa.eval.runner.evaluate", broken)
    path = write_jsonl(tmp_path / "mine.jsonl", OWN_QUESTIONS)
    request = GERMAN if lang == "de" else None
    status, summary, plots, table, md, archive = evaluation.run(str(path), request, no_progress)  # type: ignore[arg-type]
    said = {"en": "**The run failed:** ", "de": "**Der Lauf ist fehlgeschlagen:** "}[lang]
    assert status == said + render.inert("the answerer's model file is missing")
    assert summary == plots == "" and not table["visible"] and not md["visible"] and not archive["visible"]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("", "bad.jsonl: the file is empty"),
        ("kein json\n", "bad.jsonl: line 1: malformed JSON"),
        ('{"frage": "Wer?", "answers": []}\n', "bad.jsonl: line 1: field 'question'"),
        ('{"question": "Wer?", "answers": "A"}\n', "bad.jsonl: line 1: field 'answers'"),
        ("[1, 2]", "bad.jsonl: line 1: expected a non-empty dict"),
    ],
)
def test_bad_files_get_one_line(evaluation: Evaluation, tmp_path: Path, content: str, detail: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    status, summary, plots, table, md, archive = evaluation.run(str(path), None, no_progress)  # type: ignore[arg-type]
    assert status.startswith(f"**Cannot use this set:** {render.inert(detail)}") and "\n" not in status
    assert str(tmp_path) not in status and render.inert(str(tmp_path)) not in status  # the name, not the path
    assert summary == plots == "" and not table["visible"] and not md["visible"] and not archive["visible"]


def test_no_file_and_an_empty_store(make_qa, tmp_path: Path) -> None:
    empty = Evaluation(make_qa())
    assert empty.run(None, None, no_progress)[0] == "Choose a question set first."  # type: ignore[arg-type]
    path = write_jsonl(tmp_path / "mine.jsonl", OWN_QUESTIONS)
    assert "holds no articles" in empty.run(str(path), None, no_progress)[0]  # type: ignore[arg-type]
