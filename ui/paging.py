"""The articles table one page at a time: search, then sort, then the page, all on the server.

A store of a few hundred articles would make a browser table of a few hundred rows, slow to draw
and to scroll; the page holds ``PAGE_SIZE`` rows and the controls ask the server for others. The
search and the sort apply to every article before paging, so page 3 of a search is the third page
of its hits. Pure functions over the table's rows (``ui.render.article_rows``), testable alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

PAGE_SIZE = 50

COLUMNS = {"title": 0, "source": 1, "date": 2, "sentences": 3, "added": 4}
"""Where each sortable field sits in a row of ``ui.render.article_rows``."""
SEARCHED = ("title", "source", "date", "added")
"""The cells a search reads (the words a reader sees and would type)."""

SORTS: dict[str, tuple[str, bool]] = {
    "added_desc": ("added", True),
    "added_asc": ("added", False),
    "date_desc": ("date", True),
    "date_asc": ("date", False),
    "title_asc": ("title", False),
    "title_desc": ("title", True),
    "source_asc": ("source", False),
    "sentences_desc": ("sentences", True),
}
"""The sort choices (key -> field, descending); their labels are ``sort_<key>`` in ``ui.strings``."""
DEFAULT_SORT = "added_desc"


@dataclass(frozen=True, slots=True)
class TableView:
    """What one session's table shows: the search, the sort, the page (from 1), and what the last
    listing found (pages, matching rows, all rows), which the pager line reports."""

    query: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    pages: int = 1
    matching: int = 0
    total: int = 0


def page_of(
    rows: Sequence[Sequence[object]], view: TableView, size: int = PAGE_SIZE
) -> tuple[list[list[object]], TableView]:
    """The rows of ``view``'s page, and the view with its page clamped to the pages there are.

    The search keeps the rows with the query (case and spacing aside) in one of their cells; rows
    without a value in the sorted field (an undated article) come last in either direction."""
    wanted = " ".join(view.query.casefold().split())
    cells = [COLUMNS[c] for c in SEARCHED]
    searched = [list(r) for r in rows if any(wanted in " ".join(str(r[c]).casefold().split()) for c in cells)]
    field, descending = SORTS.get(view.sort, SORTS[DEFAULT_SORT])
    column = COLUMNS[field]

    def key(row: list[object]) -> Any:
        value = row[column]
        return value.casefold() if isinstance(value, str) else value

    filled = [r for r in searched if r[column] not in ("", None)]
    filled.sort(key=key, reverse=descending)  # stable: ties keep the rows' own order (newest first)
    ordered = filled + [r for r in searched if r[column] in ("", None)]
    pages = max(1, -(-len(ordered) // size))
    page = min(max(1, view.page), pages)
    shown = ordered[(page - 1) * size : page * size]
    return shown, replace(view, page=page, pages=pages, matching=len(ordered), total=len(rows))
