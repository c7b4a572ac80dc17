"""A question about someone the archive knows, asked of an article that never mentions them.

In an archive the person a question names is usually stored somewhere, so "no candidate mentions
the name" does not fire; the article whose sentences best match the rest of the question may
still never mention them, and then its sentences do not say what that person said.
"""

from __future__ import annotations

from fake_openai import FakeOpenAI, Reply
from helpers import llm_qa

from ingest import build_article
from qa.retrieval.absent_names import unmentioned_by_article
from qa.types import Passage

GEOBLOCKING = (
    "EU will Geoblocking verbieten",
    "Brüssel – Die EU-Kommission will das ungerechtfertigte Geoblocking im Onlinehandel verbieten. "
    "Kunden sollen künftig in jedem Mitgliedsland zu gleichen Bedingungen einkaufen können. "
    "Die Regeln sollen ab dem kommenden Jahr gelten, sagte Digitalkommissar Andrus Ansip. "
    "Händler, die dagegen verstoßen, müssen mit Strafen rechnen.",
)
MERKEL = (
    "Merkel besucht Flüchtlingsheim",
    "Berlin – Bundeskanzlerin Angela Merkel hat am Montag ein Flüchtlingsheim in Berlin besucht. "
    "Angela Merkel sagte, Deutschland werde die Herausforderung meistern. "
    "Die Opposition kritisierte den Besuch als zu spät.",
)

LACKING = "Wie hat Angela Merkel auf das Verbot von ungerechtfertigtem Geoblocking im Onlinehandel reagiert?"
"""Best matched by the geoblocking article, which never mentions her; the other article does."""


def _passage(article_id: str, text: str, title: str) -> Passage:
    where = {"sentence_index": 0, "start": 0, "end": len(text)}
    return Passage(article_id=article_id, title=title, source="t", text=text, score=0.5, **where)


def test_a_known_name_the_answering_article_lacks_is_reported() -> None:
    title, text = GEOBLOCKING
    best = _passage("geo", "Die EU-Kommission will das ungerechtfertigte Geoblocking verbieten.", title)
    elsewhere = _passage("merkel", "Angela Merkel sagte, Deutschland werde es schaffen.", MERKEL[0])
    article = build_article(title, text, "t")
    question = "Wie hat Angela Merkel auf die Geoblocking-Pläne der EU-Kommission reagiert?"
    assert unmentioned_by_article(question, [best, elsewhere], article) == ["Angela Merkel"]
    # mentioned further down the article, outside the candidates: not lacking
    asked = "Was sagte Digitalkommissar Andrus Ansip zum Geoblocking?"
    ansip = _passage("other", "Andrus Ansip ist Digitalkommissar.", "Andere")
    assert unmentioned_by_article(asked, [best, ansip], article) == []
    # a run of nouns the question composed stands together in no source: left to the model
    composed = "Welche Strafen drohen Händlern laut Brüsseler Kommissionsplan?"
    assert unmentioned_by_article(composed, [best, elsewhere], article) == []


def test_asked_of_an_archive_the_person_the_article_lacks_gets_not_in_the_sources(make_qa) -> None:
    qa = make_qa()
    qa.add_articles([build_article(t, body, f"test:{t}") for t, body in (GEOBLOCKING, MERKEL)])

    lacking = qa.ask(
        "Wie hat Angela Merkel auf das Verbot von ungerechtfertigtem Geoblocking im Onlinehandel reagiert?"
    )
    assert lacking.abstained and lacking.citations == []
    assert lacking.passages, "the closest sentences are still shown"
    assert lacking.notice == "Der Artikel, der am besten zur Frage passt, erwähnt Angela Merkel nicht."
    assert qa.retriever.retrieve(lacking.question).lacking == ("Angela Merkel",)

    # her own article answers; the geoblocking article answers what it says
    said = qa.ask("Was sagte Angela Merkel beim Besuch des Flüchtlingsheims?")
    assert not said.abstained and "meistern" in said.citations[0].text
    when = qa.ask("Ab wann sollen die Regeln gegen Geoblocking gelten?")
    assert not when.abstained and "kommenden Jahr" in when.citations[0].text


def test_the_llm_answerer_is_not_asked_when_the_article_lacks_the_name(tmp_path, embeddings) -> None:
    with FakeOpenAI() as fake:
        fake.replies.append(Reply("Merkel begrüßte das Verbot [1]"))
        qa = llm_qa(tmp_path / "store", embeddings, fake.url, openai_api_key="sk-test-0123456789")
        qa.add_articles([build_article(t, body, f"test:{t}") for t, body in (GEOBLOCKING, MERKEL)])
        answer = qa.ask(LACKING)
        assert answer.abstained and answer.citations == [] and fake.requests == []
        assert answer.answerer.startswith("llm") and answer.passages
