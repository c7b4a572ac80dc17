"""One writer at a time: a thread lock in this process, a file lock across processes."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


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
            with open(self.path, "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._depth = 1
                try:
                    self._on_acquire()
                    yield
                finally:
                    self._on_release()
                    self._depth = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)
