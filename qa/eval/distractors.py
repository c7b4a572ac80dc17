"""Distractor articles (10kGNAD: ``label;'text'`` per line) ingested alongside a QA set's articles.

They make retrieval harder the way a real news store does: many articles on other topics. The
10kGNAD data is licensed non-commercial, so it is only ever read from a path given at run time.
"""

from __future__ import annotations

import csv
from pathlib import Path

from qa.eval.datasets import DatasetError


def load_distractors(path: str | Path) -> list:
    """One ``Article`` per CSV row (title: its first sentence); bad rows raise naming the line."""
    from ingest import IngestError, build_article

    path = Path(path)
    articles = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=";", quotechar="'")
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue
                if len(row) != 2 or not row[1].strip():
                    raise DatasetError(
                        f"{path}: line {reader.line_num}: expected label;'text', got {len(row)} fields"
                    )
                try:
                    articles.append(
                        build_article(
                            "", row[1], f"distractor:{path.name}", source_key=f"{path}#{reader.line_num}"
                        )
                    )
                except IngestError as exc:
                    raise DatasetError(f"{path}: line {reader.line_num}: {exc}") from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: cannot read distractors: {exc}") from exc
    if not articles:
        raise DatasetError(f"{path}: no distractor articles found")
    return articles
