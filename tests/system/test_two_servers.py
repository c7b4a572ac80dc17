"""Two ``newsqa serve`` processes on one data directory see each other's writes on their next question.

Each server is its own process with its own Chroma client and record caches; the only thing they
share is the store on disk. An article added through one page is answered (with a citation into
it) by the other, and an article deleted through that one is gone from the first one's answers,
with no error on either (issue #18 item 1: before, the other process's in-memory vector index did
not hold the new chunks and the question failed with Chroma's "Error finding id").
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from gradio_client import Client, handle_file
from helpers import GENERALSTAB, SEED, free_port
from test_other_writers import ASK_NEW, NEW
from ui_helpers import serve_process

pytestmark = [pytest.mark.server, pytest.mark.slow]

TITLE = "Brückenbau an der Wumme"
BODY = f"{NEW} Die Bauarbeiten hatten drei Jahre gedauert."


def _ask(client: Client, question: str) -> tuple[str, str, str]:
    """The answer, the sources block and the article view (with its focused citation) of ``/chat``."""
    messages, _choices, article_html, _heading = client.predict(question, api_name="/chat")
    return messages[0]["content"], messages[1]["content"], article_html


def _titles(client: Client) -> dict[str, str]:
    """Title -> id of the articles the page lists."""
    table = client.predict(api_name="/list_articles")
    return {row[0]: row[-1] for row in table["data"]}


def test_two_servers_on_one_store_see_each_others_writes(tmp_path) -> None:
    data_dir = tmp_path / "store"
    with ExitStack() as stack:
        first = Client(stack.enter_context(serve_process(data_dir, free_port())), verbose=False)
        second = Client(stack.enter_context(serve_process(data_dir, free_port())), verbose=False)

        # both servers have answered (and cached records) before the other one writes
        status, *_ = first.predict([handle_file(str(SEED))], api_name="/ingest_files")
        assert "1 added" in status, status
        answer, _, _ = _ask(second, "Was wies der Generalstab in Kiew zurück?")
        assert GENERALSTAB in answer
        answer, _, _ = _ask(first, ASK_NEW)
        assert NEW not in answer

        status, *_ = first.predict(TITLE, BODY, api_name="/add_text")
        assert "1 added" in status, status
        answer, sources, article_html = _ask(second, ASK_NEW)
        assert NEW in answer and 'href="#cite-' in answer, answer
        assert NEW in sources and TITLE in sources, sources
        focus = article_html.split('<mark class="cited focus"', 1)[1].split("</mark>", 1)[0]
        assert NEW in focus and TITLE in article_html

        article_id = _titles(second)[TITLE]
        status, *_ = second.predict(article_id, api_name="/delete_article")
        assert TITLE in status, status
        answer, sources, article_html = _ask(first, ASK_NEW)
        assert answer.strip() and NEW not in answer and NEW not in sources, (answer, sources)
        assert TITLE not in sources and TITLE not in article_html
        assert TITLE not in _titles(first)
        assert GENERALSTAB in _ask(first, "Was wies der Generalstab zurück?")[0]  # the rest still answers
