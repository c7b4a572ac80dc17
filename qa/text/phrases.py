"""The fixed phrases newsqa's answers say in the reader's language, German or English."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.scope.selection import Selection
    from qa.store.records import IngestReport

NOT_IN_SOURCES = {
    "de": "Dazu steht nichts in den Quellen.",
    "en": "The sources do not answer this question.",
}


def not_in_sources(language: str) -> str:
    """The honest "not in the sources" answer in ``language`` (German when unknown)."""
    return NOT_IN_SOURCES.get(language, NOT_IN_SOURCES["de"])


NOT_MENTIONED = {
    "de": "Der Artikel, der am besten zur Frage passt, erwähnt {names} nicht.",
    "en": "The article that best matches the question does not mention {names}.",
}


def not_mentioned(language: str, names: Sequence[str]) -> str:
    """Why a question about someone the store knows is not answered from the article it matches."""
    joiner = " und " if language == "de" else " and "
    return NOT_MENTIONED.get(language, NOT_MENTIONED["de"]).format(names=joiner.join(names))


EMPTY_STORE = {
    "de": "Es sind noch keine Artikel gespeichert. Fügen Sie welche hinzu: newsqa ingest PFAD (oder im "
    "Web-Chat unter Artikel).",
    "en": "The store holds no articles yet. Add some with: newsqa ingest PATH (or in the web chat's "
    "Articles tab).",
}


def empty_store(language: str) -> str:
    """What to tell a reader who asks a store without articles, in ``language``."""
    return EMPTY_STORE.get(language, EMPTY_STORE["de"])


# The words newsqa's faces (CLI and page) use around answers and articles, in both languages.
# ``ui/strings.py`` adds the page's own labels on top of these; the CLI uses them as they are.
PHRASES: dict[str, dict[str, str]] = {
    "sources": {"de": "Quellen", "en": "Sources"},
    "sources_n": {"de": "Quellen ({n})", "en": "Sources ({n})"},
    "not_in_sources_label": {"de": "Nicht in den Quellen", "en": "Not in the sources"},
    "closest": {
        "de": "Nächste gefundene Stellen (nicht zitiert)",
        "en": "Closest passages found (not cited)",
    },
    "no_matching": {"de": "Keine passenden Sätze gefunden.", "en": "No matching sentences found."},
    "sentence_n": {"de": "Satz {n}", "en": "sentence {n}"},
    "sentence_chars": {"de": "Satz {n}, Zeichen {start}-{end}", "en": "sentence {n}, chars {start}-{end}"},
    "one_based": {"de": "Satznummern zählen ab 1.", "en": "Sentence numbers count from 1."},
    "unsupported": {
        "de": "weggelassen, keine Quelle stützt es: {claim}",
        "en": "left out, no source supports it: {claim}",
    },
    "ingest_summary": {
        "de": "{added} neu, {replaced} ersetzt, {unchanged} unverändert, {duplicates} doppelt; "
        "{sentences} in {seconds} s.",
        "en": "{added} added, {replaced} replaced, {unchanged} unchanged, {duplicates} duplicates; "
        "{sentences} in {seconds} s.",
    },
    "store_holds": {"de": "Der Speicher enthält {articles}.", "en": "The store holds {articles}."},
    "store_already": {
        "de": "Der Speicher enthält schon {articles}; nichts eingelesen.",
        "en": "The store already holds {articles}; nothing ingested.",
    },
    "skipped": {"de": "übersprungen {message}", "en": "skipped {message}"},
    "feed_polled": {
        "de": "{url}: {added} neu, {replaced} ersetzt, {known} schon gespeichert",
        "en": "{url}: {added} added, {replaced} replaced, {known} already stored",
    },
    "feed_not_modified": {
        "de": "{url}: seit der letzten Abfrage unverändert",
        "en": "{url}: not modified since the last poll",
    },
    "feed_row": {
        "de": "{url}  {items} Einträge  abgefragt {polled}  {title}",
        "en": "{url}  {items} items  polled {polled}  {title}",
    },
    "never": {"de": "nie", "en": "never"},
    "feeds_followed": {"de": "Gefolgte Feeds: {n}", "en": "Feeds followed: {n}"},
    "feed_not_followed": {
        "de": "{url}: diesem Feed wird nicht gefolgt (siehe `newsqa feeds list`)",
        "en": "{url} is not followed (see `newsqa feeds list`)",
    },
    "feeds_removed": {
        "de": "{feeds} entfernt; ihre Artikel bleiben im Speicher",
        "en": "{feeds} removed; their articles stay in the store",
    },
    "no_feeds_followed": {
        "de": "Keinem Feed wird gefolgt; folgen Sie einem mit `newsqa feeds add URL`.",
        "en": "No feeds followed; add one with `newsqa feeds add URL`.",
    },
    "deleted_n": {"de": "{n} gelöscht", "en": "{n} deleted"},
    "no_such_id": {"de": "kein Artikel mit der ID {id}", "en": "no article with id {id}"},
    "give_question": {
        "de": "Geben Sie eine Frage an, oder --file mit einer Frage je Zeile",
        "en": "give a question, or --file with one question per line",
    },
    "chat_intro": {
        "de": "newsqa chat: {articles}, Antwortgeber: {answerer}. Stellen Sie eine Frage; eine leere Zeile "
        "oder Strg-D beendet.",
        "en": "newsqa chat: {articles}, answerer: {answerer}. Ask a question; an empty line or Ctrl-D ends.",
    },
    "checked": {"de": "{articles} geprüft.", "en": "{articles} checked."},
    "orphans_removed": {
        "de": "Teildaten von {articles} entfernt (unvollständig gespeichert).",
        "en": "Removed chunk records of {articles} stored incompletely.",
    },
    "lexical_repaired": {
        "de": "Wortindex repariert: +{added} / -{removed} Artikel.",
        "en": "Lexical index repaired: +{added} / -{removed} articles.",
    },
    "consistent": {"de": "Der Speicher ist in Ordnung.", "en": "The store is consistent."},
    "repaired": {
        "de": "Repariert; der Speicher ist jetzt in Ordnung.",
        "en": "Repaired; the store is now consistent.",
    },
    "starting": {"de": "Der Web-Chat startet auf {url} …", "en": "Starting the web chat on {url} …"},
    "serving": {
        "de": "newsqa Web-Chat: {url}  (Strg-C beendet)",
        "en": "newsqa web chat: {url}  (Ctrl-C stops it)",
    },
    "bad_date": {
        "de": "„{value}“ ist kein Datum wie 2025-03-14.",
        "en": "“{value}” is not a date like 2025-03-14.",
    },
    "not_text": {
        "de": "{field} muss Text sein, nicht {kind}.",
        "en": "{field} must be text, not {kind}.",
    },
    "since_after_until": {
        "de": "Der Beginn {since} liegt nach dem Ende {until}.",
        "en": "The start {since} is after the end {until}.",
    },
    "article_gone": {
        "de": "Der gewählte Artikel ist nicht mehr gespeichert (ID {ids}), vielleicht inzwischen gelöscht. "
        "Wählen Sie einen anderen oder fragen Sie alle Artikel.",
        "en": "The chosen article is no longer stored (id {ids}), perhaps deleted meanwhile. Choose "
        "another one or ask all articles.",
    },
    "port_busy": {
        "de": "Port {port} ist belegt: wählen Sie einen anderen mit --port oder NEWSQA_PORT.",
        "en": "port {port} is in use: choose another with --port or NEWSQA_PORT.",
    },
    # what an evaluation asked its questions of (``qa.eval.report.asked_of``)
    "asked_store": {
        "de": "An Ihren Speicher gestellt ({articles})",
        "en": "Asked of your store ({articles})",
    },
    "asked_set": {
        "de": "An die Artikel des Fragensatzes gestellt ({articles})",
        "en": "Asked of the set's own articles ({articles})",
    },
    "asked_distractors": {
        "de": "An die Artikel des Fragensatzes und {distractors} aus {file} gestellt",
        "en": "Asked of the set's own articles and {distractors} of {file}",
    },
}

# Singular and plural of the nouns counted in messages ("1 article", "2 articles").
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "article": {"de": ("Artikel", "Artikel"), "en": ("article", "articles")},
    "sentence": {"de": ("Satz", "Sätze"), "en": ("sentence", "sentences")},
    "question": {"de": ("Frage", "Fragen"), "en": ("question", "questions")},
    "feed": {"de": ("Feed", "Feeds"), "en": ("feed", "feeds")},
}

LANGUAGES = ("de", "en")


def _lang(language: str) -> str:
    return language if language in LANGUAGES else "de"


def phrase(key: str, language: str, **fields: object) -> str:
    """The phrase ``key`` in ``language`` (German when unknown), ``fields`` filled in."""
    text = PHRASES[key][_lang(language)]
    return text.format(**fields) if fields else text


def count(n: int, noun: str, language: str) -> str:
    """``n`` with its noun in the right number: "1 article", "2 articles", "1 Satz", "2 Sätze"."""
    one, many = NOUNS[noun][_lang(language)]
    return f"{n} {one if n == 1 else many}"


def ingest_summary(report: IngestReport, language: str) -> str:
    """One line saying what an ingest did (the CLI's and the page's wording)."""
    return phrase(
        "ingest_summary",
        language,
        added=len(report.added),
        replaced=len(report.replaced),
        unchanged=len(report.unchanged),
        duplicates=len(report.duplicates),
        sentences=count(report.sentences, "sentence", language),
        seconds=f"{report.seconds:.1f}",
    )


EARLIER_REPORT = {"de": "Früherer Bericht ({day}): ", "en": "Earlier report ({day}): "}


def earlier_report(language: str, day: str) -> str:
    """The label before a quoted sentence that a newer report of the same story contradicts."""
    return EARLIER_REPORT.get(language, EARLIER_REPORT["de"]).format(day=day)


SCOPE = {
    "de": {
        "head": "Gefragt wurden nur",
        "head_one": "Gefragt wurde nur",
        "articles": "die Artikel {ids}",
        "article": "der Artikel {title}",
        "source": "Artikel aus {source}",
        "range": "Artikel vom {since} bis {until}",
        "since": "Artikel ab dem {since}",
        "until": "Artikel bis zum {until}",
        "from": "aus „{expression}“",
        "and": " und ",
    },
    "en": {
        "head": "Asked of",
        "head_one": "Asked of",
        "articles": "the articles {ids}",
        "article": "the article {title}",
        "source": "articles from {source}",
        "range": "articles published {since} to {until}",
        "since": "articles published {since} or later",
        "until": "articles published {until} or earlier",
        "from": 'from "{expression}"',
        "and": " and ",
    },
}


QUOTES = {"de": ("„", "“"), "en": ("“", "”")}


def quoted(text: str, language: str) -> str:
    """``text`` in the quotation marks of ``language``."""
    opening, closing = QUOTES[_lang(language)]
    return f"{opening}{text}{closing}"


def scope_line(
    language: str, selection: Selection | None, expression: str = "", titles: Mapping[str, str] | None = None
) -> str:
    """What a question was asked of, in ``language``: "" for all articles.

    ``titles`` (article id -> title) names the chosen articles by their titles, as a reader knows
    them (the page); without it, or for an id it lacks, the id stands."""
    if selection is None or selection.empty:
        return ""
    words = SCOPE.get(language, SCOPE["de"])
    parts = []
    ids = selection.article_ids
    if titles is not None and len(ids) == 1:
        parts.append(words["article"].format(title=quoted(titles.get(ids[0], ids[0]), language)))
    elif ids:
        named = [quoted(titles[i], language) if titles and i in titles else i for i in ids]
        parts.append(words["articles"].format(ids=", ".join(named)))
    if selection.source:
        parts.append(words["source"].format(source=selection.source))
    since, until = selection.since, selection.until
    if since and until:
        parts.append(words["range"].format(since=since.isoformat(), until=until.isoformat()))
    elif since or until:
        key = "since" if since else "until"
        parts.append(words[key].format(since=since and since.isoformat(), until=until and until.isoformat()))
    said = f" ({words['from'].format(expression=expression)})" if expression else ""
    head = words["head_one" if len(parts) == 1 and titles is not None and len(ids) == 1 else "head"]
    return f"{head} {words['and'].join(parts)}{said}."
