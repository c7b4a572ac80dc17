"""The store: idempotent and replacing ingest, delete, reopening, and repair after a crash."""

from __future__ import annotations

import shutil

import pytest
from conftest import GENERALSTAB, SEED

from ingest import load_file
from qa.store import StoreError


def _sizes(qa) -> tuple[int, int, int, int, int]:
    s = qa.store
    return s.count(), s.sentences.count(), s.chunks.count(), len(s.sentence_index), len(s.chunk_index)


def test_ingesting_twice_changes_nothing(make_qa) -> None:
    qa = make_qa()
    first = qa.ingest([SEED.parent])
    assert len(first.report.added) == 1 and not first.problems
    before = _sizes(qa)
    second = qa.ingest([SEED.parent])
    assert second.report.added == [] and second.report.unchanged == first.report.added
    assert _sizes(qa) == before
    assert before[1] == before[3] == 21  # every sentence in Chroma and in the lexical index


def test_changed_article_replaces_its_old_version(make_qa, tmp_path) -> None:
    qa = make_qa()
    path = tmp_path / "article.txt"
    shutil.copy(SEED, path)
    article_id = qa.ingest([path]).report.added[0]
    changed = SEED.read_text(encoding="utf-8").replace(
        GENERALSTAB, "Der Generalstab in Kiew bestätigte dagegen, dass die Soldaten eingekesselt seien."
    )
    path.write_text(changed, encoding="utf-8")
    report = qa.ingest([path]).report
    assert report.replaced == [article_id] and report.added == []
    assert qa.store.count() == 1
    docs = qa.store.sentences.get(include=["documents"])["documents"]
    assert GENERALSTAB not in docs and "bestätigte dagegen" in " ".join(docs)
    answer = qa.ask("Was wies der Generalstab in Kiew zurück?")
    assert all(c.text != GENERALSTAB for c in answer.citations + answer.passages)
    cited = qa.ask("Was bestätigte der Generalstab in Kiew?").citations[0]
    assert changed[cited.start : cited.end] == cited.text and "bestätigte" in cited.text
    assert qa.store.sentence_index.top(["zuruck"], 5) == []  # the old wording is gone from BM25 too


def test_same_text_under_another_name_is_a_duplicate(make_qa, tmp_path) -> None:
    qa = make_qa()
    qa.ingest([SEED])
    copy = tmp_path / "copy.txt"
    shutil.copy(SEED, copy)
    report = qa.ingest([copy]).report
    assert report.added == [] and list(report.duplicates.values()) == [qa.articles()[0].id]
    assert qa.store.count() == 1


def test_delete_removes_everything(make_qa) -> None:
    qa = make_qa()
    article_id = qa.ingest([SEED]).report.added[0]
    assert qa.delete(article_id)
    assert _sizes(qa) == (0, 0, 0, 0, 0)
    assert not qa.delete(article_id)
    answer = qa.ask("Was wies der Generalstab in Kiew zurück?")
    assert answer.abstained and answer.passages == []


def test_reopened_store_answers_the_same(make_qa, tmp_path) -> None:
    qa = make_qa()
    qa.ingest([SEED])
    again = make_qa()
    assert _sizes(again) == _sizes(qa)
    assert again.ask("Was wies der Generalstab in Kiew zurück?").citations[0].text == GENERALSTAB
    article = again.article(again.articles()[0].id)
    assert article is not None and len(article.sentences) == 21
    assert all(article.text[s.start : s.end] == s.text for s in article.sentences)


def test_store_refuses_other_embeddings(make_qa) -> None:
    qa = make_qa()
    qa.ingest([SEED])

    class Other(type(qa.embeddings)):
        name = "some-other-model"

    other = make_qa()
    other.__dict__["embeddings"] = Other()
    with pytest.raises(StoreError, match="built with use-multilingual-v3"):
        _ = other.store


def test_orphans_of_an_interrupted_write_are_removed_on_open(make_qa) -> None:
    qa = make_qa()
    article = load_file(SEED)[0]
    qa.store._write_batch([article])  # sentences, chunks and article record written...
    qa.store.articles.delete(ids=[article.id])  # ...but the commit marker never landed
    reopened = make_qa()
    assert _sizes(reopened) == (0, 0, 0, 0, 0)
    assert reopened.ingest([SEED]).report.added == [article.id]
    assert _sizes(reopened)[1] == 21


def test_lost_lexical_index_is_rebuilt_from_chroma(make_qa, tmp_path) -> None:
    qa = make_qa()
    qa.ingest([SEED])
    shutil.rmtree(tmp_path / "store" / "lexical")
    reopened = make_qa()
    assert _sizes(reopened) == _sizes(qa)
    report = reopened.store.check()
    assert report.consistent
