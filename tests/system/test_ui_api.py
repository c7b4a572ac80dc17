"""The web chat driven through its API with ``gradio_client``: ask, add, delete, reject bad files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from helpers import GENERALSTAB, SEED, build_qa, free_port
from ui_helpers import served

MAX_BYTES = 20_000
PASTED = (
    "Die Stadtwerke Bonn erhöhen zum ersten März die Preise für Fernwärme um zwölf Prozent. "
    "Als Grund nannte das Unternehmen gestiegene Kosten für Erdgas."
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[Client]:
    qa = build_qa(tmp_path_factory.mktemp("ui-api"), embeddings, max_file_bytes=MAX_BYTES, auth="")
    qa.ingest([SEED])
    with served(qa, free_port()) as url:
        yield Client(url, verbose=False)


def titles(client: Client) -> list[str]:
    table = client.predict(api_name="/list_articles")
    return [row[0] for row in table["data"]]


def test_ask_gives_a_cited_answer_with_sources(client: Client) -> None:
    messages, choices, article_html, _heading = client.predict(
        "Was wies der Generalstab in Kiew zurück?", api_name="/chat"
    )
    answer, sources = messages[0]["content"], messages[1]
    assert GENERALSTAB in answer and "[1]" in answer and 'href="#cite-0-1"' in answer
    assert sources["metadata"]["title"].startswith(("Quellen", "Sources"))
    assert GENERALSTAB in sources["content"]
    assert choices["value"] == "0-1"
    assert '<mark class="cited focus"' in article_html and GENERALSTAB in article_html
    assert '<mark class="retrieved"' in article_html


def test_abstention_says_so_and_shows_the_closest_passages(client: Client) -> None:
    messages, choices, _html, heading = client.predict(
        "Wer gewann die Fußball-Weltmeisterschaft 2014 in Brasilien?", api_name="/chat"
    )
    assert "in den Quellen" in messages[0]["content"] and "cite" not in messages[0]["content"]
    # the answer speaks its question's language; the page's words around it are the caller's
    # (English for an API client that names no language)
    assert messages[1]["metadata"]["title"].startswith("Not in the sources")
    assert "Not in the sources" in heading
    assert choices["choices"] and choices["choices"][0][1].endswith("-p0")


def test_paste_then_delete_an_article(client: Client) -> None:
    before = titles(client)
    status, table, _info, *_ = client.predict("Fernwärme in Bonn", PASTED, api_name="/add_text")
    assert "1 added" in status
    row = next(r for r in table["data"] if r[0] == "Fernwärme in Bonn")
    assert row[3] == 2  # sentences
    status, table, *_ = client.predict(row[-1], api_name="/delete_article")
    assert "Deleted" in status
    assert titles(client) == before


def test_upload_a_file(client: Client, tmp_path: Path) -> None:
    before = titles(client)
    path = tmp_path / "bonn.txt"
    path.write_text("Preise in Bonn\n\n" + PASTED, encoding="utf-8")
    status, table, _info = client.predict([handle_file(str(path))], api_name="/ingest_files")
    assert "1 added" in status
    row = next(r for r in table["data"] if r[0] == "Preise in Bonn")
    assert row[1] == "bonn.txt"
    client.predict(row[-1], api_name="/delete_article")
    assert titles(client) == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02\xff\xfe" * 200, "binary"),
    ],
)
def test_bad_files_are_rejected_with_a_message(
    client: Client, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    before = titles(client)
    path = tmp_path / name
    path.write_bytes(content)
    status, _table, _info = client.predict([handle_file(str(path))], api_name="/ingest_files")
    (line,) = [x for x in status.splitlines() if name in x]  # one line per rejected file
    assert (
        "Nothing added" in status and line.startswith(f"- **Rejected:** {name}: ") and line.count(name) == 1
    )
    assert expected in status.lower()
    assert titles(client) == before


def test_oversized_file_is_refused_and_changes_nothing(client: Client, tmp_path: Path) -> None:
    before = titles(client)
    path = tmp_path / "big.txt"
    path.write_text("Ein Satz über Bonn. " * (MAX_BYTES // 10), encoding="utf-8")
    try:
        status, _table, _info = client.predict([handle_file(str(path))], api_name="/ingest_files")
    except Exception as exc:  # Gradio refuses the upload itself (max_file_size)
        status = str(exc)
    assert "size" in status.lower() or "limit" in status.lower(), status
    assert titles(client) == before


def test_empty_question_gets_a_message(client: Client) -> None:
    messages, *_ = client.predict("   ", api_name="/chat")
    text = messages if isinstance(messages, str) else str(messages)
    assert "empty" in text.lower()


def test_the_page_builds_its_server_app_once(make_qa, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gradio builds a FastAPI app on every Blocks exit and ``queue`` (six for this page, 0.2-0.5 s
    each); ``ui.server.served_app_only`` leaves only the one ``launch`` serves. Fails with 6."""
    from gradio.routes import App

    real, built = App.create_app, []

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(App, "create_app", staticmethod(counted))
    with served(make_qa(auth=""), free_port()) as url:
        messages, *_ = Client(url, verbose=False).predict("Was sagte Putin?", api_name="/chat")
    assert messages and len(built) == 1, len(built)


def test_an_empty_store_says_how_to_add_articles_under_the_answer(tmp_path: Path, embeddings) -> None:
    qa = build_qa(tmp_path / "empty", embeddings, auth="")
    with served(qa, free_port()) as url:
        messages, *_ = Client(url, verbose=False).predict("Was sagte Selenskyj?", api_name="/chat")
    answer = messages[0]["content"]
    assert "in den Quellen" in answer
    assert 'class="notice"' in answer and "newsqa ingest" in answer and "Artikel" in answer
