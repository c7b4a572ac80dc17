"""Per-session files on the server (an answer's export, an evaluation's report): one folder each."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def session_folder(root: str | Path, request: Any) -> Path:
    """The session's own subfolder of ``root``; the client chooses the session id, so only its
    letters, digits, ``-`` and ``_`` make the name (never a path, never ``root`` itself)."""
    safe = "".join(c for c in str(getattr(request, "session_hash", None) or "") if c.isalnum() or c in "-_")
    return Path(root) / (safe or "no-session")
