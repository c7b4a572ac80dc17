"""Evaluation: score answers and citations against a QA set (``newsqa eval``, ``evaluate``).

Imports are lazy so ``qa.cli`` can register the sub-command without loading models, Chroma or
matplotlib; ``from qa.eval import evaluate`` loads the runner on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.eval.datasets import DatasetError, EvalSet, load_dataset
    from qa.eval.report import EvalReport
    from qa.eval.runner import evaluate

__all__ = ["DatasetError", "EvalReport", "EvalSet", "evaluate", "load_dataset"]

_HOME = {
    "evaluate": "qa.eval.runner",
    "EvalReport": "qa.eval.report",
    "DatasetError": "qa.eval.datasets",
    "EvalSet": "qa.eval.datasets",
    "load_dataset": "qa.eval.datasets",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'qa.eval' has no attribute {name!r}")
