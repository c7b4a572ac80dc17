"""Read files into raw documents: decoded text plus title, source, URL and date.

Why so strict: citations are character offsets into the text, so the text of a ``.txt``/``.md``
file is the decoded file content exactly (only a UTF-8 BOM is dropped), and anything that is not
clearly text is rejected with a message naming the file rather than ingested as garbage.

Formats
    ``.txt``, ``.md``/``.markdown``, ``.html``/``.htm`` (main text via trafilatura; scripts,
    styles, iframes and similar never reach the text), ``.json`` (one object or a list of
    objects) and ``.jsonl`` (one object per line). JSON records carry ``text`` (required,
    non-empty string) and optional ``title``, ``url``, ``date``.

All-or-nothing rule for JSON files
    If any record of a ``.json`` file or any non-blank line of a ``.jsonl`` file is malformed,
    not an object, or lacks a non-empty ``text``, the WHOLE file is rejected and nothing of it is
    ingested; the message lists the bad line (or record) numbers, up to 10. Why: a partially
    ingested export is hard to notice and to repair; fixing the named lines and loading again
    is easy. Blank lines in ``.jsonl`` are ignored.

Decoding
    UTF-8 (a BOM is dropped) and UTF-16 with a BOM; bytes that are not valid UTF-8 are read as
    Windows-1252 (Latin-1 for its undefined bytes), so legacy German files keep their umlauts
    and a UTF-8 file with a stray legacy byte is not turned into mojibake as a whole.

Rejected (``IngestError``)
    missing path, unsupported extension, file larger than ``max_bytes``, empty or
    whitespace-only content, binary content (NUL bytes, PDF/PNG/ZIP/GIF/JPEG/... magic numbers,
    or mostly control characters), malformed JSON. A text with no letters at all (say, a table
    of numbers) is accepted: it is text, and rejecting it would be guesswork.

Titles
    ``.md``: the first ``# heading``. ``.html``: the page metadata. JSON: the ``title`` field.
    Otherwise (and as fallback): a short first line (< 150 characters, not ending in sentence
    punctuation) followed by a blank line; else the file stem with ``-``/``_`` turned into
    spaces and the first letter capitalised; if the stem looks like an id (hex/digits), the
    first sentence, cut to about 90 characters at a word boundary with "…". A title found in
    the text stays in the text.
"""

from __future__ import annotations

import codecs
import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.sentences import split_sentences

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "RawDocument",
    "decode_bytes",
    "derive_title",
    "expand_paths",
    "read_file",
    "read_html",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SUPPORTED_EXTENSIONS = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"})
_MAX_LISTED = 10
_TITLE_CHARS = 90


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A decoded document before segmentation.

    ``key`` says where the document comes from (resolved file path, or ``path#title`` for a
    JSON record) and becomes the article id unless a URL is given; see ``ingest.articles``.
    ``title_derived`` is true when the title was made up from the file name or first sentence
    rather than found in the document: such a title is not content, so it is left out of the
    content hash (the same text under another file name is then recognised as a duplicate).
    """

    title: str
    text: str
    source: str
    url: str = ""
    date: str = ""
    key: str = ""
    title_derived: bool = False
    author: str = ""


# --------------------------------------------------------------------------- decoding

_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"PK\x03\x04", "ZIP/Office archive"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0", "old MS Office file"),
    (b"RIFF", "media file"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_MAX_CONTROL_RATIO = 0.05


def decode_bytes(data: bytes, name: str) -> str:
    """Decode file bytes to text or raise ``IngestError`` naming ``name``.

    Order: UTF-16 (only with a BOM), UTF-8 (BOM dropped), Windows-1252, Latin-1.
    """
    if not data:
        raise IngestError(f"{name}: the file is empty")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"{name}: this is a binary file ({kind}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(f"{name}: looks like UTF-16 but cannot be decoded; is it binary?") from None
    elif b"\x00" in data:
        raise IngestError(
            f"{name}: contains NUL bytes, so it is a binary file (or UTF-16 without BOM), not text"
        )
    else:
        text = _decode_8bit(data)
    if not text.strip():
        raise IngestError(f"{name}: the file contains only whitespace")
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_RATIO * len(text):
        raise IngestError(f"{name}: mostly non-printable characters, so it is a binary file, not text")
    return text


def _legacy_bytes(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: bytes that are not valid UTF-8 are read as Windows-1252 (Latin-1
    for the five bytes cp1252 leaves undefined)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chars = []
    for byte in error.object[error.start : error.end]:
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(bytes([byte]).decode("latin-1"))
    return "".join(chars), error.end


codecs.register_error("ingest-legacy-bytes", _legacy_bytes)


def _decode_8bit(data: bytes) -> str:
    """UTF-8 where the bytes are valid UTF-8, Windows-1252 for the bytes that are not.

    For a pure legacy file this is plain cp1252 (umlaut bytes are never valid UTF-8 in German
    text); for a UTF-8 file with a few stray legacy bytes the UTF-8 part stays intact instead of
    the whole file turning into mojibake ("GrÃ¶ÃŸe").
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="ingest-legacy-bytes")


