"""``newsqa``: ingest, ask, chat, list, delete and check, from the terminal.

Heavy imports (models, Chroma, Gradio) happen inside the commands, so ``newsqa --help`` is instant.
Errors a user can cause end in a one-line message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qa.eval.cli import add_parser as add_eval_parser

if TYPE_CHECKING:
    from qa.api import NewsQA
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
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
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
    """A one-line message naming the server for a client library's error, else None (a bug)."""
    if type(exc).__module__.split(".")[0] not in _SERVER_MODULES:
        return None
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

    p = sub.add_parser("ingest", help="add articles from files or folders (.txt .md .html .json .jsonl)")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--if-empty", action="store_true", help="only when the store holds no article yet")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question (or --file: one question per line)")
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--file", help="questions, one per line ('-' for stdin); prints one JSON object per line")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.add_argument("--no-stream", action="store_true", help="print the answer only when it is complete")
    p.set_defaults(run=cmd_ask)

    p = sub.add_parser("chat", help="an interactive question loop in the terminal")
    p.set_defaults(run=cmd_chat)

    p = sub.add_parser("list", help="list the stored articles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("delete", help="remove an article (id from `newsqa list`)")
    p.add_argument("article_ids", nargs="+", metavar="ID")
    p.set_defaults(run=cmd_delete)

    p = sub.add_parser("doctor", help="check the store and repair Chroma / lexical index mismatches")
    p.set_defaults(run=cmd_doctor)

    p = sub.add_parser("serve", help="start the web chat (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="address to listen on (NEWSQA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (NEWSQA_PORT, default 7860)")
    p.set_defaults(run=cmd_serve)

    add_eval_parser(sub)  # argparse only: the runner, models and matplotlib load when it runs
    return parser


def _qa() -> NewsQA:
    from qa.api import NewsQA

    return NewsQA()


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
    if args.if_empty and qa.store.count():
        print(f"The store already holds {qa.store.count()} articles; nothing ingested.", file=sys.stderr)
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
            f"{len(r.added)} added, {len(r.replaced)} replaced, {len(r.unchanged)} unchanged, "
            f"{len(r.duplicates)} duplicates; {r.sentences} sentences in {r.seconds:.1f} s. "
            f"The store holds {qa.store.count()} articles."
        )
    for problem in result.problems:
        print(f"skipped {problem.path}: {problem.message}", file=sys.stderr)
    return 2 if result.problems and not r.changed and not r.unchanged else 0


def cmd_ask(args: argparse.Namespace) -> int:
    qa = _qa()
    if args.file:
        return _ask_batch(qa, args.file)
    if not args.question:
        raise UserError("give a question, or --file with one question per line")
    qa.check_question(args.question)
    _require_articles(qa)
    if args.json:
        print(qa.ask(args.question).model_dump_json(indent=2))
        return 0
    print_answer(qa, args.question, stream=not args.no_stream)
    return 0


def _require_articles(qa: NewsQA) -> None:
    """Asking an empty store is a mistake to point out, not a question the sources cannot answer."""
    from qa.text.phrases import empty_store

    if qa.store.count() == 0:
        raise UserError(empty_store("en"))


def _ask_batch(qa: NewsQA, path: str) -> int:
    from qa.api import QuestionError

    lines = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    with lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                print(qa.ask(line.strip()).model_dump_json(), flush=True)
            except QuestionError as exc:
                print(
                    json.dumps({"question": line.strip(), "error": str(exc)}, ensure_ascii=False), flush=True
                )
    return 0


def print_answer(qa: NewsQA, question: str, history: Sequence = (), stream: bool = True) -> Answer:
    """Stream the answer to stdout, then list its sources."""
    from qa.types import Answer

    final = None
    for event in qa.stream(question, history):
        if isinstance(event, Answer):
            final = event
        elif stream:
            print(event, end="", flush=True)
    assert final is not None
    if not stream:
        print(final.text, end="")
    print()
    for c in final.citations:
        print(
            f"  [{c.marker}] {c.title} ({c.source}, sentence {c.sentence_index + 1}, chars {c.start}-{c.end})"
        )
    if final.abstained and final.passages:
        print("  Closest passages found:")
        for p in final.passages[:3]:
            print(f"   - {p.text[:160]} ({p.title})")
    for claim in final.unsupported:
        print(f"  ! left out, no source supports it: {claim}")
    if final.notice:
        print(f"newsqa: {final.notice}", file=sys.stderr)
    return final


def cmd_chat(args: argparse.Namespace) -> int:
    from qa.api import QuestionError

    qa = _qa()
    _require_articles(qa)
    count = qa.store.count()
    print(
        f"newsqa chat: {count} articles, answerer: {qa.answerer.label or qa.answerer.name}. "
        "Ask a question; an empty line or Ctrl-D ends."
    )
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
            answer = print_answer(qa, question, history)
        except QuestionError as exc:
            print(exc)
            continue
        history.append((question, answer.text))


def cmd_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    articles = _qa().articles()
    if args.json:
        print(json.dumps([asdict(a) for a in articles], ensure_ascii=False, indent=2))
        return 0
    for a in articles:
        print(f"{a.id}  {a.n_sentences:4d} sent  {a.added_at[:10]}  {a.title}  ({a.source})")
    print(f"{len(articles)} articles")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    qa = _qa()
    missing = [i for i in args.article_ids if not qa.delete(i)]
    for article_id in missing:
        print(f"newsqa: no article with id {article_id}", file=sys.stderr)
    print(f"{len(args.article_ids) - len(missing)} deleted")
    return 2 if missing else 0


def cmd_doctor(args: argparse.Namespace) -> int:
    store = _qa().store
    # Opening the store already runs the check and repairs what it finds; report those repairs
    # (a second check alone would always say "consistent"), then verify nothing is left.
    report, again = store.opened_check, store.check()
    if not again.consistent:
        raise RuntimeError(f"the store is still inconsistent after repair: {again}")
    print(f"{report.articles} articles checked.")
    if report.orphan_articles_removed:
        print(f"Removed chunk records of {len(report.orphan_articles_removed)} incomplete articles.")
    if report.lexical_added or report.lexical_removed:
        print(
            f"Lexical index repaired: +{len(report.lexical_added)} / -{len(report.lexical_removed)} articles."
        )
    print("The store is consistent." if report.consistent else "Repaired; the store is now consistent.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.server import launch  # Gradio loads only when serving

    qa = _qa()
    host = args.host or qa.settings.host
    port = args.port or qa.settings.port
    print(f"Starting the web chat on http://{host}:{port} …", flush=True)
    launch(qa, host, port, block=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
