"""``newsqa feeds add|list|remove URL`` and ``newsqa update``: following RSS/Atom feeds from the terminal.

A failed feed prints one line naming it (``newsqa: <url>: <reason>``) and stores nothing of it; the
command then exits with 2, after the other feeds were polled. The lines are in the CLI's language
(``NEWSQA_LANGUAGE``, else the locale), their words in ``qa.text.phrases``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from qa.subcommands import add_command, remove_each
from qa.text.phrases import count, phrase

if TYPE_CHECKING:
    from qa.api import NewsQA
    from qa.feeds.registry import FeedPoll


def add_parsers(sub: Any) -> None:
    """Register ``feeds`` and ``update`` on the CLI's subcommand parser."""
    p = sub.add_parser("feeds", help="follow RSS/Atom feeds: feeds add URL | feeds list | feeds remove URL")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    follow = "follow a feed: ingest its items now and on every `newsqa update`"
    add_command(actions, "add", follow, cmd_feeds_add, items=("urls", "URL"))
    add_command(actions, "list", "the followed feeds", cmd_feeds_list, json_help="")
    stop = "stop following a feed (its articles stay)"
    add_command(actions, "remove", stop, cmd_feeds_remove, items=("urls", "URL"))
    poll_all = "poll every followed feed (conditional GET) and add new items"
    add_command(sub, "update", poll_all, cmd_update, json_help="one JSON object per feed")


def _qa() -> NewsQA:
    from qa.api import NewsQA

    return NewsQA()


def _lang(qa: NewsQA) -> str:
    from qa.text.language import interface_language

    return interface_language(qa.settings.language)


def report(polls: list[FeedPoll], as_json: bool, lang: str) -> int:
    """Print one line per poll (stdout) and one per failure (stderr); 2 when a feed failed."""
    for result in polls:
        if as_json:
            print(json.dumps(asdict(result), ensure_ascii=False))
        elif result.not_modified:
            print(phrase("feed_not_modified", lang, url=result.url))
        elif not result.error:
            added, replaced, known = len(result.added), len(result.replaced), len(result.known)
            print(phrase("feed_polled", lang, url=result.url, added=added, replaced=replaced, known=known))
        if result.error:
            print(f"newsqa: {result.error}", file=sys.stderr)
        for problem in result.problems:
            print(f"newsqa: {phrase('skipped', lang, message=problem.message)}", file=sys.stderr)
    return 2 if any(r.error for r in polls) else 0


def cmd_feeds_add(args: argparse.Namespace) -> int:
    qa = _qa()
    return report([qa.add_feed(url) for url in args.urls], as_json=False, lang=_lang(qa))


def cmd_feeds_list(args: argparse.Namespace) -> int:
    qa = _qa()
    feeds, lang = qa.feeds(), _lang(qa)
    if args.json:
        print(json.dumps([asdict(f) for f in feeds], ensure_ascii=False, indent=2))
        return 0
    for f in feeds:
        polled = f.polled_at[:16].replace("T", " ") or phrase("never", lang)
        print(phrase("feed_row", lang, url=f.url, items=f.items, polled=polled, title=f.title))
    print(phrase("feeds_followed", lang, n=len(feeds)))
    return 0


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    qa = _qa()
    lang = _lang(qa)
    return remove_each(
        args.urls,
        qa.remove_feed,
        lambda url: phrase("feed_not_followed", lang, url=url),
        lambda n: phrase("feeds_removed", lang, feeds=count(n, "feed", lang)),
    )


def cmd_update(args: argparse.Namespace) -> int:
    qa = _qa()
    lang = _lang(qa)
    if not qa.feeds():
        print(phrase("no_feeds_followed", lang), file=sys.stderr)
        return 0
    return report(qa.update_feeds(), as_json=args.json, lang=lang)
