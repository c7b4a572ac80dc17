"""Chat history as the faces pass it: ``(user, assistant)`` pairs or ``{"role", "content"}`` messages.

The one parser of it; follow-up detection and the LLM's question rewrite both read its turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def turns(history: Sequence[Any]) -> list[tuple[str, str]]:
    """``(role, text)`` of every turn with text, in order.

    Messages with metadata (the web chat's sources box) are not turns of the conversation.
    """
    out: list[tuple[str, str]] = []

    def add(role: str, text: Any) -> None:
        if isinstance(text, str) and text.strip():
            out.append((role, text))

    for turn in history:
        if isinstance(turn, dict):
            if not turn.get("metadata"):
                add(str(turn.get("role")), turn.get("content"))
        elif isinstance(turn, list | tuple) and turn:
            add("user", turn[0])
            if len(turn) > 1:
                add("assistant", turn[1])
    return out


def previous_questions(history: Sequence[Any]) -> list[str]:
    """The user's earlier questions, oldest first."""
    return [text for role, text in turns(history) if role == "user"]
