"""Server mode: a real ``chroma run`` on 127.0.0.1 holds the store."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import GENERALSTAB, SEED, free_port

from qa.embeddings.vectors import normalize
from qa.store import chroma
from qa.store.sentence_vectors import pack

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    import chromadb

    deadline = time.time() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_ask_delete_through_a_chroma_server(make_qa, chroma_url: str, tmp_path: Path) -> None:
    qa = make_qa(chroma_url=chroma_url)
    article_id = qa.ingest([SEED]).report.added[0]
    assert qa.ingest([SEED]).report.unchanged == [article_id]
    answer = qa.ask("Was wies der Generalstab in Kiew zurück?")
    assert answer.citations[0].text == GENERALSTAB
    # the lexical index lives beside the client; a second client rebuilds it from the server
    other = make_qa(chroma_url=chroma_url, data_dir=tmp_path / "other-client")
    assert other.ask("Was wies der Generalstab in Kiew zurück?").citations[0].text == GENERALSTAB
    assert qa.delete(article_id)
    assert qa.store.record_counts()["chunks"] == 0


def test_unreachable_server_is_a_clear_error(make_qa) -> None:
    from qa.store import StoreError

    qa = make_qa(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="Cannot reach the Chroma server"):
        _ = qa.store


def test_large_writes_are_cut_to_what_the_server_accepts(make_qa, chroma_url: str) -> None:
    """5,000 chunk records with 7 sentence vectors each are one ~48 MB request: "Payload too large"."""
    qa = make_qa(chroma_url=chroma_url, collection_prefix="large")
    vectors = normalize(np.random.default_rng(0).standard_normal((5000, 512)).astype(np.float32))
    ids = [f"a{i}:c0" for i in range(len(vectors))]
    metas = [{"sentence_vectors": pack(np.repeat(v[None], 7, axis=0))} for v in vectors]
    chroma.upsert(qa.store._chunks, ids, vectors, metas)
    assert qa.store.record_counts()["chunks"] == len(ids)
