"""The chat's answer export (ui/chat.py): the cited article's URL comes from a lookup of the cited
articles alone, and the files live in one folder per process, one subfolder per session, that
the process and the closed tab take with them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import SEED, build_qa

from ui.chat import Chat

KURSK_URL = "http://127.0.0.1:9/kursk"


def test_export_looks_up_the_cited_articles_and_reuses_its_session_folder(
    tmp_path: Path, embeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    qa = build_qa(tmp_path / "store", embeddings)
    qa.add_text("Kursk", SEED.read_text(encoding="utf-8"), url=KURSK_URL)
    for i in range(3):  # articles the answer does not cite, with URLs of their own
        qa.add_text(
            f"Anderes {i}", f"In Köln regnet es am Tag {i} den ganzen Nachmittag lang.", url=f"http://x/{i}"
        )
    answer = qa.ask("Was wies der Generalstab in Kiew zurück?")
    kursk = next(a.id for a in qa.articles() if a.title == "Kursk")
    assert answer.citations and {c.article_id for c in answer.citations} == {kursk}

    def every_article() -> list:
        raise AssertionError("the export must not list every article")

    monkeypatch.setattr(qa.store, "list_articles", every_article)
    chat = Chat(qa)
    alice, bob = (
        SimpleNamespace(session_hash="alice", cookies={}),
        SimpleNamespace(session_hash="bob", cookies={}),
    )
    first = chat.export([answer], alice)  # type: ignore[arg-type]
    markdown = first[0]["value"]
    assert f"<{KURSK_URL}>" in markdown and "http://x/" not in markdown
    md_path = Path(first[1]["value"])
    again = chat.export([answer], alice)  # type: ignore[arg-type]
    assert Path(again[1]["value"]) == md_path  # the same file, not a new folder per answer
    other = Path(chat.export([answer], bob)[1]["value"])  # type: ignore[arg-type]
    process_folder = md_path.parent.parent
    assert other.parent.parent == process_folder and other != md_path
    assert sorted(p.name for p in process_folder.iterdir()) == ["alice", "bob"]
    for hostile in ("../..", "/", ""):  # a session id is the client's choice
        chat.forget_session(SimpleNamespace(session_hash=hostile))  # type: ignore[arg-type]
        assert process_folder.exists() and md_path.exists()
    chat.forget_session(alice)  # type: ignore[arg-type]
    assert not md_path.parent.exists() and other.exists()
    chat._exports.cleanup()  # what the process's exit does
    assert not process_folder.exists()
