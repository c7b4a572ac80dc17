"""The local model's server process: llama-cpp-python's OpenAI-compatible server, its cache bounded.

llama-cpp-python (0.3.36) bounds its prompt cache (``--cache``) by each saved state's KV bytes
only, while every state also holds a copy of the model's score buffer (``n_batch`` x vocabulary
floats: 311 MB for Qwen2.5's 151,936 tokens). So the server grew by ~350 MB per distinct prompt
until the kernel killed it (22.8 GB after 65 questions on this 24 GB machine). Here the cache
counts every array a state holds, so ``--cache_size`` bounds the memory it takes. ``local.py``
starts this module instead of ``python -m llama_cpp.server``; the arguments are the server's own.
"""

from __future__ import annotations

import runpy
from typing import Any


def state_bytes(state: Any) -> int:
    """What one saved state really holds: its KV bytes, the score buffer copy and the token ids."""
    arrays = (getattr(state, name, None) for name in ("scores", "input_ids"))
    return int(state.llama_state_size) + sum(int(getattr(a, "nbytes", 0)) for a in arrays)


def bound_the_cache() -> None:
    from llama_cpp.llama_cache import LlamaRAMCache

    size = property(lambda self: sum(state_bytes(s) for s in self.cache_state.values()))
    setattr(LlamaRAMCache, "cache_size", size)  # noqa: B010  (a property replaced on the class)


if __name__ == "__main__":
    bound_the_cache()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
