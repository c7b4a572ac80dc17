"""The store: idempotent and replacing ingest, delete, reopening, and repair after a crash."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from helpers import GENERALSTAB, SEED

from ingest import load_file
from qa.store import StoreError
from qa.store.lexical import LexicalIndex
from qa.store.sentence_vectors import pack


def _sizes(qa) -> tuple[int, ...]:
    return tuple(qa.store.record_counts().values())


def test_ingesting_twice_changes_nothing(make_qa) -> None:
    qa = make_qa()
    first = qa.ingest([SEED.parent])
    assert len(first.report.added) == 1 and not first.problems
    before = _sizes(qa)
    second = qa.ingest([SEED.parent])
    assert second.report.added == [] and second.report.unchanged == first.report.added
    assert _sizes(qa) == before
    assert before[2] == 21 and before[1] == before[3] == 7  # every sentence and chunk, in Chroma and BM25


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
    stored = qa.store.get_article(article_id)
    assert stored is not None and stored.text == changed
    docs = [s.text for s in stored.sentences]
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
    assert _sizes(qa) == (0, 0, 0, 0)
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

    other = make_qa(embeddings=Other())
    with pytest.raises(StoreError, match=f"built with {qa.store.embeddings.name}"):
        _ = other.store


def test_orphans_of_an_interrupted_write_are_removed_on_open(make_qa) -> None:
    qa = make_qa()
    article = load_file(SEED)[0]
    qa.store._write_batch([article])  # chunks and article record written...
    qa.store._articles.delete(ids=[article.id])  # ...but the commit marker never landed
    reopened = make_qa()
    assert _sizes(reopened) == (0, 0, 0, 0)
    assert reopened.ingest([SEED]).report.added == [article.id]
    assert _sizes(reopened)[2] == 21


def test_lost_lexical_index_is_rebuilt_from_chroma(make_qa, tmp_path) -> None:
    qa = make_qa()
    qa.ingest([SEED])
    shutil.rmtree(tmp_path / "store" / "lexical")
    reopened = make_qa()
    assert _sizes(reopened) == _sizes(qa)
    report = reopened.store.check()
    assert report.consistent


def test_a_lexical_file_whose_parts_disagree_is_rebuilt_from_chroma(make_qa, tmp_path) -> None:
    """A saved matrix with fewer rows than ids must not be loaded."""
    qa = make_qa()
    qa.ingest([SEED])
    path = tmp_path / "store" / "lexical" / "newsqa" / "sentences.npz"
    assert path.exists()
    with np.load(path) as npz:
        parts = dict(npz)
    meta = json.loads(parts["meta"].tobytes().decode())
    meta["ids"].append(f"{meta['ids'][0]}-extra")
    meta["groups"].append(meta["groups"][0])
    parts["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **parts)
    with pytest.raises(ValueError, match="disagree"):
        LexicalIndex.load(path)
    reopened = make_qa()
    assert reopened.store.opened_check.lexical_added and _sizes(reopened) == _sizes(qa)
    assert reopened.ask("Was wies der Generalstab in Kiew zurück?").citations[0].text == GENERALSTAB


def test_a_stored_article_reads_back_exactly_as_ingested(make_qa, embeddings) -> None:
    """Sentences and chunks are rebuilt from the article record's layout: every offset must match."""
    qa = make_qa()
    article = load_file(SEED)[0]
    qa.store.add([article])
    stored = qa.store.get_article(article.id)
    assert stored is not None
    assert (stored.text, stored.sentences, stored.chunks) == (article.text, article.sentences, article.chunks)
    rows = qa.store.sentence_rows([s.id for s in article.sentences] + [f"{article.id}:99", "nope:0"])
    assert [r.sentence for r in rows.values()] == list(article.sentences)
    assert rows[article.sentences[5].id].sentence.text == GENERALSTAB
    # chunk membership: every chunk a sentence belongs to, and no other
    for s in article.sentences:
        assert rows[s.id].chunks == tuple(c.index for c in article.chunks if s.index in c.sentence_indices)
    # each sentence's own vector (float16 in the chunk records), not a neighbour's
    encoded = embeddings.encode([s.text for s in article.sentences])
    assert abs(_stored_vectors(qa, article) - encoded).max() < 1e-3


