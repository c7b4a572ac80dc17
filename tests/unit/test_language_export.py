"""One language at a time (the CLI's choice, plurals, the page's strings) and the Markdown export."""

from __future__ import annotations

import json

import pytest

from ingest import article_from_text
from qa.export import answer_json, answer_markdown
from qa.text.language import interface_language
from qa.text.phrases import PHRASES, count, not_in_sources
from qa.types import Answer, Citation, Passage
from ui import render
from ui.strings import PAGE, STRINGS, relabels, t, table_headers

ARTICLE = "Erster Satz. Der Generalstab in Kiew wies das zurück. Dritter Satz."
START = ARTICLE.index("Der Generalstab")
END = ARTICLE.index(" Dritter")


def cited_answer() -> Answer:
    citation = Citation(
        article_id="a1", title="Kursk", source="/tmp/kursk.txt", sentence_index=1,
        text=ARTICLE[START:END], start=START, end=END, score=0.9, marker=1,
    )  # fmt: skip
    return Answer(
        question="Was wies der Generalstab zurück?", text=f"{citation.text} [1]", abstained=False,
        language="de", answerer="extractive", citations=[citation], passages=[citation],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("choice", "env", "expected"),
    [
        ("de", {"LANG": "en_US.UTF-8"}, "de"),  # NEWSQA_LANGUAGE wins
        ("", {"LANG": "de_DE.UTF-8"}, "de"),
        ("", {"LC_ALL": "en_GB.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),  # LC_ALL before LANG
        ("", {"LANG": "C.UTF-8"}, "en"),
        ("", {}, "en"),
        ("fr", {"LANG": "de_AT.UTF-8"}, "de"),  # a language newsqa does not speak: the locale decides
    ],
)
def test_the_cli_language_comes_from_the_setting_then_the_locale(choice, env, expected) -> None:
    assert interface_language(choice, env) == expected


def test_counts_take_the_right_number() -> None:
    assert count(1, "article", "en") == "1 article"
    assert count(2, "article", "en") == "2 articles"
    assert count(1, "sentence", "de") == "1 Satz"
    assert count(21, "sentence", "de") == "21 Sätze"


def test_every_string_exists_in_both_languages_with_the_same_fields() -> None:
    import string

    for key, both in STRINGS.items():
        assert set(both) == {"de", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(both[lang]) if f} for lang in ("de", "en")]
        assert fields[0] == fields[1], key
    assert not set(PAGE) & set(PHRASES)  # one home per string


def test_page_strings_and_relabels() -> None:
    assert t("sources_n", "de", n=2) == "Quellen (2)"
    assert t("sources_n", "en", n=2) == "Sources (2)"
    assert table_headers("de")[:3] == ["Titel", "Quelle", "Datum"]
    assert relabels("de")["Drop File Here"] == "Datei hier ablegen"
    assert relabels("en")["Artikel hochladen (.txt .md .html .json .jsonl)"].startswith("Upload articles")


def test_markdown_export_quotes_the_cited_sentence_with_title_url_number_and_offsets() -> None:
    answer = cited_answer()
    md = answer_markdown(answer, "en", {"a1": "https://example.org/kursk"})
    quote = next(line for line in md.splitlines() if line.startswith("> "))
    assert quote == f"> {ARTICLE[START:END]}"
    head = next(line for line in md.splitlines() if line.startswith("**[1]**"))
    assert head == f"**[1]** *Kursk*, <https://example.org/kursk>, sentence 2, chars {START}-{END}"
    assert "### Sources" in md and md.startswith("## Was wies der Generalstab zurück?")
    german = answer_markdown(answer, "de")
    assert f"Satz 2, Zeichen {START}-{END}" in german and "https://" not in german
    dated = answer.model_copy(
        update={"citations": [answer.citations[0].model_copy(update={"date": "2025-03-14T08:00:00"})]}
    )
    assert f"*Kursk*, 2025-03-14, Satz 2, Zeichen {START}-{END}" in answer_markdown(dated, "de")


def test_markdown_export_of_an_abstention_lists_the_closest_passages() -> None:
    passage = Passage(
        article_id="a1", title="Kursk", source="https://example.org/k", sentence_index=0,
        text="Erster Satz.", start=0, end=12, score=0.1,
    )  # fmt: skip
    answer = Answer(
        question="Wer gewann?", text="Dazu steht nichts in den Quellen.", abstained=True,
        language="de", answerer="extractive", passages=[passage],
    )  # fmt: skip
    md = answer_markdown(answer, "de")
    assert (
        "Nächste gefundene Stellen" in md and "<https://example.org/k>" in md and "Satz 1, Zeichen 0-12" in md
    )


def test_json_export_is_the_answer() -> None:
    answer = cited_answer()
    back = Answer.model_validate(json.loads(answer_json(answer)))
    assert back.citations == answer.citations and back.text == answer.text
    assert (back.citations[0].sentence_index, back.citations[0].start) == (1, START)  # 0-based index


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [("en", "external link", "externer"), ("de", "externer Link", "external")],
)
def test_the_article_views_link_to_the_original_speaks_the_pages_language(
    language: str, said: str, not_said: str
) -> None:
    article = article_from_text("Kursk", ARTICLE, url="https://example.org/kursk")
    shown = render.article_html(article, language=language)
    assert f"{said}): https://example.org/kursk</a>" in shown and not_said not in shown


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_abstention_gets_the_label_unless_it_names_the_sources_itself(language: str) -> None:
    def abstained(text: str) -> Answer:
        return Answer(question="?", text=text, abstained=True, language=language, answerer="llm")

    label = f"**{render.abstain_label(language)}.**"
    assert not render.answer_markdown(abstained(not_in_sources(language)), 0, language).startswith(label)
    assert render.answer_markdown(abstained("Darauf gibt es keine Antwort."), 0, language).startswith(label)
