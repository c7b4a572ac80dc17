"""Sentence segmentation: German edge cases, offsets, speed and span invariants."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.sentences import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED = SEEDS / "Trump-bittet-Putin-um-Schonung-ukrainischer-Soldaten-in-Kursk.txt"


def sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    for start, end in spans:
        assert text[start:end] == text[start:end].strip()
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # abbreviations
        ("Das ist z.B. ein Test. Und z. B. hier.", ["Das ist z.B. ein Test.", "Und z. B. hier."]),
        (
            "Dr. Müller und Prof. Schmidt kamen. Sie blieben.",
            ["Dr. Müller und Prof. Schmidt kamen.", "Sie blieben."],
        ),
        (
            "Merkel u.a. sprachen bzw. riefen. Es gab Äpfel, Birnen usw. Das war gut.",
            ["Merkel u.a. sprachen bzw. riefen.", "Es gab Äpfel, Birnen usw.", "Das war gut."],
        ),
        (
            "Es kostet ca. 3 Mio. Euro und 2 Mrd. Dollar. Gut.",
            ["Es kostet ca. 3 Mio. Euro und 2 Mrd. Dollar.", "Gut."],
        ),
        (
            "Haus Nr. 5 in St. Pauli brennt. Die Feuerwehr kam.",
            ["Haus Nr. 5 in St. Pauli brennt.", "Die Feuerwehr kam."],
        ),
        (
            "Im 19. Jh. war das so. Er lebte 300 v. Chr. in Rom.",
            ["Im 19. Jh. war das so.", "Er lebte 300 v. Chr. in Rom."],
        ),
        ("Donald J. Trump sprach. Er ging.", ["Donald J. Trump sprach.", "Er ging."]),
        ("Sie (geb. 1970) kam. Art. 5 GG gilt.", ["Sie (geb. 1970) kam.", "Art. 5 GG gilt."]),
        (
            "Papst Benedikt XVI. sagte das. Der 1. FC Köln gewann.",
            ["Papst Benedikt XVI. sagte das.", "Der 1. FC Köln gewann."],
        ),
        # ordinals and dates
        ("Er kam am 1. August. Dann ging er.", ["Er kam am 1. August.", "Dann ging er."]),
        (
            "Am 3. Oktober 2020 war Feiertag. Am 3.10. war Ruhe.",
            ["Am 3. Oktober 2020 war Feiertag.", "Am 3.10. war Ruhe."],
        ),
        (
            "Im 19. Jahrhundert nicht. Die Zahl stieg auf 12. Die Polizei kam.",
            ["Im 19. Jahrhundert nicht.", "Die Zahl stieg auf 12.", "Die Polizei kam."],
        ),
        ("Das war 2020. Dann kam 2021.", ["Das war 2020.", "Dann kam 2021."]),
        # numbers with dots
        ("Es waren 1.000 Leute und 3.5 Prozent. Gut.", ["Es waren 1.000 Leute und 3.5 Prozent.", "Gut."]),
        # quotes
        (
            "„Die Lage ist schwer. Wir danken allen“, sagte er. Dann ging er.",
            ["„Die Lage ist schwer.", "Wir danken allen“, sagte er.", "Dann ging er."],
        ),
        ("„Ist das so?“, fragte sie. Ja.", ["„Ist das so?“, fragte sie.", "Ja."]),
        ('„Warum?“ fragte er. "Nein!" Er ging.', ["„Warum?“ fragte er.", '"Nein!"', "Er ging."]),
        ("Er sagte: »Wir kommen.« Sie kamen.", ["Er sagte: »Wir kommen.«", "Sie kamen."]),
        ("Er sagte: «Wir kommen.» Sie kamen.", ["Er sagte: «Wir kommen.»", "Sie kamen."]),
        ("Sie rief: ‚Halt!‘ Er hielt.", ["Sie rief: ‚Halt!‘", "Er hielt."]),
        ("Er sagte: \u201cGo.\u201d Then he left.", ["Er sagte: \u201cGo.\u201d", "Then he left."]),
        # dashes, ellipses, ?!
        (
            "Er bat darum - und sie willigte ein. – Dann kam er.",
            ["Er bat darum - und sie willigte ein.", "– Dann kam er."],
        ),
        (
            "Er wartete... Dann kam sie. Er wartete ... und wartete.",
            ["Er wartete...", "Dann kam sie.", "Er wartete ... und wartete."],
        ),
        ("Er wartete… Dann kam sie.", ["Er wartete…", "Dann kam sie."]),
        ("Wir haben [...] Beschlossen. Gut.", ["Wir haben [...] Beschlossen.", "Gut."]),
        ("Wirklich?! Ja. Echt!? Nein.", ["Wirklich?!", "Ja.", "Echt!?", "Nein."]),
        # line and paragraph breaks
        (
            "Überschrift ohne Punkt\n\nErster Satz. Zweiter Satz\nDritte Zeile",
            ["Überschrift ohne Punkt", "Erster Satz.", "Zweiter Satz", "Dritte Zeile"],
        ),
        ("Zeile eins\r\nZeile zwei\r\n\r\nAbsatz.", ["Zeile eins", "Zeile zwei", "Absatz."]),
        # URLs, e-mails, decimals
        (
            "Siehe https://example.com/a.html?x=1. Schreib an info@example.de. Danke.",
            ["Siehe https://example.com/a.html?x=1.", "Schreib an info@example.de.", "Danke."],
        ),
        # English
        (
            "Mr. Smith went to Washington. He said, e.g. that it was fine. "
            "The U.S. economy grew 2.5 percent.",
            [
                "Mr. Smith went to Washington.",
                "He said, e.g. that it was fine.",
                "The U.S. economy grew 2.5 percent.",
            ],
        ),
        # degenerate input
        ("", []),
        ("   \n\n  ", []),
        ("Kein Punkt am Ende", ["Kein Punkt am Ende"]),
        ("...", ["..."]),
    ],
)
def test_expected_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_seed_article_offsets_slice_the_file() -> None:
    text = SEED.read_bytes().decode("utf-8")
    spans = split_sentences(text)
    found = [text[s:e] for s, e in spans]
    target = "Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien."
    assert target in found
    start, end = spans[found.index(target)]
    assert text[start:end] == target and text.index(target) == start
    quote = [s for s in found if s.startswith('"Genau in diesem Moment sind')]
    assert len(quote) == 1
    assert quote[0].endswith('Lage", schrieb Trump auf seinem sozialen Netzwerk Truth Social.')
    assert len(found) == 21


def _seconds(text: str) -> float:
    """Best of three: a pause of the machine during one run does not count."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        split_sentences(text)
        best = min(best, time.perf_counter() - started)
    return best


