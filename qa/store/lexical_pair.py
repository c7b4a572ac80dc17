"""The store's two BM25 indexes (sentences, chunks) as one published pair, with drafts for writers.

Questions read the published pair; a write edits copies (the drafts) and publishes them when it
saves, so a question asked during an upload reads one consistent index. Each save writes new
files renamed into place, so their (inode, mtime) stamp tells every process when another one
has published a newer pair.
"""

from __future__ import annotations

from pathlib import Path

from qa.store.lexical import LexicalIndex

Pair = tuple[LexicalIndex, LexicalIndex]


class LexicalPair:
    """The published sentence and chunk indexes on disk under ``directory``, and this write's drafts."""

    def __init__(self, directory: Path) -> None:
        self.paths = directory / "sentences.npz", directory / "chunks.npz"
        self.published: Pair = (LexicalIndex(), LexicalIndex())
        self._drafts: Pair | None = None
        self.stamp: tuple[tuple[int, int], ...] = ()

    def load(self) -> None:
        """Read the published pair from disk; unreadable files (derived data) give empty indexes,
        which the store's check then rebuilds from Chroma.

        The stamp is taken first: files replaced while they are read then look changed, and are
        read again, instead of passing for the older ones."""
        stamp = self._disk_stamp()
        try:
            self.published = (LexicalIndex.load(self.paths[0]), LexicalIndex.load(self.paths[1]))
        except Exception:
            self.published = (LexicalIndex(), LexicalIndex())
        self._drafts = None
        self.stamp = stamp

    def drafts(self) -> Pair:
        """The indexes this write edits: copies of the published pair, published by :meth:`save`."""
        if self._drafts is None:
            self._drafts = (self.published[0].copy(), self.published[1].copy())
        return self._drafts

    def current(self, which: int) -> LexicalIndex:
        """Index ``which`` (0 sentences, 1 chunks) as this write sees it: its draft, else published."""
        return (self._drafts or self.published)[which]

    def save(self) -> None:
        """Write the drafts (or the published pair) atomically and publish them."""
        sentences, chunks = self.drafts()
        sentences.save(self.paths[0])
        chunks.save(self.paths[1])
        self.published, self._drafts = (sentences, chunks), None
        self.stamp = self._disk_stamp()

    def discard(self) -> None:
        """Forget unsaved drafts (a write that failed publishes nothing)."""
        self._drafts = None

    def changed_on_disk(self) -> bool:
        return self._disk_stamp() != self.stamp

    def _disk_stamp(self) -> tuple[tuple[int, int], ...]:
        stats = [p.stat() for p in self.paths if p.exists()]
        return tuple((st.st_ino, st.st_mtime_ns) for st in stats)
