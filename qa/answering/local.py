"""``answerer=local``: llama-cpp-python's OpenAI-compatible server on 127.0.0.1, owned by this process.

The local model goes through the very same code as OpenAI, Ollama or vLLM (``LLMAnswerer`` over
Chat Completions): only the server is ours. It is started on first use with a free port, reused by
every answer of the process, and ends with it (``PR_SET_PDEATHSIG`` covers a killed parent too).

Two cores must not collapse: with OpenMP's default busy-waiting, 2 threads under load fell to ~1
token/s; ``OMP_WAIT_POLICY=PASSIVE`` kept ~9. The server keeps the evaluated prompt (llama.cpp's
prefix reuse, plus ``--cache`` for more than one prompt, bounded by ``qa.answering.llama_server``),
so the fixed system prompt and sources a follow-up shares with the question before are not read
again.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qa.answering.local_model import PACKAGED_LABEL, PACKAGED_NAME, LocalModelError, packaged_model

if TYPE_CHECKING:
    from qa.settings import Settings

START_TIMEOUT = 120.0
"""Seconds the server may take to load a model (the 1.5B loads in 2-4 s on a quiet machine)."""


CACHE_BYTES = 1 << 30
"""Memory for saved prompts (``llama_server`` counts it right): two or three of the 1.5B's states
of ~350 MB, so the fixed system prompt survives the follow-up rewrite asked between two answers."""


@dataclass
class LocalServer:
    """One ``python -m llama_cpp.server`` process serving ``model`` on 127.0.0.1."""

    model: Path
    alias: str
    threads: int = 2
    context: int = 4096
    cache_bytes: int = CACHE_BYTES
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    _log: deque[str] = field(default_factory=lambda: deque(maxlen=20))

    def start(self) -> str:
        """Start the server unless it runs; return its base URL (``http://127.0.0.1:PORT/v1``)."""
        if self.process is not None and self.process.poll() is None:
            return self.url
        try:
            import llama_cpp.server  # noqa: F401  (only to say clearly what is missing)
        except ImportError as exc:
            raise LocalModelError(
                f"llama-cpp-python's server is not installed ({exc.name}). "
                "Install it with: pip install 'newsqa[local]' (or make setup-local)."
            ) from None
        port = _free_port()
        command = [
            sys.executable, "-m", "qa.answering.llama_server", "--model", str(self.model),
            "--model_alias", self.alias, "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(self.context), "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads), "--cache", "true", "--cache_size", str(self.cache_bytes),
            "--interrupt_requests", "false", "--verbose", "false",
        ]  # fmt: skip
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=_die_with_parent,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}/v1"
        self._wait_ready()
        atexit.register(self.stop)
        return self.url

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _wait_ready(self) -> None:
        assert self.process is not None
        until = time.monotonic() + START_TIMEOUT
        while time.monotonic() < until:
            if self.process.poll() is not None:
                last = " | ".join(list(self._log)[-3:])
                raise LocalModelError(f"The local model server for {self.model} exited: {last or 'no log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise LocalModelError(f"The local model server did not start within {START_TIMEOUT:g} s.")

    def _drain(self) -> None:
        """Keep the server's last log lines (for errors) without letting its pipe fill up."""
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self._log.append(line.decode("utf-8", "replace").strip())


_SERVERS: dict[tuple[str, int, int], LocalServer] = {}
_LOCK = threading.Lock()


def local_server(settings: Settings) -> LocalServer:
    """The process's server for the configured model (started on first use)."""
    path = Path(settings.local_model).expanduser() if settings.local_model else None
    if path is not None and not path.is_file():
        raise LocalModelError(f"NEWSQA_LOCAL_MODEL: no such file: {path}")
    model = path or packaged_model()
    key = (str(model), settings.local_threads, settings.local_context)
    with _LOCK:
        server = _SERVERS.get(key)
        if server is None:
            alias = PACKAGED_NAME if path is None else model.stem
            server = _SERVERS[key] = LocalServer(model, alias, settings.local_threads, settings.local_context)
        server.start()
    return server


def stop_servers() -> None:
    """End every local model server this process started (tests; at exit this happens anyway)."""
    with _LOCK:
        for server in _SERVERS.values():
            server.stop()
        _SERVERS.clear()


def local_label(server: LocalServer) -> str:
    """Which model answers, for the page: the packaged model's name, or the GGUF's file name."""
    return PACKAGED_LABEL if server.alias == PACKAGED_NAME else f"{server.model.name} (local, llama.cpp)"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: die when newsqa dies, even by SIGKILL (Linux ``prctl``). SIGKILL, because the
    server's uvicorn takes SIGTERM as "finish the answer being written first", minutes on a CPU."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
