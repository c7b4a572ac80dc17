"""The CLI flags --article, --source, --since, --until: a :class:`~qa.scope.selection.Selection`."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.scope.selection import Selection


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("ask only some articles")
    group.add_argument(
        "--article", action="append", default=[], metavar="ID", help="this article (repeatable)"
    )
    group.add_argument("--source", default="", help="a file or folder, feed or page URL, or host name")
    group.add_argument("--since", type=_day, help="published on this day or later (YYYY-MM-DD)")
    group.add_argument("--until", type=_day, help="published on this day or earlier (YYYY-MM-DD)")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2025-03-14") from None


def selection_from(args: argparse.Namespace) -> Selection | None:
    """The selection the flags give, None without any."""
    from qa.scope.selection import Selection

    selection = Selection(
        article_ids=tuple(args.article), source=args.source, since=args.since, until=args.until
    )
    if selection.since and selection.until and selection.since > selection.until:
        raise ValueError(f"--since {selection.since} is after --until {selection.until}")
    return None if selection.empty else selection
