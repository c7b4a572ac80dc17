"""``newsqa feeds add|list|remove URL`` and ``newsqa update``: following RSS/Atom feeds from the terminal.

A failed feed prints one line naming it (``newsqa: <url>: <reason>``) and stores nothing of it; the
command then exits with 2, after the other feeds were polled.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.feeds.registry import FeedPoll


def add_parsers(sub: Any) -> None:
    """Register ``feeds`` and ``update`` on the CLI's subcommand parser."""
    p = sub.add_parser("feeds", help="follow RSS/Atom feeds: feeds add URL | feeds list | feeds remove URL")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="follow a feed: ingest its items now and on every `newsqa update`")
    a.add_argument("urls", nargs="+", metavar="URL")
    a.set_defaults(run=cmd_feeds_add)
    a = actions.add_parser("list", help="the followed feeds")
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_feeds_list)
    a = actions.add_parser("remove", help="stop following a feed (its articles stay)")
    a.add_argument("urls", nargs="+", metavar="URL")
    a.set_defaults(run=cmd_feeds_remove)

    p = sub.add_parser("update", help="poll every followed feed (conditional GET) and add new items")
    p.add_argument("--json", action="store_true", help="one JSON object per feed")
    p.set_defaults(run=cmd_update)


def _qa() -> Any:
    from qa.api import NewsQA

    return NewsQA()


def _report(polls: list[FeedPoll], as_json: bool) -> int:
    for result in polls:
        if as_json:
            print(json.dumps(asdict(result), ensure_ascii=False))
        elif result.not_modified:
            print(f"{result.url}: not modified since the last poll")
        elif not result.error:
            print(
                f"{result.url}: {len(result.added)} added, {len(result.replaced)} replaced, "
                f"{len(result.known)} already stored"
            )
        if result.error:
            print(f"newsqa: {result.error}", file=sys.stderr)
        for problem in result.problems:
            print(f"newsqa: skipped {problem.message}", file=sys.stderr)
    return 2 if any(r.error for r in polls) else 0


def cmd_feeds_add(args: argparse.Namespace) -> int:
    qa = _qa()
    return _report([qa.add_feed(url) for url in args.urls], as_json=False)


def cmd_feeds_list(args: argparse.Namespace) -> int:
    feeds = _qa().feeds()
    if args.json:
        print(json.dumps([asdict(f) for f in feeds], ensure_ascii=False, indent=2))
        return 0
    for f in feeds:
        polled = f.polled_at[:16].replace("T", " ") or "never"
        print(f"{f.url}  {f.items} items  polled {polled}  {f.title}")
    print(f"{len(feeds)} feeds followed")
    return 0


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    qa = _qa()
    missing = [url for url in args.urls if not qa.remove_feed(url)]
    for url in missing:
        print(f"newsqa: {url} is not followed (see `newsqa feeds list`)", file=sys.stderr)
    print(f"{len(args.urls) - len(missing)} feeds removed; their articles stay in the store")
    return 2 if missing else 0


def cmd_update(args: argparse.Namespace) -> int:
    qa = _qa()
    if not qa.feeds():
        print("No feeds followed; add one with `newsqa feeds add URL`.", file=sys.stderr)
        return 0
    return _report(qa.update_feeds(), as_json=args.json)
