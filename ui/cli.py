"""``newsqa serve``: registered with the CLI without importing Gradio (``newsqa --help`` stays fast)."""

from __future__ import annotations

import argparse


def add_serve_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the web chat (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="address to listen on (NEWSQA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (NEWSQA_PORT, default 7860)")
    p.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from qa.api import NewsQA
    from ui.server import launch

    qa = NewsQA()
    host = args.host or qa.settings.host
    port = args.port or qa.settings.port
    print(f"Starting the web chat on http://{host}:{port} …", flush=True)
    launch(qa, host, port, block=True)
    return 0
