"""One writer at a time: a thread lock in this process, a file lock across processes."""

from __future__ import annotations

import errno
import fcntl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class WriteLock:
    """Re-entrant: only the outermost holder takes the file lock (a second ``flock`` on a new
    descriptor would wait for the first, in the same process, forever).

    ``on_acquire`` runs once the outermost holder has the file lock (the store reloads what other
    processes wrote); ``on_release`` runs before it lets go, whatever happened inside.
    """

    def __init__(self, path: Path, on_acquire: Callable[[], None], on_release: Callable[[], None]) -> None:
        self.path = path
        self.thread_lock = threading.RLock()
        self._depth = 0
        self._on_acquire, self._on_release = on_acquire, on_release

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._open() as handle:
                fcntl.flock(handle, fcntl.LOCK_EX if handle.writable() else fcntl.LOCK_SH)
                self._depth = 1
                try:
                    self._on_acquire()
                    yield
                finally:
                    self._on_release()
                    self._depth = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _open(self) -> IO[str]:
        """The lock file for writing; on a store this process may not write (read-only mount or
        permissions), for reading, so reading the store still works and only writes fail."""
        try:
            return open(self.path, "w")
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or not self.path.exists():
                raise
            return open(self.path)
