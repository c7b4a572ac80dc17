"""What simple ``newsqa`` subcommands share, for the CLI and the feeds CLI alike: declaring one
(a name, a help line, perhaps items and ``--json``), and removing named things one by one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any


def add_command(
    sub: Any,
    name: str,
    help: str,
    run: Callable[[argparse.Namespace], int],
    items: tuple[str, str] | None = None,
    json_help: str | None = None,
) -> argparse.ArgumentParser:
    """Register ``name`` on ``sub``: ``items`` = (dest, METAVAR) for one or more positional items,
    ``json_help`` (``""`` for none) adds ``--json``. Returns the parser for further arguments."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help)
    if items is not None:
        parser.add_argument(items[0], nargs="+", metavar=items[1])
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help or None)
    parser.set_defaults(run=run)
    return parser


def remove_each(
    names: Sequence[str],
    remove: Callable[[str], bool],
    missing: Callable[[str], str],
    done: Callable[[int], str],
) -> int:
    """Remove each of ``names`` (``remove`` says whether it was there): a ``missing`` line on stderr
    for each that was not, then the ``done`` line with how many went; 2 when any was missing."""
    absent = [name for name in names if not remove(name)]
    for name in absent:
        print(f"newsqa: {missing(name)}", file=sys.stderr)
    print(done(len(names) - len(absent)))
    return 2 if absent else 0
