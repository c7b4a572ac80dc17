"""Faults around the store and the CLI: a store deleted under a running NewsQA, a reader that
stops reading the CLI's output, and an embedded store's own errors."""

from __future__ import annotations

import json
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


def test_a_read_only_store_is_read_and_refuses_changes(tmp_path: Path) -> None:
    """Before, every command failed opening ``.write.lock`` for writing: ``[Errno 30] Read-only file
    system``. On a read-only mount, ``list`` and ``ask`` now work (Chroma reads a temporary copy) and
    ``ingest`` says the store is read-only, with exit code 2 and the store unchanged."""
    import shlex
    import sys

    store = tmp_path / "store"
    assert run("ingest", str(SEED), data_dir=store).returncode == 0
    newsqa = " ".join(shlex.quote(p) for p in (sys.executable, "-m", "qa.cli"))
    other = tmp_path / "other.txt"
    other.write_text("Neu in Bonn\n\nDie Stadtwerke Bonn erhöhen die Preise.", encoding="utf-8")
    script = (
        f"mount --bind {store} {store} && mount -o remount,bind,ro {store} || exit 99; "
        f"{newsqa} list --json && {newsqa} ask --json 'Wo äußerte sich Trump?' && "
        f"{newsqa} ingest {shlex.quote(str(other))}"
    )
    env = {"NEWSQA_DATA_DIR": str(store), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    if done.returncode == 99:
        pytest.skip(f"cannot mount the store read-only here (needs root and unshare): {done.stderr.strip()}")
    assert '"title"' in done.stdout and "Truth Social" in done.stdout, done.stdout
    assert done.returncode == 2, done.stderr
    assert f"The store at {store} is read-only: it can be read, not changed" in done.stderr
    assert "Errno" not in done.stderr and "Traceback" not in done.stderr
    assert len(json.loads(run("list", "--json", data_dir=store).stdout)) == 1, "the refused ingest wrote"
