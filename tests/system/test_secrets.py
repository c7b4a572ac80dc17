"""An OpenAI key never leaks: not in ``repr``/``str``/JSON of the settings, not in an error message,
not in the CLI's output or its logs, even when the configured server is unreachable."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SEED, free_port

from qa.api import NewsQA
from qa.settings import Settings

KEY = "sk-test-NEVER-PRINT-ME-0123456789abcdef"


def test_settings_never_show_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    settings = Settings(_env_file=None)
    assert settings.openai_api_key is not None and settings.openai_api_key.get_secret_value() == KEY
    shown = [repr(settings), str(settings), settings.model_dump_json(), repr(settings.model_dump())]
    shown.append(repr(NewsQA(settings).settings))
    shown.append(repr(NewsQA(openai_api_key=KEY).settings))  # a plain str override becomes secret too
    for text in shown:
        assert KEY not in text and "NEVER-PRINT" not in text


def _start_cli(args: list[str], data_dir: Path, extra: dict[str, str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env |= {"NEWSQA_DATA_DIR": str(data_dir), "OPENAI_API_KEY": KEY, **extra}
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", *args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_unreachable_openai_server_errors_never_show_the_key(tmp_path: Path) -> None:
    """The LLM answerer and OpenAI embeddings against a closed port, with the OpenAI client's own
    debug logging on for the question: whatever the outcome, the key is in no output."""
    dead = f"http://127.0.0.1:{free_port()}/v1"
    llm = {"OPENAI_BASE_URL": dead, "NEWSQA_ANSWERER": "llm", "NEWSQA_LLM_MAX_RETRIES": "0"}
    procs = [  # both at once: the OpenAI client backs off between retries
        # the OpenAI client's own debug log prints requests and tracebacks: still no key
        _start_cli(["ask", "Generalstab?", "--json"], tmp_path / "llm", llm | {"OPENAI_LOG": "debug"}),
        _start_cli(
            ["ingest", str(SEED)], tmp_path / "emb", {"OPENAI_BASE_URL": dead, "NEWSQA_EMBEDDINGS": "openai"}
        ),
    ]
    outputs = [p.communicate(timeout=180) for p in procs]  # communicate: a big debug log cannot block
    asked, ingested = (
        subprocess.CompletedProcess(p.args, p.returncode, *o) for p, o in zip(procs, outputs, strict=True)
    )
    for done in (asked, ingested):
        assert KEY not in done.stdout + done.stderr and "NEVER-PRINT" not in done.stdout + done.stderr
    # fails without the server-error line in qa/cli.py: the connection error was a traceback
    assert ingested.returncode == 2 and "Traceback" not in ingested.stderr, ingested.stderr[-2000:]
    assert f"the server at {dead}/embeddings failed" in ingested.stderr


def test_unreachable_server_error_in_python_never_shows_the_key(
    make_qa, caplog: pytest.LogCaptureFixture
) -> None:
    """Same in-process: the exception chain and every log record stay free of the key."""
    qa = make_qa(
        answerer="llm",
        openai_api_key=KEY,
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_max_retries=0,
        llm_timeout=5.0,
    )
    qa.ingest([SEED])
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    try:
        answer = qa.ask("Was wies der Generalstab in Kiew zurück?")
        texts.append(answer.model_dump_json())
    except Exception as exc:  # an LLMError is fine; its whole chain must be clean
        while exc is not None:
            texts += [str(exc), repr(exc)]
            exc = exc.__cause__ or exc.__context__
    texts += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    assert texts and not [t for t in texts if KEY in t]
