"""A page served by another process (``newsqa serve``): started, waited for until its page answers
HTTP 200, and ended afterwards (terminated, killed if it lingers).

The benchmarks (``bench/common.py``) and the tests (``tests/ui_helpers.py``) start real servers
this way; the one home of how long to wait and how to end one.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class PageNotServed(RuntimeError):
    """The process exited, or gave no page in time; the message says which."""


@contextmanager
def page_process(
    command: Sequence[str],
    url: str,
    *,
    env: dict[str, str],
    cwd: Path,
    timeout: float,
    output: IO[Any] | int = subprocess.DEVNULL,
    poll: float = 0.05,
) -> Iterator[subprocess.Popen]:
    """``command`` running, yielded once ``url`` answers HTTP 200 (checked every ``poll`` seconds);
    its stdout and stderr go to ``output`` (a file, not a pipe: a full pipe would stall it)."""
    proc = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not page_up(url):
            if proc.poll() is not None:
                raise PageNotServed(f"{command[0]} exited with {proc.returncode} before serving {url}")
            if time.monotonic() > deadline:
                raise PageNotServed(f"{command[0]} gave no page on {url} within {timeout} s")
            time.sleep(poll)  # polling the page while the process starts
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def page_up(url: str) -> bool:
    """Whether ``url`` answers HTTP 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
