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


def _day(value: str) -> date | None:
    from qa.scope.selection import SelectionError, parse_day

    try:
        return parse_day(value)
    except SelectionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def selection_from(args: argparse.Namespace) -> Selection | None:
    """The selection the flags give, None without any (a ``SelectionError`` for --since after --until)."""
    from qa.scope.selection import selection_of

    return selection_of(args.article, args.source, args.since, args.until)
