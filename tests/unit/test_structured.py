"""Reading a streamed JSON answer: each sentence object becomes a claim the moment it closes."""

from __future__ import annotations

import json

import pytest

from qa.answering.structured import JsonClaimReader
from qa.answering.verify import Claim

REPLY = json.dumps(
    {
        "sentences": [
            {"text": 'Er sagte: "Wir geben nicht auf {nie}." [4]', "sources": [2]},
            {"text": "Kiew wies das zurück. Moskau schwieg.", "sources": [1, True, "3", 5]},
        ]
    },
    ensure_ascii=False,
)
CLAIMS = [
    Claim('Er sagte: "Wir geben nicht auf {nie}."', [4, 2]),  # its own marker and its sources
    Claim("Kiew wies das zurück.", [1, 5]),  # one ``text`` of two sentences: both get its numbers
    Claim("Moskau schwieg.", [1, 5]),  # true and "3" are no source numbers
]


def read(reply: str, size: int) -> tuple[list[Claim], list[int]]:
    """All claims, and after which piece each arrived."""
    reader, claims, when = JsonClaimReader(), [], []
    for n, start in enumerate(range(0, len(reply), size)):
        new = reader.feed(reply[start : start + size])
        claims += new
        when += [n] * len(new)
    return claims + reader.close(), when


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50, 10_000])
def test_the_claims_do_not_depend_on_how_the_stream_is_cut(size: int) -> None:
    claims, _ = read(REPLY, size)
    assert claims == CLAIMS


def test_a_sentence_is_handed_over_as_soon_as_its_object_closes() -> None:
    _, when = read(REPLY, 1)  # one character a piece: piece n is REPLY[n]
    first_object_end = REPLY.index('}, {"text"')  # not the "}" inside its text
    assert when == [first_object_end, *[len(REPLY) - 3] * 2]  # the last object ends before "]}"


def test_a_reply_cut_mid_object_keeps_the_sentences_before_it() -> None:
    claims, _ = read(REPLY[: REPLY.index("Moskau")], 5)
    assert claims == CLAIMS[:1]


def test_an_empty_answer_has_no_claims() -> None:
    assert read('{"sentences": []}', 3)[0] == []


def test_plain_text_from_a_server_that_ignored_the_format_is_read_as_plain_text() -> None:
    assert read("  Kiew wies das zurück [2]. Moskau schwieg [1].", 4)[0] == [
        Claim("Kiew wies das zurück.", [2]),
        Claim("Moskau schwieg.", [1]),
    ]


def test_an_object_without_text_is_skipped() -> None:
    items = [{"sources": [1]}, {"text": 5, "sources": [1]}, {"text": "Ja, so war es.", "sources": [3]}]
    reply = json.dumps({"sentences": items})
    assert read(reply, 6)[0] == [Claim("Ja, so war es.", [3])]