# --------------------------------------------------------------------------- titles

_FIRST_LINE = re.compile(r"[^\S\n]*([^\n]*?)[^\S\n]*\n[^\S\n]*\n")
_SENTENCE_FINAL = re.compile(r"[.!?…:;,][\"'”“»«’‘)\]]*$")
_MD_HEADING = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*\r?$", re.MULTILINE)
_HEX_ID = re.compile(r"[0-9a-fA-F]")


def title_from_first_line(text: str) -> str | None:
    """A short first line without sentence punctuation, followed by a blank line, or None."""
    m = _FIRST_LINE.match(text.lstrip("\r\n\t "))
    if not m:
        return None
    line = m.group(1).strip()
    if not line or len(line) >= 150 or _SENTENCE_FINAL.search(line):
        return None
    return line


def title_from_stem(stem: str) -> str | None:
    """``trump-bittet_putin`` -> ``Trump bittet putin``; None if the stem looks like an id."""
    words = " ".join(re.sub(r"[-_]+", " ", stem).split())
    compact = re.sub(r"[\W_]", "", stem)
    if not compact or not any(c.isalpha() for c in compact):
        return None
    hexish = len(_HEX_ID.findall(compact))
    if any(c.isdigit() for c in compact) and hexish >= 0.8 * len(compact):
        return None
    return words[:1].upper() + words[1:]


def title_from_first_sentence(text: str) -> str:
    """The first sentence, cut to about 90 characters at a word boundary with "…"."""
    spans = split_sentences(text)
    if not spans:
        return ""
    first = " ".join(text[spans[0][0] : spans[0][1]].split())
    if len(first) <= _TITLE_CHARS:
        return first
    cut = first[:_TITLE_CHARS]
    space = cut.rfind(" ")
    if space > _TITLE_CHARS // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def derive_title(text: str, stem: str = "") -> str:
    """Title for a document without one: first line, else file stem, else first sentence."""
    return title_from_first_line(text) or title_from_stem(stem) or title_from_first_sentence(text)


# --------------------------------------------------------------------------- files


