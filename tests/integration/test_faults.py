"""Faults around the store and the CLI: a store deleted under a running NewsQA, a reader that
stops reading the CLI's output, and an embedded store's own errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import SEED
from test_cli import NEWSQA, run

from qa.store import StoreError


def test_a_store_deleted_under_a_running_newsqa_says_so(make_qa, tmp_path: Path) -> None:
    """Before, the chat answered "not in the sources" while its table still listed the articles,
    and an upload failed with a raw Chroma error."""
    qa = make_qa(data_dir=tmp_path / "store")
    qa.ingest([SEED])
    assert qa.ask("Was wies der Generalstab in Kiew zurück?").citations
    shutil.rmtree(tmp_path / "store")
    for action in (
        lambda: qa.ask("Was wies der Generalstab in Kiew zurück?"),
        qa.articles,
        lambda: qa.add_text("Titel", "Ein neuer Artikel über den Deichbau an der Küste."),
    ):
        with pytest.raises(StoreError, match="was deleted while newsqa was running"):
            action()


def test_a_reader_that_stops_reading_gets_no_broken_pipe_message(tmp_path: Path) -> None:
    """``newsqa list --json | head``: before, ``newsqa: [Errno 32] Broken pipe``."""
    assert run("ingest", str(SEED), data_dir=tmp_path / "store").returncode == 0
    env = {"NEWSQA_DATA_DIR": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [*NEWSQA, "list", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before newsqa writes
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Broken pipe" not in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr


def test_an_embedded_store_error_does_not_blame_a_server() -> None:
    from chromadb.errors import InternalError

    from qa.cli import _server_error

    message = _server_error(InternalError("database or disk is full"))
    assert message is not None and "server" not in message
    assert "Chroma database failed" in message and "disk is full" in message


def test_a_read_only_store_says_what_to_do(tmp_path: Path) -> None:
    """Before, every command failed opening ``.write.lock`` for writing: ``[Errno 30] Read-only file
    system``. The lock now opens for reading; Chroma's embedded database itself writes as it opens
    (chromadb 1.5), so the command says the store is read-only and what to do instead."""
    import shlex
    import sys

    store = tmp_path / "store"
    assert run("ingest", str(SEED), data_dir=store).returncode == 0
    command = " ".join(shlex.quote(p) for p in (sys.executable, "-m", "qa.cli", "list"))
    script = f"mount --bind {store} {store} && mount -o remount,bind,ro {store} || exit 99; {command}"
    env = {"NEWSQA_DATA_DIR": str(store), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    if done.returncode == 99:
        pytest.skip(f"cannot mount the store read-only here (needs root and unshare): {done.stderr.strip()}")
    assert done.returncode == 2, done.stderr
    assert f"The store at {store} is read-only" in done.stderr and "Errno" not in done.stderr
