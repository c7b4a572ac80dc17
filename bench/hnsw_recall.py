"""Chunk-graph settings against Chroma's defaults: build time and recall@16 of exact search.

One command: ``python bench/hnsw_recall.py [--articles 1028]`` (needs the store that
``bench/ingest.py`` leaves in ``bench/.cache/stores/newsqa-N``). It copies that store's chunk
vectors into two fresh collections, one with Chroma's default HNSW settings and one with
``qa.store.chroma.PASSAGE_HNSW``, then asks both the query bench's 100 questions and counts how many of
the exact top-16 chunks (the retriever's dense candidates; by cosine, tie-aware: the
10,000-article corpus repeats every chunk) each returns. Prints a Markdown table; this is where
the figures next to ``PASSAGE_HNSW`` come from.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ingest  # noqa: F401  (the package, before bench/ingest.py can shadow it)

sys.path.append(str(Path(__file__).resolve().parent))
from common import store_dir, table
from query import questions

K = 16  # HybridRetriever.dense_chunk_k


def main(argv: list[str] | None = None) -> int:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from qa.embeddings.factory import encode_queries, make_embeddings
    from qa.settings import Settings
    from qa.store.chroma import PASSAGE_HNSW

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1028, help="which bench store (default 1028)")
    args = parser.parse_args(argv)
    settings = ChromaSettings(anonymized_telemetry=False)
    source = chromadb.PersistentClient(
        path=str(store_dir("newsqa", args.articles) / "chroma"), settings=settings
    )
    got = source.get_collection("newsqa_chunks").get(include=["embeddings"])
    ids, vectors = got["ids"], np.asarray(got["embeddings"], dtype=np.float32)
    asked = encode_queries(make_embeddings(Settings(_env_file=None)), questions(args.articles, 100, seed=1))
    kth = -np.sort(-(asked @ vectors.T), axis=1)[:, K - 1]  # exact k-th best score per question
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=settings)
        for name, hnsw in (("Chroma defaults", {}), ("newsqa PASSAGE_HNSW", PASSAGE_HNSW)):
            started = time.perf_counter()
            collection = client.create_collection(
                name.split()[0].lower() + "-graph",
                embedding_function=None,
                metadata={"hnsw:space": "cosine", **hnsw},
            )
            for start in range(0, len(ids), 5000):
                collection.upsert(ids=ids[start : start + 5000], embeddings=vectors[start : start + 5000])
            build = time.perf_counter() - started
            started = time.perf_counter()
            found = collection.query(query_embeddings=asked, n_results=K, include=["distances"])
            per_query = (time.perf_counter() - started) / len(asked)
            similarity = 1.0 - np.asarray(found["distances"], dtype=np.float32)
            recall = float(np.mean((similarity >= kth[:, None] - 1e-5).sum(axis=1) / K))
            rows.append(
                [
                    name,
                    str(hnsw or "M 16, ef 100/100"),
                    f"{build:.1f} s",
                    f"{per_query * 1000:.2f} ms",
                    f"{recall:.3f}",
                ]
            )
    print(f"{len(ids)} chunk vectors of the {args.articles}-article store, 100 questions\n")
    print(table(["graph", "settings", "build", "query", f"recall@{K}"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