def expand_paths(path: Path) -> list[Path]:
    """A file stays itself; a folder becomes its supported, non-hidden files, recursively,
    in sorted order (so repeated loads yield the same order and ids)."""
    if not path.is_dir():
        return [path]
    found: list[Path] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS:
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: p.relative_to(path).as_posix())


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[RawDocument]:
    """Read one file into raw documents (several for JSON lists / JSONL); raise ``IngestError``."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise IngestError(f"{name}: no such file or folder")
    if path.is_dir():
        raise IngestError(f"{name}: is a folder, not a file")
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        kind = ext or "(no extension)"
        raise IngestError(f"{name}: unsupported file type {kind!r}; supported: {supported}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"{name}: the file is {size / 1e6:.1f} MB, larger than the limit of {max_bytes / 1e6:.1f} MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{name}: cannot read the file ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:  # the file grew between stat and read
        raise IngestError(f"{name}: the file is larger than the limit of {max_bytes / 1e6:.1f} MB")
    text = decode_bytes(data, name)
    key = str(path.resolve())
    if ext in {".json", ".jsonl"}:
        return _read_json(text, name, key, lines=ext == ".jsonl")
    if ext in {".html", ".htm"}:
        return [read_html(text, name, key, path.stem)]
    title = None
    if ext in {".md", ".markdown"}:
        m = _MD_HEADING.search(text)
        title = m.group(1).strip() if m else None
    title = title or title_from_first_line(text)
    if title:
        return [RawDocument(title, text, name, key=key)]
    return [RawDocument(derive_title(text, path.stem), text, name, key=key, title_derived=True)]


# --------------------------------------------------------------------------- JSON


def _field(record: dict[str, object], name: str) -> str:
    value = record.get(name)
    return "" if value is None else str(value).strip()


def _record_problem(record: object) -> str | None:
    if not isinstance(record, dict):
        return f"not an object but {type(record).__name__}"
    text = record.get("text")
    if text is None:
        return 'no "text" field'
    if not isinstance(text, str):
        return f'"text" is {type(text).__name__}, not a string'
    if not text.strip():
        return '"text" is empty'
    return None


def _read_json(text: str, name: str, key: str, lines: bool) -> list[RawDocument]:
    records: list[dict[str, object]] = []
    bad: list[str] = []
    if lines:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append(f"line {number} (malformed JSON: {exc.msg})")
                continue
            problem = _record_problem(record)
            if problem:
                bad.append(f"line {number} ({problem})")
            else:
                records.append(record)
        unit = "line"
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(
                f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        items = data if isinstance(data, list) else [data]
        for number, record in enumerate(items, start=1):
            problem = _record_problem(record)
            if problem:
                bad.append(f"record {number} ({problem})")
            else:
                records.append(record)
        unit = "record"
    if bad:
        listed = "; ".join(bad[:_MAX_LISTED])
        more = f"; and {len(bad) - _MAX_LISTED} more" if len(bad) > _MAX_LISTED else ""
        raise IngestError(
            f"{name}: {len(bad)} bad {unit}(s), so nothing of this file was ingested: {listed}{more}"
        )
    if not records:
        raise IngestError(f"{name}: contains no articles")
    docs: list[RawDocument] = []
    seen: dict[str, int] = {}
    for record in records:
        body = str(record["text"])
        given = _field(record, "title")
        title = given or title_from_first_sentence(body)
        record_key = f"{key}#{title}"
        seen[record_key] = seen.get(record_key, 0) + 1
        if seen[record_key] > 1:  # same title twice in one file: keep both, apart
            record_key = f"{record_key}#{seen[record_key]}"
        url, date = _field(record, "url"), _field(record, "date")
        docs.append(RawDocument(title, body, name, url, date, record_key, title_derived=not given))
    return docs


# --------------------------------------------------------------------------- HTML

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_STRIPPED_TAGS = (
    "script", "style", "iframe", "noscript", "template", "object", "embed", "svg", "canvas",
    "frame", "frameset", "applet", "audio", "video", "link", "meta",
)  # fmt: skip
_BLOCK_TAGS = (
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "article", "section",
    "blockquote", "pre", "header", "footer", "table", "ul", "ol", "dd", "dt", "figcaption",
)  # fmt: skip


def read_html(text: str, name: str, key: str, stem: str) -> RawDocument:
    """Main text via trafilatura on a tree already stripped of active/embedded content."""
    import lxml.etree
    import lxml.html
    import trafilatura

    try:
        tree = lxml.html.fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise IngestError(f"{name}: cannot parse the HTML ({exc})") from None
    meta = trafilatura.extract_metadata(copy.deepcopy(tree))  # before <meta>/<link> are stripped
    lxml.etree.strip_elements(tree, *_STRIPPED_TAGS, with_tail=False)
    lxml.etree.strip_elements(tree, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
    doc = trafilatura.bare_extraction(copy.deepcopy(tree), include_comments=False, include_tables=True)
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        body = _plain_text(tree)
    if not body.strip():
        raise IngestError(f"{name}: no readable text found in the HTML")
    title, url, date, author = (
        str(getattr(meta, f, None) or "").strip() for f in ("title", "url", "date", "author")
    )
    derived = not title
    title = title or derive_title(body, stem)
    return RawDocument(title, body, name, url, date, key, title_derived=derived, author=author)


def _plain_text(tree: object) -> str:
    """Fallback when trafilatura finds no main text: all visible text, one line per block."""
    for element in tree.iter(*_BLOCK_TAGS):  # type: ignore[attr-defined]
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().splitlines())  # type: ignore[attr-defined]
    return "\n".join(line for line in lines if line)
