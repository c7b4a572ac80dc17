"""What the two trainers share on the command line: their data and store options, and the export."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qa.retrieval.weights import HERE

XQUAD = "../shared/data/xquad.de.json"  # beside the clone, as the repository's commands expect
GNAD = "../shared/data/10kgnad_test.csv"


def parser(description: str) -> argparse.ArgumentParser:
    """The options both trainers take."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--xquad", default=XQUAD, help="XQuAD-de JSON (dev split used)")
    p.add_argument("--gnad", default=GNAD, help="10kGNAD test CSV")
    p.add_argument("--distractors", action="store_true", help="store all 10kGNAD rows as distractors")
    p.add_argument("--data-dir", help="keep the training store here and reuse it on the next run")
    p.add_argument("--write", action="store_true", help="export the weights to qa/retrieval/weights/<model>/")
    return p


def write_weights(model: str, kind: str, spec: dict[str, Any]) -> None:
    """``weights/<model>/<kind>.json``, what serving loads for a store built with ``model``."""
    path = HERE / model / f"{kind}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(spec) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