def test_article_text_is_kept_out_of_chromas_full_text_index(make_qa) -> None:
    """The text rides in the article record's metadata: as a document it would feed a full-text index
    on every write that newsqa never queries."""
    qa = make_qa()
    article = load_file(SEED)[0]
    qa.store.add([article])
    assert qa.store._articles.get(ids=[article.id], include=["documents"])["documents"] == [None]
    assert "text" not in qa.store.article_meta([article.id])[article.id]
    meta = qa.store._articles.get(ids=[article.id], include=["metadatas"])["metadatas"][0]
    assert meta.pop("text") == article.text
    reopened = make_qa()
    stored = reopened.store.get_article(article.id)
    assert stored is not None and (stored.text, stored.sentences) == (article.text, article.sentences)
    cited = reopened.ask("Was wies der Generalstab in Kiew zurück?").citations[0]
    assert (cited.start, cited.end, cited.text) == (749, 834, GENERALSTAB)


def test_records_left_by_a_longer_earlier_version_are_removed_on_open(make_qa) -> None:
    """A chunk id past the article's layout (an interrupted replace) is an orphan, not a chunk."""
    qa = make_qa()
    qa.ingest([SEED])
    article_id, before = qa.articles()[0].id, _sizes(qa)
    vector = qa.store._chunks.get(ids=[f"{article_id}:c0"], include=["embeddings"])["embeddings"][0]
    qa.store._chunks.upsert(ids=[f"{article_id}:c40", "gone:c0"], embeddings=[vector, vector])
    reopened = make_qa()
    assert reopened.store.opened_check.orphan_articles_removed == sorted(["gone", article_id])
    assert _sizes(reopened) == before
    assert reopened.store.check().consistent


def test_a_store_of_another_schema_is_refused_with_the_rebuild_steps(make_qa, tmp_path) -> None:
    """A store written by an earlier newsqa (no schema number in its collections) is not read."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(tmp_path / "store" / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    client.create_collection(
        "newsqa_articles", embedding_function=None, metadata={"hnsw:space": "cosine", "embedding": "x"}
    )
    with pytest.raises(StoreError, match=r"another version of newsqa .*ingest the articles again"):
        _ = make_qa().store


def _stored_vectors(qa, article) -> np.ndarray:
    rows = qa.store.sentence_rows([s.id for s in article.sentences], vectors=True)
    return np.stack([rows[s.id].vector for s in article.sentences])


def test_a_damaged_chunk_record_costs_vectors_never_wrong_ones(make_qa, embeddings) -> None:
    """Vectors that do not fit the chunk: its sentences are read from the overlapping chunk or left out."""
    qa = make_qa()
    article = load_file(SEED)[0]
    qa.store.add([article])
    damaged, neighbour = article.chunks[0], article.chunks[1]
    qa.store._chunks.update(ids=[damaged.id], metadatas=[{"sentence_vectors": pack(np.ones((1, 512)))}])
    reopened = make_qa()
    rows = reopened.store.sentence_rows([s.id for s in article.sentences], vectors=True)
    only_damaged = set(damaged.sentence_indices) - set(neighbour.sentence_indices)
    assert {s.index for s in article.sentences if s.id not in rows} == only_damaged
    encoded = embeddings.encode([s.text for s in article.sentences])
    for s in article.sentences:
        if s.id in rows:
            assert abs(rows[s.id].vector - encoded[s.index]).max() < 1e-3
    assert damaged.id in reopened.store.chunk_vectors([damaged.id])  # the chunk's own vector is intact
