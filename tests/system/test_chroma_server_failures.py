"""Server mode under failure: the Chroma server dies mid-ingest or mid-question, then comes back."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, free_port, vectored_sentence_ids
from test_crash import N_ARTICLES, SENTENCES_PER_ARTICLE, write_articles

pytestmark = [pytest.mark.server, pytest.mark.slow]


class ChromaServer:
    """A real ``chroma run`` that can be killed and restarted on the same path and port."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.proc = subprocess.Popen(
            [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import chromadb

        deadline = time.time() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=self.port).heartbeat()
                return
            except Exception:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.kill()
                    pytest.fail("chroma run did not start")
                time.sleep(0.2)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path):
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.kill()


def _env(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env |= {"NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_CHROMA_URL": url, "NEWSQA_EMBED_BATCH_SENTENCES": "21"}
    return env


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_server_killed_mid_ingest_is_a_clear_error_and_ingest_resumes(
    server: ChromaServer, tmp_path: Path, make_qa
) -> None:
    folder = write_articles(tmp_path / "articles")
    data_dir = tmp_path / "client"
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ingest", str(folder), "--json"],
        env=_env(data_dir, server.url), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    start, deadline = _size(server.path), time.time() + 90
    while _size(server.path) <= start and proc.poll() is None:  # wait for the first writes
        assert time.time() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    server.kill()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, (out, err[-3000:])
    assert "Traceback" not in err and err.startswith("newsqa: "), err[-3000:]
    assert "127.0.0.1" in err or "Chroma server" in err, err

    server.start()  # same path, same port: what was committed is still there
    qa = make_qa(data_dir=data_dir, chroma_url=server.url)
    partial = qa.store.count()
    assert partial < N_ARTICLES
    committed = partial * (SENTENCES_PER_ARTICLE + 1)
    assert len(vectored_sentence_ids(qa.store)) == len(qa.store.sentence_index) == committed
    assert qa.store.check().consistent
    report = qa.ingest([folder]).report
    assert len(report.added) == N_ARTICLES - partial and len(report.unchanged) == partial
    assert qa.store.count() == N_ARTICLES
    everything = N_ARTICLES * (SENTENCES_PER_ARTICLE + 1)
    assert len(qa.store.sentence_index) == len(vectored_sentence_ids(qa.store)) == everything

    server.kill()  # mid-session loss while asking: an error naming the server, no hang
    started = time.perf_counter()
    with pytest.raises(Exception) as info:
        qa.ask("Was teilte Sprecher Nummer3x2 mit?")
    assert time.perf_counter() - started < 30
    assert isinstance(info.value, RuntimeError), repr(info.value)
    assert server.url in str(info.value) or "Chroma server" in str(info.value), str(info.value)
