"""The one error ingest raises for bad input, and the per-file problem record.

``IngestError`` subclasses ``ValueError`` because bad input is a bad value, and callers that
already catch ``ValueError`` keep working. Its message is meant for humans (CLI, web UI) and
always names the file.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IngestError", "IngestProblem"]


class IngestError(ValueError):
    """A file or text that cannot be turned into articles; the message says which and why."""


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """One input that was skipped while loading many, so one bad file does not stop the rest."""

    path: str
    message: str
