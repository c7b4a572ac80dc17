"""``newsqa``: ingest, ask, chat, list, delete and check, from the terminal.

Heavy imports (models, Chroma, Gradio) happen inside the commands, so ``newsqa --help`` is instant.
Errors a user can cause end in a one-line message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qa.eval.cli import add_parser as add_eval_parser
from qa.feeds.cli import add_parsers as add_feed_parsers
from qa.scope.cli import add_selection_arguments, selection_from
from qa.subcommands import add_command, remove_each
from qa.text.phrases import count, ingest_summary, phrase

if TYPE_CHECKING:
    from qa.api import NewsQA
    from qa.scope.selection import Selection
    from qa.types import Answer


class UserError(Exception):
    """Ends the command with a message and exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # here, so a reader that went away is a BrokenPipeError below
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``newsqa list --json | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 141  # as a shell tool killed by SIGPIPE
    except (UserError, ValueError, RuntimeError, OSError) as exc:
        print(f"newsqa: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        message = _server_error(exc)
        if message is None:
            raise
        print(f"newsqa: {message}", file=sys.stderr)
        return 2


# Errors of the servers newsqa talks to (an OpenAI-compatible API, a Chroma server) are a wrong
# URL or a server that went away, not a bug: they get one line, like other user errors.
_SERVER_MODULES = frozenset({"openai", "httpx", "httpx2", "httpcore", "chromadb", "requests", "urllib3"})


def _server_error(exc: BaseException) -> str | None:
    """A one-line message naming the server for a client library's error, else None (a bug).

    Chroma's errors that reach here come from an embedded store (a Chroma server's are a
    ``StoreError`` naming it): those name the store, not a server."""
    module = type(exc).__module__.split(".")[0]
    if module not in _SERVER_MODULES:
        return None
    if module == "chromadb":
        return f"the store's Chroma database failed: {type(exc).__name__}: {exc} (`newsqa doctor` checks it)"
    from urllib.parse import urlsplit

    url = str(getattr(getattr(exc, "request", None), "url", "") or "")
    if url:  # never echo credentials that may sit in a URL's user-info part
        parts = urlsplit(url)
        url = f" at {parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
    return f"the server{url} failed: {type(exc).__name__}: {exc}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsqa", description="Question answering over news articles, citing the exact source sentences."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest", help="add articles from files, folders (.txt .md .html .json .jsonl), web pages or feeds"
    )
    p.add_argument("paths", nargs="+", help="files, folders, or http(s) URLs of pages and RSS/Atom feeds")
    p.add_argument("--if-empty", action="store_true", help="only when the store holds no article yet")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question (or --file: one question per line)")
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--file", help="questions, one per line ('-' for stdin); prints one JSON object per line")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON (same as --format json)")
    p.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="markdown: the answer with its quoted sources (title, URL, sentence, offsets), to keep",
    )
    p.add_argument("--no-stream", action="store_true", help="print the answer only when it is complete")
    add_selection_arguments(p)
    p.set_defaults(run=cmd_ask)

    add_command(sub, "chat", "an interactive question loop in the terminal", cmd_chat)
    add_command(sub, "list", "list the stored articles", cmd_list, json_help="")
    add_command(
        sub, "delete", "remove an article (id from `newsqa list`)", cmd_delete, items=("article_ids", "ID")
    )
    repair = "check the store and repair Chroma / lexical index mismatches"
    add_command(sub, "doctor", repair, cmd_doctor)

    p = sub.add_parser("serve", help="start the web chat (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="address to listen on (NEWSQA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (NEWSQA_PORT, default 7860)")
    p.set_defaults(run=cmd_serve)

    add_feed_parsers(sub)
    add_eval_parser(sub)  # argparse only: the runner, models and matplotlib load when it runs
    return parser


def _qa() -> NewsQA:
    from qa.api import NewsQA

    return NewsQA()


def _lang(qa: NewsQA) -> str:
    """The language of the CLI's own lines: ``NEWSQA_LANGUAGE``, else the locale."""
    from qa.text.language import interface_language

    return interface_language(qa.settings.language)


def _progress(desc: str) -> Callable[[int, int], None]:
    """A tqdm bar driven by ``(done, total)`` callbacks; silent when stderr is not a terminal."""
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=desc, unit="sent", disable=None, leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()

    return update


def cmd_ingest(args: argparse.Namespace) -> int:
    qa = _qa()
    lang = _lang(qa)
    if args.if_empty and qa.store.count():
        print(
            phrase("store_already", lang, articles=count(qa.store.count(), "article", lang)), file=sys.stderr
        )
        return 0
    result = qa.ingest(args.paths, progress=_progress("Embedding"))
    r = result.report
    if args.json:
        print(
            json.dumps(
                {
                    "added": r.added,
                    "replaced": r.replaced,
                    "unchanged": r.unchanged,
                    "duplicates": r.duplicates,
                    "sentences": r.sentences,
                    "seconds": round(r.seconds, 3),
                    "problems": [{"path": p.path, "message": p.message} for p in result.problems],
                },
                ensure_ascii=False,
            )
        )
    else:
        print(
            ingest_summary(r, lang),
            phrase("store_holds", lang, articles=count(qa.store.count(), "article", lang)),
        )
    for problem in result.problems:  # a message names its file or URL already
        named = problem.message.startswith(problem.path)
        message = problem.message if named else f"{problem.path}: {problem.message}"
        print(phrase("skipped", lang, message=message), file=sys.stderr)
    return 2 if result.problems and not r.changed and not r.unchanged else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.scope.selection import SelectionError

    qa = _qa()
    try:
        return _ask(qa, args)
    except SelectionError as exc:  # a bad day, --since after --until, an unknown --article
        raise UserError(exc.say(_lang(qa))) from None


def _ask(qa: NewsQA, args: argparse.Namespace) -> int:
    selection = selection_from(args)
    if args.file:
        return _ask_batch(qa, args.file, selection)
    if not args.question:
        raise UserError(phrase("give_question", _lang(qa)))
    qa.check_question(args.question)
    _require_articles(qa)
    if args.json or args.format == "json":
        print(qa.ask(args.question, selection=selection).model_dump_json(indent=2))
        return 0
    if args.format == "markdown":
        from qa.export import answer_markdown

        answer = qa.ask(args.question, selection=selection)
        urls = {a.id: a.url for a in qa.articles() if a.url}
        print(answer_markdown(answer, _lang(qa), urls), end="")
        return 0
    print_answer(qa, args.question, stream=not args.no_stream, selection=selection, language=_lang(qa))
    return 0


def _require_articles(qa: NewsQA) -> None:
    """Asking an empty store is a mistake to point out, not a question the sources cannot answer."""
    from qa.text.phrases import empty_store

    if qa.store.count() == 0:
        raise UserError(empty_store(_lang(qa)))


def _ask_batch(qa: NewsQA, path: str, selection: Selection | None = None) -> int:
    from qa.api import QuestionError

    lines = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    with lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                print(qa.ask(line.strip(), selection=selection).model_dump_json(), flush=True)
            except QuestionError as exc:
                print(
                    json.dumps({"question": line.strip(), "error": str(exc)}, ensure_ascii=False), flush=True
                )
    return 0


def print_answer(
    qa: NewsQA,
    question: str,
    history: Sequence = (),
    stream: bool = True,
    selection: Selection | None = None,
    language: str = "en",
) -> Answer:
    """Stream the answer to stdout, then list its sources (and what it was asked of, if not all);
    the lines around the answer are in ``language`` (the CLI's), the answer in its question's."""
    from qa.text.phrases import scope_line
    from qa.types import Answer

    final = None
    for event in qa.stream(question, history, selection):
        if isinstance(event, Answer):
            final = event
        elif stream:
            print(event, end="", flush=True)
    assert final is not None
    if not stream:
        print(final.text, end="")
    print()
    scope = scope_line(final.language, final.selection, final.time_expression)
    if scope:
        print(f"  ({scope})")
    for c in final.citations:
        dated = f"{c.day}, " if c.day else ""
        where = phrase("sentence_chars", language, n=c.sentence_index + 1, start=c.start, end=c.end)
        print(f"  [{c.marker}] {c.title} ({c.source}, {dated}{where})")
    if final.abstained and final.passages:
        print(f"  {phrase('closest', language)}:")
        for p in final.passages[:3]:
            print(f"   - {p.text[:160]} ({p.title})")
    for claim in final.unsupported:
        print(f"  ! {phrase('unsupported', language, claim=claim)}")
    if final.notice:
        print(f"newsqa: {final.notice}", file=sys.stderr)
    return final


def cmd_chat(args: argparse.Namespace) -> int:
    from qa.api import QuestionError

    qa = _qa()
    _require_articles(qa)
    lang = _lang(qa)
    articles = count(qa.store.count(), "article", lang)
    print(phrase("chat_intro", lang, articles=articles, answerer=qa.answerer.label or qa.answerer.name))
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        try:
            answer = print_answer(qa, question, history, language=lang)
        except QuestionError as exc:
            print(exc)
            continue
        history.append((question, answer.text))


def cmd_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    qa = _qa()
    articles = qa.articles()
    if args.json:
        print(json.dumps([asdict(a) for a in articles], ensure_ascii=False, indent=2))
        return 0
    lang = _lang(qa)
    for a in articles:
        sentences = count(a.n_sentences, "sentence", lang)
        print(f"{a.id}  {sentences:>10}  {a.date[:10] or '-':10}  {a.title}  ({a.source})")
    print(count(len(articles), "article", lang))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    qa = _qa()
    lang = _lang(qa)
    return remove_each(
        args.article_ids,
        qa.delete,
        lambda article_id: phrase("no_such_id", lang, id=article_id),
        lambda n: phrase("deleted_n", lang, n=n),
    )


def cmd_doctor(args: argparse.Namespace) -> int:
    qa = _qa()
    store, lang = qa.store, _lang(qa)
    # Opening the store already runs the check and repairs what it finds; report those repairs
    # (a second check alone would always say "consistent"), then verify nothing is left.
    report, again = store.opened_check, store.check()
    if not again.consistent:
        raise RuntimeError(f"the store is still inconsistent after repair: {again}")
    print(phrase("checked", lang, articles=count(report.articles, "article", lang)))
    if report.orphan_articles_removed:
        orphans = count(len(report.orphan_articles_removed), "article", lang)
        print(phrase("orphans_removed", lang, articles=orphans))
    if report.lexical_added or report.lexical_removed:
        added, removed = len(report.lexical_added), len(report.lexical_removed)
        print(phrase("lexical_repaired", lang, added=added, removed=removed))
    print(phrase("consistent" if report.consistent else "repaired", lang))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.server import launch  # Gradio loads only when serving

    qa = _qa()
    host = args.host or qa.settings.host
    port = args.port or qa.settings.port
    lang = _lang(qa)
    print(phrase("starting", lang, url=f"http://{host}:{port}"), flush=True)
    try:
        launch(qa, host, port, block=True)
    except OSError as exc:  # Gradio's own message points at GRADIO_SERVER_PORT, not newsqa's options
        if "port" not in str(exc).lower():
            raise
        raise UserError(phrase("port_busy", lang, port=port)) from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
