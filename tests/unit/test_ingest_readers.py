"""Readers: every format, titles, encodings, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.readers import derive_title, expand_paths, read_file, title_from_stem


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


# ----------------------------------------------------------------- text and markdown


def test_txt_text_is_file_content_exactly(tmp_path: Path) -> None:
    content = "Erster Satz.\r\nZweiter Satz.  \n\n  Dritter.\n"
    [doc] = read_file(write(tmp_path / "meldung.txt", content))
    assert doc.text == content
    assert doc.source == str(tmp_path / "meldung.txt")
    assert doc.key == str((tmp_path / "meldung.txt").resolve())


def test_txt_title_from_short_first_line(tmp_path: Path) -> None:
    content = "Trump bittet Putin um Schonung\n\nUS-Präsident Trump hat gebeten. Mehr nicht."
    [doc] = read_file(write(tmp_path / "x.txt", content))
    assert doc.title == "Trump bittet Putin um Schonung"
    assert doc.text == content  # the title stays in the text


@pytest.mark.parametrize(
    "content",
    [
        "Das ist ein Satz.\n\nNoch einer.",  # sentence punctuation
        "Titel ohne Leerzeile\nText folgt.",  # no blank line after
        "x" * 150 + "\n\nText.",  # too long
    ],
)
def test_txt_title_falls_back_to_stem(tmp_path: Path, content: str) -> None:
    [doc] = read_file(write(tmp_path / "trump-bittet-putin_um.txt", content))
    assert doc.title == "Trump bittet putin um"


def test_txt_title_from_first_sentence_for_id_like_stem(tmp_path: Path) -> None:
    first = (
        "Der ukrainische Präsident Wolodymyr Selenskyj gestand indirekt ein, dass die Armee sich zurückzieht."
    )
    [doc] = read_file(write(tmp_path / "000_3ebae379aa40d199.txt", first + " Zweiter Satz."))
    assert doc.title.endswith("…") and len(doc.title) <= 91
    assert first.startswith(doc.title[:-1])
    assert doc.title == (
        "Der ukrainische Präsident Wolodymyr Selenskyj gestand indirekt ein, dass die Armee sich…"
    )
    [short] = read_file(write(tmp_path / "12345.txt", "Kurzer Satz. Noch einer."))
    assert short.title == "Kurzer Satz."


def test_title_from_stem_rules() -> None:
    assert title_from_stem("trump-bittet-putin_um") == "Trump bittet putin um"
    assert title_from_stem("report-2024") == "Report 2024"
    assert title_from_stem("000_3ebae379aa40d199") is None
    assert title_from_stem("2024") is None
    assert title_from_stem("3f2a9c1e-8b7d-4e6f-a1b2-c3d4e5f60718") is None
    assert derive_title("Nur ein Satz.", "") == "Nur ein Satz."


def test_markdown_title_from_heading(tmp_path: Path) -> None:
    content = "Vorspann\n# Die große Überschrift #\n\nText hier. Mehr Text."
    [doc] = read_file(write(tmp_path / "a.md", content))
    assert doc.title == "Die große Überschrift"
    assert doc.text == content
    [plain] = read_file(write(tmp_path / "ohne-titel.md", "Nur Text. Ohne Überschrift."))
    assert plain.title == "Ohne titel"


# ----------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_keep_umlauts(tmp_path: Path, encoding: str) -> None:
    [doc] = read_file(write(tmp_path / "alt.txt", "Größe über Straße.".encode(encoding)))
    assert doc.text == "Größe über Straße."


def test_cp1252_punctuation(tmp_path: Path) -> None:
    [doc] = read_file(write(tmp_path / "alt.txt", "„Größe“ – 5 €.".encode("cp1252")))
    assert doc.text == "„Größe“ – 5 €."


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    [doc] = read_file(write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "Größe über Straße.".encode()))
    assert doc.text == "Größe über Straße."


def test_utf16_with_bom(tmp_path: Path) -> None:
    [doc] = read_file(write(tmp_path / "w.txt", "Größe über Straße.".encode("utf-16")))
    assert doc.text == "Größe über Straße."


def test_utf8_is_never_mojibake(tmp_path: Path) -> None:
    [doc] = read_file(write(tmp_path / "u.txt", "Größe über Straße – „Zitat“ 5 €."))
    assert doc.text == "Größe über Straße – „Zitat“ 5 €."
    assert "Ã" not in doc.text


# ----------------------------------------------------------------- HTML


def test_html_main_text_without_scripts_or_iframes(tmp_path: Path) -> None:
    html = """<!doctype html><html><head><title>Seitentitel</title>
    <meta name="date" content="2025-03-14"><link rel="canonical" href="https://example.de/artikel">
    <style>body { color: red }</style><script>var tracking = 1;</script></head>
    <body><nav><a href="/">Startseite</a></nav><article><h1>Putin lenkt ein</h1>
    <p>Der Kremlchef willigte am Freitag ein. Die Soldaten sollen geschont werden.</p>
    <script>alert(1)</script><iframe src="https://ads.example">Werbung im Iframe</iframe>
    <noscript>Bitte JavaScript aktivieren</noscript>
    <p>Der Generalstab in Kiew wies das zurück. Die Lage bleibt unklar.</p></article></body></html>"""
    [doc] = read_file(write(tmp_path / "seite.html", html))
    assert "Der Kremlchef willigte am Freitag ein." in doc.text
    assert "Der Generalstab in Kiew wies das zurück." in doc.text
    for junk in ("alert", "tracking", "Iframe", "JavaScript", "color: red"):
        assert junk not in doc.text
    assert doc.title in {"Seitentitel", "Putin lenkt ein"}
    assert doc.url == "https://example.de/artikel"
    assert doc.date == "2025-03-14"


def test_tiny_html_falls_back_to_visible_text(tmp_path: Path) -> None:
    html = "<p>Kurz.</p><script>alert(1)</script><iframe>x-frame</iframe><p>Zwei.</p>"
    [doc] = read_file(write(tmp_path / "mini.htm", html))
    assert "Kurz." in doc.text and "Zwei." in doc.text
    assert "alert" not in doc.text and "x-frame" not in doc.text


def test_html_without_text_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"leer\.html: no readable text"):
        read_file(write(tmp_path / "leer.html", "<html><body><script>alert(1)</script></body></html>"))


# ----------------------------------------------------------------- JSON and JSONL


def test_json_object_and_list(tmp_path: Path) -> None:
    record = {"title": "T", "text": "Ein Satz.", "date": "2025"}
    [one] = read_file(write(tmp_path / "one.json", json.dumps(record)))
    assert (one.title, one.text, one.date, one.url) == ("T", "Ein Satz.", "2025", "")
    records = [{"title": "A", "text": "Eins.", "url": "https://x.de/a"}, {"text": "Zwei ohne Titel."}]
    docs = read_file(write(tmp_path / "many.json", json.dumps(records)))
    assert [d.title for d in docs] == ["A", "Zwei ohne Titel."]
    assert docs[0].url == "https://x.de/a"
    assert docs[1].key == f"{(tmp_path / 'many.json').resolve()}#Zwei ohne Titel."


def test_jsonl_records_and_blank_lines(tmp_path: Path) -> None:
    lines = [json.dumps({"title": "A", "text": "Eins."}), "", json.dumps({"title": "A", "text": "Zwei."})]
    docs = read_file(write(tmp_path / "x.jsonl", "\n".join(lines) + "\n"))
    assert [d.text for d in docs] == ["Eins.", "Zwei."]
    assert docs[0].key != docs[1].key  # same title twice stays apart


def test_jsonl_bad_lines_reject_whole_file(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "ok", "text": "Gut."}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": "   "}),
        json.dumps(["a list"]),
        json.dumps({"text": 5}),
    ]
    with pytest.raises(IngestError) as info:
        read_file(write(tmp_path / "bad.jsonl", "\n".join(lines)))
    message = str(info.value)
    assert "bad.jsonl" in message and "nothing of this file was ingested" in message
    for number in (2, 3, 4, 5, 6):
        assert f"line {number} (" in message
    assert "line 1 (" not in message


def test_jsonl_lists_at_most_ten_bad_lines(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        read_file(write(tmp_path / "bad.jsonl", "\n".join(["{"] * 15)))
    message = str(info.value)
    assert "15 bad line(s)" in message and "line 10 (" in message and "line 11 (" not in message
    assert "and 5 more" in message


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"broken\.json: malformed JSON at line 3"):
        read_file(write(tmp_path / "broken.json", '{\n  "text": "a",\n  oops\n}'))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"title": "x", "text": ""}', r"record 1 \(\"text\" is empty\)"),
        ('{"title": "x"}', r"record 1 \(no \"text\" field\)"),
        ('[{"text": "ok."}, 3]', r"record 2 \(not an object"),
        ("[]", "contains no articles"),
    ],
)
def test_bad_json_records(tmp_path: Path, content: str, expected: str) -> None:
    with pytest.raises(IngestError, match=expected):
        read_file(write(tmp_path / "r.json", content))


# ----------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\t\n ", "only whitespace"),
        ("nul.txt", b"Text\x00mit NUL", "NUL bytes"),
        ("doc.txt", b"%PDF-1.7\n...", r"binary file \(PDF\)"),
        ("img.txt", b"\x89PNG\r\n\x1a\n....", r"binary file \(PNG image\)"),
        ("z.txt", b"PK\x03\x04rest", "ZIP"),
        ("g.txt", b"GIF89a....", "GIF"),
        ("j.txt", b"\xff\xd8\xff\xe0rest", "JPEG"),
        ("ctl.txt", bytes(range(1, 9)) * 20 + b"abc", "non-printable"),
    ],
)
def test_bad_files_are_rejected_with_the_file_name(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(IngestError, match=expected) as info:
        read_file(path)
    assert str(info.value).startswith(str(path))
    assert isinstance(info.value, ValueError)


def test_only_numbers_are_accepted(tmp_path: Path) -> None:
    [doc] = read_file(write(tmp_path / "zahlen.txt", "1 2 3\n4 5 6\n"))
    assert doc.text == "1 2 3\n4 5 6\n"


def test_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "Satz. " * 100)
    with pytest.raises(IngestError, match="larger than the limit"):
        read_file(path, max_bytes=100)
    assert read_file(path, max_bytes=600)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"unsupported file type '\.pdf'"):
        read_file(write(tmp_path / "a.pdf", b"Text."))
    with pytest.raises(IngestError, match="no such file"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(IngestError, match="is a folder"):
        read_file(tmp_path)


def test_folder_expansion_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    names = ["b.txt", "a.md", "sub/c.json", "sub/d.JSONL", ".hidden.txt", ".git/e.txt", "x.pdf", "sub/y.html"]
    for rel in names:
        write(tmp_path / rel, "Text.")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_paths(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/c.json", "sub/d.JSONL", "sub/y.html"]


def test_utf8_with_a_stray_legacy_byte_is_not_mojibake(tmp_path: Path) -> None:
    data = "Größe über Straße,".encode() + b" sch\xf6n \x80 \x81."
    [doc] = read_file(write(tmp_path / "mixed.txt", data))
    assert doc.text == "Größe über Straße, schön € \x81."


def test_jsonl_with_bom_and_crlf(tmp_path: Path) -> None:
    content = '{"title": "A", "text": "Eins."}\r\n{"title": "B", "text": "Größe."}\r\n'
    docs = read_file(write(tmp_path / "w.jsonl", b"\xef\xbb\xbf" + content.encode()))
    assert [(d.title, d.text) for d in docs] == [("A", "Eins."), ("B", "Größe.")]