def test_megabytes_split_in_linear_time() -> None:
    """Splitting grows with the text, not faster: 10x the text takes well under 100x the time
    (a ratio against a baseline of the same run, so a loaded machine does not fail it)."""
    extra = "\n\nEs kostet ca. 3 Mio. Euro am 1. August. Donald J. Trump sagte z. B. nichts.\n"
    unit = SEED.read_text(encoding="utf-8") + extra
    small = unit * (270_000 // len(unit) + 1)
    big = small * 10
    assert len(split_sentences(big)) > 20_000
    baseline = _seconds(small)
    assert _seconds(big) < 30 * baseline + 0.5


def test_long_token_without_spaces_is_linear() -> None:
    baseline = _seconds("a" * 30_000 + ". Ende.")
    text = "a" * 300_000 + ". Ende."
    assert len(split_sentences(text)) == 2
    assert _seconds(text) < 30 * baseline + 0.5


def _check_invariants(text: str) -> None:
    spans = split_sentences(text)
    covered = [False] * len(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece.strip() == piece and piece
        for i in range(start, end):
            covered[i] = True
        previous_end = end
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i], f"non-space {ch!r} at {i} outside every span"


_ALPHABET = st.sampled_from(
    [
        *"abcXYZ äöüß019 ",
        *[".", "!", "?", "…", "...", ",", ":", "-", "–", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u2028"],
        *['"', "'", "„", "“", "”", "«", "»", "‚", "‘", "(", ")", "[", "]"],
        *["z. B.", "Dr.", "1.", " Die ", " der ", "u.a.", "J.", "http://x.de/a.b"],
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_spans_are_ordered_stripped_and_cover_all_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_spans_invariants_on_arbitrary_unicode(text: str) -> None:
    _check_invariants(text)
