"""An incremental BM25 index over token lists, persisted next to Chroma.

Local Chroma has no sparse index, so lexical retrieval lives here. It is ``bm25s``-style (a sparse
term matrix, scores computed with numpy) but built for a store that changes: documents are appended
and tombstoned without rebuilding, IDF comes from live document frequencies, and the file is
replaced atomically so a crash leaves either the old or the new index, never half of one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

K1 = 1.5
B = 0.75


class LexicalIndex:
    """BM25 over documents identified by string ids, grouped by the article they belong to."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.groups: list[str] = []  # the article id of each row
        self.versions: dict[str, str] = {}  # article id -> the content hash its rows were made from
        self.alive = np.zeros(0, dtype=bool)
        self.lengths = np.zeros(0, dtype=np.float32)
        self._blocks: list[sparse.csr_matrix] = []
        self._matrix: sparse.csr_matrix | None = None
        self._csc: sparse.csc_matrix | None = None
        self._df: np.ndarray | None = None
        self._norm: np.ndarray | None = None
        self._n_docs = 0.0
        self._dead = False

    # ---- writing -------------------------------------------------------------------------------
    def add(self, ids: Sequence[str], token_lists: Sequence[Sequence[str]], groups: Sequence[str]) -> None:
        """Append documents; an id already present is tombstoned first (its new version wins)."""
        self.remove_ids([i for i in ids if i in self.row_of])
        # One pass over all tokens, numpy for the rest: a Counter per document is several times slower.
        vocab = self.vocab
        term_id = vocab.setdefault
        cols = np.fromiter((term_id(t, len(vocab)) for tokens in token_lists for t in tokens), dtype=np.int64)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        rows = np.repeat(np.arange(len(token_lists), dtype=np.int64), lengths)
        block = sparse.csr_matrix(  # repeated (row, term) pairs are summed: the term counts
            (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(ids), len(vocab))
        )
        block.sum_duplicates()
        base = len(self.ids)
        self._blocks.append(block)
        self.ids.extend(ids)
        self.groups.extend(groups)
        self.row_of.update({doc_id: base + i for i, doc_id in enumerate(ids)})
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        self.lengths = np.concatenate([self.lengths, np.asarray(block.sum(axis=1)).ravel()])
        self._invalidate()

    def remove_groups(self, groups: Iterable[str]) -> int:
        """Tombstone every document of the given articles; returns how many were removed."""
        wanted = set(groups)
        doomed = [doc_id for doc_id, g in zip(self.ids, self.groups, strict=True) if g in wanted]
        for group in wanted:
            self.versions.pop(group, None)
        return self.remove_ids(doomed)

    def remove_ids(self, ids: Iterable[str]) -> int:
        rows = [self.row_of.pop(i) for i in ids if i in self.row_of]
        if rows:
            self.alive[rows] = False
            self._invalidate()
        if len(self.ids) > 1000 and self.alive.sum() < 0.7 * len(self.ids):
            self._compact()
        return len(rows)

    def copy(self) -> LexicalIndex:
        """An independent index over the same documents, cheap (matrices are shared, never edited).

        Why: the store edits a copy while questions read the original, then swaps the copy in.
        """
        other = LexicalIndex()
        other.vocab, other.ids, other.row_of = dict(self.vocab), list(self.ids), dict(self.row_of)
        other.groups, other.alive, other.lengths = list(self.groups), self.alive.copy(), self.lengths
        other.versions = dict(self.versions)
        other._blocks = list(self._blocks)
        other._matrix, other._csc, other._df, other._norm = self._matrix, self._csc, self._df, self._norm
        other._n_docs, other._dead = self._n_docs, self._dead
        return other

    # ---- reading -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.alive.sum())

    def group_ids(self) -> set[str]:
        return {g for g, ok in zip(self.groups, self.alive, strict=True) if ok}

    def group_versions(self) -> dict[str, str]:
        """Each live article id with the content hash of its rows ("" if written before versions were)."""
        return {g: self.versions.get(g, "") for g in self.group_ids()}

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row (tombstoned rows score 0)."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        terms = [self.vocab[t] for t in dict.fromkeys(query_tokens) if t in self.vocab]
        if not terms or not self.alive.any():
            return out
        csc, df = self._columns()
        n_docs, norm = self._norms()
        for col in terms:
            start, end = csc.indptr[col], csc.indptr[col + 1]
            rows, tf = csc.indices[start:end], csc.data[start:end]
            idf = np.log(1 + (n_docs - df[col] + 0.5) / (df[col] + 0.5))
            out[rows] += idf * tf * (K1 + 1) / (tf + norm[rows])
        if self._dead:
            out[~self.alive] = 0.0
        return out

    def top(self, query_tokens: Sequence[str], k: int) -> list[tuple[str, float]]:
        """The ``k`` best-scoring live documents with a positive score, best first."""
        return self.best(self.scores(query_tokens), k)

    def best(self, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` best rows of a :meth:`scores` array as ``(id, score)``, positive scores only."""
        if not len(scores) or k <= 0:
            return []
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(self.ids[r], float(scores[r])) for r in best if scores[r] > 0]

    def lookup(self, scores: np.ndarray, ids: Sequence[str]) -> np.ndarray:
        """Entries of a :meth:`scores` array for specific documents (0 for unknown ids)."""
        return np.asarray([scores[self.row_of[i]] if i in self.row_of else 0.0 for i in ids], np.float32)

    # ---- persistence ---------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, fsync, then rename over the old index."""
        self._compact()
        matrix = self._full_matrix()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                data=matrix.data,
                indices=matrix.indices,
                indptr=matrix.indptr,
                shape=np.asarray(matrix.shape),
                lengths=self.lengths,
                meta=np.frombuffer(
                    json.dumps(
                        {
                            "vocab": list(self.vocab),
                            "ids": self.ids,
                            "groups": self.groups,
                            "versions": self.versions,
                        }
                    ).encode(),
                    dtype=np.uint8,
                ),
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        index = cls()
        if not path.exists():
            return index
        with np.load(path) as npz:
            meta = json.loads(npz["meta"].tobytes().decode())
            matrix = sparse.csr_matrix(
                (npz["data"], npz["indices"], npz["indptr"]), shape=tuple(npz["shape"])
            )
            index.lengths = npz["lengths"].astype(np.float32)
        rows = {matrix.shape[0], len(meta["ids"]), len(meta["groups"]), len(index.lengths)}
        if len(rows) != 1 or matrix.shape[1] != len(meta["vocab"]):
            raise ValueError(f"{path}: matrix, ids and vocabulary disagree; the index must be rebuilt")
        index.vocab = {term: i for i, term in enumerate(meta["vocab"])}
        index.ids = meta["ids"]
        index.groups = meta["groups"]
        index.versions = meta.get("versions", {})
        index.row_of = {doc_id: i for i, doc_id in enumerate(index.ids)}
        index.alive = np.ones(len(index.ids), dtype=bool)
        index._blocks = [matrix]
        return index

    # ---- internals -----------------------------------------------------------------------------
    def _invalidate(self) -> None:
        self._matrix = self._csc = self._df = self._norm = None

    def _full_matrix(self) -> sparse.csr_matrix:
        if self._matrix is None:
            width = len(self.vocab)
            blocks = [b if b.shape[1] == width else _widen(b, width) for b in self._blocks]
            self._matrix = (
                sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, width))
            ).astype(np.float32)
            self._blocks = [self._matrix]
        return self._matrix

    def _columns(self) -> tuple[sparse.csc_matrix, np.ndarray]:
        if self._csc is None or self._df is None:
            self._csc = self._full_matrix().tocsc()
            live = sparse.diags(self.alive.astype(np.float32)) @ self._full_matrix()
            self._df = np.asarray((live > 0).sum(axis=0)).ravel()
        return self._csc, self._df

    def _norms(self) -> tuple[float, np.ndarray]:
        """Live document count and each row's BM25 length norm, computed once per index state.

        Recomputing them per query is O(rows): ~1 ms per query at 200k sentences, for numbers that
        only change when documents are added or removed.
        """
        if self._norm is None:
            self._n_docs = float(self.alive.sum())
            self._dead = self._n_docs < len(self.alive)
            avgdl = float(self.lengths[self.alive].mean()) or 1.0
            self._norm = (K1 * (1 - B + B * self.lengths / avgdl)).astype(np.float32)
        return self._n_docs, self._norm

    def _compact(self) -> None:
        if self.alive.all():
            return
        keep = np.flatnonzero(self.alive)
        matrix = self._full_matrix()[keep]
        self.ids = [self.ids[i] for i in keep]
        self.groups = [self.groups[i] for i in keep]
        self.row_of = {doc_id: i for i, doc_id in enumerate(self.ids)}
        self.lengths = self.lengths[keep]
        self.alive = np.ones(len(keep), dtype=bool)
        self._blocks = [matrix]
        self._invalidate()


def _widen(block: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((block.data, block.indices, block.indptr), shape=(block.shape[0], width))
