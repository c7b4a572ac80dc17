"""The trained weights of the ranker and the abstention model, one folder per embedding model.

Their features include the model's cosines, so weights fit for one model's score distribution
are wrong for another's: the store's model picks the folder (``qa/training`` writes them).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
DEFAULT_MODEL = "multilingual-e5-small"


def weights_path(model: str, kind: str) -> Path:
    """``<model>/<kind>.json``; a model without weights of its own (OpenAI) uses the default's."""
    own = HERE / model / f"{kind}.json"
    return own if own.exists() else HERE / DEFAULT_MODEL / f"{kind}.json"
