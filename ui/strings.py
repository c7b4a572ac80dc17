"""Every string the page shows, in German and English, on top of ``qa.text.phrases``.

The page speaks one language at a time. Static labels go to the browser as ``gr.I18n`` keys, so
Gradio's frontend picks them (and its own labels: "Drop File Here", "Clear", ...) from one locale;
the load script sets that locale to ``de`` or ``en`` (``ui.assets.LANG_JS``), and callbacks get
the same code from the request (``request_language``), for the messages they build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa.text.phrases import LANGUAGES, PHRASES, count, phrase

if TYPE_CHECKING:
    import gradio as gr

PAGE: dict[str, dict[str, str]] = {
    "heading": {"de": "## newsqa · Fragen an die Nachrichten", "en": "## newsqa · Ask the news"},
    "switch": {"de": "English", "en": "Deutsch"},
    "tab_chat": {"de": "Gespräch", "en": "Chat"},
    "tab_articles": {"de": "Artikel", "en": "Articles"},
    "chat_placeholder": {
        "de": "Fragen Sie etwas zu den gespeicherten Artikeln. Jede Antwort zitiert ihre Quellsätze.",
        "en": "Ask something about the stored articles. Every answer cites its source sentences.",
    },
    "question_label": {"de": "Ihre Frage", "en": "Your question"},
    "question_placeholder": {"de": "Ihre Frage …", "en": "Your question …"},
    "examples": {"de": "Beispiele", "en": "Examples"},
    "example_1": {"de": "Was wies der Generalstab in Kiew zurück?", "en": "What did the general staff deny?"},
    "example_2": {
        "de": "Was drohte Medwedew den ukrainischen Soldaten an?",
        "en": "What did Medvedev threaten Ukrainian soldiers with?",
    },
    "example_3": {"de": "Was sagte Selenskyj?", "en": "What did Zelensky say?"},
    "panel_empty": {
        "de": "Stellen Sie eine Frage: die zitierten Sätze erscheinen hier; wählen Sie einen, um ihn im "
        "Artikel zu lesen.",
        "en": "Ask a question: the cited sentences appear here; select one to read it in its article.",
    },
    "panel_latest": {
        "de": "Zitierte Sätze der letzten Antwort:",
        "en": "Sentences cited by the last answer:",
    },
    "panel_earlier": {
        "de": "Zitierte Sätze der Antwort auf „{question}“:",
        "en": "Sentences cited by the answer to “{question}”:",
    },
    "closest_short": {"de": "Nächste gefundene Stellen", "en": "Closest passages found"},
    "sources_closest": {"de": "{label} – nächste Stellen", "en": "{label} – closest passages"},
    "show_source": {"de": "Quelle {n} zeigen", "en": "Show source {n}"},
    "select_source": {
        "de": "Wählen Sie eine Quelle, um sie in ihrem Artikel zu lesen.",
        "en": "Select a source to read it in its article.",
    },
    "no_passages": {"de": "Keine Stellen gefunden.", "en": "No passages found."},
    "not_in_answer": {
        "de": "Diese Quelle gehört nicht zu dieser Antwort.",
        "en": "That source is not part of this answer.",
    },
    "article_deleted": {
        "de": "Der Artikel dieser Quelle wurde gelöscht.",
        "en": "The article of this source has been deleted.",
    },
    "info": {
        "de": "**Antwortgeber:** `{who}` — {kind} · **Einbettungen:** `{embeddings}` · **{articles}**",
        "en": "**Answerer:** `{who}` — {kind} · **Embeddings:** `{embeddings}` · **{articles}**",
    },
    "kind_extractive": {
        "de": "zitiert Quellsätze, schreibt nie eigene",
        "en": "quotes source sentences, never writes its own",
    },
    "kind_llm": {"de": "schreibt und zitiert", "en": "writes and cites"},
    "upload": {
        "de": "Artikel hochladen (.txt .md .html .json .jsonl)",
        "en": "Upload articles (.txt .md .html .json .jsonl)",
    },
    "ingest_btn": {"de": "Dateien einlesen", "en": "Ingest files"},
    "paste": {"de": "… oder einen Artikel einfügen", "en": "… or paste an article"},
    "title": {"de": "Titel", "en": "Title"},
    "text": {"de": "Text", "en": "Text"},
    "add_article": {"de": "Artikel hinzufügen", "en": "Add article"},
    "table_label": {
        "de": "Gespeicherte Artikel (eine Zeile anklicken, um den Artikel zu wählen)",
        "en": "Stored articles (click a row to select its article)",
    },
    "selected": {"de": "Gewählter Artikel", "en": "Selected article"},
    "delete_btn": {"de": "Gewählten löschen", "en": "Delete selected"},
    "select_article": {
        "de": "Wählen Sie einen Artikel, um ihn zu lesen.",
        "en": "Select an article to read it.",
    },
    "choose_files": {
        "de": "Wählen Sie zuerst eine oder mehrere Dateien.",
        "en": "Choose one or more files first.",
    },
    "reading": {"de": "Dateien werden gelesen", "en": "Reading files"},
    "embedding": {"de": "Einbetten", "en": "Embedding"},
    "embedding_n": {"de": "Einbetten: {done}/{total} Sätze", "en": "Embedding {done}/{total} sentences"},
    "rejected": {"de": "**Abgelehnt:** {message}", "en": "**Rejected:** {message}"},
    "empty_text": {
        "de": "Fügen Sie zuerst Text ein: der Text ist leer.",
        "en": "Paste some text first: the text is empty.",
    },
    "done": {"de": "**Fertig:**", "en": "**Done:**"},
    "nothing_added": {"de": "**Nichts hinzugefügt.**", "en": "**Nothing added.**"},
    "select_first": {
        "de": "Wählen Sie zuerst einen Artikel in der Tabelle.",
        "en": "Select an article in the table first.",
    },
    "deleted": {"de": "Gelöscht: „{title}“.", "en": "Deleted “{title}”."},
    "no_article": {
        "de": "Kein Artikel mit der ID `{id}` (schon gelöscht?).",
        "en": "No article with id `{id}` (already deleted?).",
    },
    "confirm_delete": {"de": "„{title}“ löschen?", "en": "Delete “{title}”?"},
    "confirm_yes": {"de": "Ja, löschen", "en": "Yes, delete"},
    "cancel": {"de": "Abbrechen", "en": "Cancel"},
    "nothing_selected": {"de": "Kein Artikel gewählt.", "en": "No article selected."},
    "sources_label": {"de": "Quellen", "en": "Sources"},
    "preview_label": {"de": "Artikel", "en": "Article"},
    "original_link": {"de": "Original (externer Link): {url}", "en": "Original (external link): {url}"},
    "export": {"de": "Antwort exportieren", "en": "Export the answer"},
    "download_md": {"de": "Markdown herunterladen", "en": "Download Markdown"},
    "download_json": {"de": "JSON herunterladen", "en": "Download JSON"},
    "web_sources": {
        "de": "… oder eine Webseite oder einen Feed hinzufügen",
        "en": "… or add a web page or feed",
    },
    "web_url": {
        "de": "URL einer Webseite oder eines RSS/Atom-Feeds",
        "en": "URL of a web page or an RSS/Atom feed",
    },
    "add_once": {"de": "Einmal hinzufügen", "en": "Add once"},
    "follow_feed": {"de": "Feed folgen", "en": "Follow feed"},
    "update_feeds": {"de": "Feeds aktualisieren", "en": "Update feeds"},
    "no_feeds": {"de": "Keinem Feed wird gefolgt.", "en": "No feeds followed."},
    "followed_feeds": {"de": "Gefolgte Feeds:", "en": "Followed feeds:"},
    "feed_line": {
        "de": "{title} ({url}): {items} Einträge, zuletzt abgefragt {polled}",
        "en": "{title} ({url}): {items} items, last polled {polled}",
    },
    "not_modified": {"de": "unverändert", "en": "not modified"},
    "feed_counts": {"de": "{added} neu, {replaced} ersetzt", "en": "{added} added, {replaced} replaced"},
    "skipped_line": {"de": "**Übersprungen:** {message}", "en": "**Skipped:** {message}"},
    "enter_url": {"de": "Geben Sie zuerst eine URL ein.", "en": "Enter a URL first."},
    "enter_feed": {"de": "Geben Sie zuerst die URL eines Feeds ein.", "en": "Enter the URL of a feed first."},
    "scope": {"de": "Nur eine Auswahl fragen", "en": "Ask within a selection"},
    "scope_article": {"de": "Ein Artikel", "en": "One article"},
    "scope_source": {"de": "Eine Quelle", "en": "One source"},
    "scope_since": {"de": "Erschienen ab", "en": "Published from"},
    "scope_until": {"de": "Erschienen bis", "en": "Published until"},
    "date_placeholder": {"de": "JJJJ-MM-TT", "en": "YYYY-MM-DD"},
    "scope_reset": {"de": "Alle Artikel fragen", "en": "Ask all articles"},
    "scope_all": {
        "de": "Die nächsten Fragen gehen an alle Artikel.",
        "en": "The next questions ask all articles.",
    },
    "scope_some": {
        "de": "Die nächsten Fragen gehen nur an diese Auswahl; jede Antwort sagt, was gefragt wurde.",
        "en": "The next questions ask this selection only; each answer says what it asked.",
    },
    "scope_deleted": {"de": "(gelöschter Artikel)", "en": "(deleted article)"},
    "search_label": {"de": "Artikel suchen", "en": "Search articles"},
    "search_placeholder": {"de": "Titel, Quelle oder Datum …", "en": "Title, source or date …"},
    "sort_label": {"de": "Sortieren", "en": "Sort by"},
    "sort_added_desc": {"de": "Zuletzt hinzugefügt zuerst", "en": "Newest added first"},
    "sort_added_asc": {"de": "Zuerst hinzugefügt zuerst", "en": "Oldest added first"},
    "sort_date_desc": {"de": "Neueste Veröffentlichung zuerst", "en": "Newest published first"},
    "sort_date_asc": {"de": "Älteste Veröffentlichung zuerst", "en": "Oldest published first"},
    "sort_title_asc": {"de": "Titel A–Z", "en": "Title A–Z"},
    "sort_title_desc": {"de": "Titel Z–A", "en": "Title Z–A"},
    "sort_source_asc": {"de": "Quelle A–Z", "en": "Source A–Z"},
    "sort_sentences_desc": {"de": "Meiste Sätze zuerst", "en": "Most sentences first"},
    "prev_page": {"de": "◀ Zurück", "en": "◀ Previous"},
    "next_page": {"de": "Weiter ▶", "en": "Next ▶"},
    "page_n": {"de": "Seite {page} von {pages} · {articles}", "en": "Page {page} of {pages} · {articles}"},
    "page_found": {
        "de": "Seite {page} von {pages} · {matching} Treffer unter {articles}",
        "en": "Page {page} of {pages} · {matching} found among {articles}",
    },
    "no_match": {"de": "Kein Artikel passt zu „{query}“.", "en": "No article matches “{query}”."},
    "col_title": {"de": "Titel", "en": "Title"},
    "col_source": {"de": "Quelle", "en": "Source"},
    "col_date": {"de": "Datum", "en": "Published"},
    "col_sentences": {"de": "Sätze", "en": "Sentences"},
    "col_added": {"de": "Hinzugefügt", "en": "Added"},
    # the Evaluation tab (ui/evaluation.py)
    "tab_eval": {"de": "Auswertung", "en": "Evaluation"},
    "eval_intro": {
        "de": "Laden Sie einen eigenen Fragensatz hoch: seine Fragen werden an die gespeicherten Artikel "
        "gestellt, und jede Antwort wird an der richtigen Antwort gemessen. Formate wie bei `newsqa eval`: "
        "JSONL mit einer Frage je Zeile (`question`, `answers`, leer für nicht beantwortbar; wahlweise "
        "`evidence`, `article`) oder SQuAD-JSON. Höchstens {limit} Fragen je Lauf.",
        "en": "Upload a question set of your own: its questions are asked of the stored articles and each "
        "answer is scored against the right one. Formats as for `newsqa eval`: JSONL with one question per "
        "line (`question`, `answers`, empty when unanswerable; optionally `evidence`, `article`) or SQuAD "
        "JSON. At most {limit} questions per run.",
    },
    "eval_model_cap": {
        "de": "Hier antwortet ein Sprachmodell (`{answerer}`): Sekunden je Frage, daher so wenige.",
        "en": "A language model answers here (`{answerer}`): seconds a question, hence so few.",
    },
    "eval_upload": {
        "de": "Fragensatz (.jsonl oder SQuAD-.json)",
        "en": "Question set (.jsonl or SQuAD .json)",
    },
    "eval_run": {"de": "Auswertung starten", "en": "Run the evaluation"},
    "eval_choose": {"de": "Wählen Sie zuerst einen Fragensatz.", "en": "Choose a question set first."},
    "eval_bad": {"de": "**Nicht lesbar:** {message}", "en": "**Cannot use this set:** {message}"},
    "eval_failed": {
        "de": "**Der Lauf ist fehlgeschlagen:** {message}",
        "en": "**The run failed:** {message}",
    },
    "eval_write_failed": {
        "de": "**Berichtsdateien nicht geschrieben:** {message}",
        "en": "**The report files could not be written:** {message}",
    },
    "eval_empty_store": {
        "de": "Der Speicher enthält keine Artikel: fügen Sie zuerst unter „Artikel“ welche hinzu.",
        "en": "The store holds no articles: add some in the Articles tab first.",
    },
    "eval_reading": {"de": "Fragensatz wird gelesen …", "en": "Reading the question set …"},
    "eval_asking": {"de": "Frage {done} von {total}", "en": "Question {done} of {total}"},
    "eval_done": {
        "de": "**Fertig:** {questions} in {seconds} s gestellt, Antwortgeber `{answerer}`.",
        "en": "**Done:** {questions} asked in {seconds} s, answerer `{answerer}`.",
    },
    "eval_capped": {
        "de": "Der Satz hat {n} Fragen; gestellt wurde eine feste Stichprobe von {limit} (alle stellt "
        "`newsqa eval DATEI --store`).",
        "en": "The set has {n} questions; a fixed sample of {limit} was asked (`newsqa eval FILE --store` "
        "asks them all).",
    },
    "eval_own_articles": {
        "de": "Der Satz bringt eigene Artikeltexte mit; sie werden nicht gespeichert, seine Fragen gehen an "
        "Ihren Speicher (`newsqa eval DATEI` misst an den eigenen Artikeln des Satzes).",
        "en": "The set carries its own article texts; they are not stored, its questions go to your store "
        "(`newsqa eval FILE` scores it against the set's own articles).",
    },
    "eval_questions": {"de": "Fragen, Antworten und Zitate", "en": "Questions, answers and citations"},
    "eval_metric": {"de": "Kennzahl", "en": "Metric"},
    "eval_all": {"de": "alle Fragen ({n})", "en": "all questions ({n})"},
    "eval_lang_de": {"de": "Fragen auf Deutsch ({n})", "en": "German questions ({n})"},
    "eval_lang_en": {"de": "Fragen auf Englisch ({n})", "en": "English questions ({n})"},
    "eval_download_md": {"de": "Bericht (Markdown)", "en": "Report (Markdown)"},
    "eval_download_zip": {"de": "Alle Berichtsdateien (ZIP)", "en": "All report files (ZIP)"},
    "plot_hit_at_k": {
        "de": "Wie oft der richtige Satz unter den ersten k Treffern der Suche ist",
        "en": "How often the right sentence is among the search's first k results",
    },
    "plot_per_article": {"de": "Erstes Zitat richtig, je Artikel", "en": "First citation right, per article"},
    "plot_latency": {"de": "Zeit je Frage", "en": "Time per question"},
    "q_n": {"de": "Nr.", "en": "No."},
    "q_question": {"de": "Frage", "en": "Question"},
    "q_result": {"de": "Ergebnis", "en": "Result"},
    "q_answer": {"de": "Antwort", "en": "Answer"},
    "q_citations": {"de": "Zitate", "en": "Citations"},
    "res_right": {"de": "✓ erstes Zitat richtig", "en": "✓ first citation right"},
    "res_later": {"de": "≈ ein späteres Zitat richtig", "en": "≈ a later citation right"},
    "res_wrong": {"de": "✗ kein Zitat richtig", "en": "✗ no citation right"},
    "res_abstained_wrongly": {
        "de": "✗ keine Antwort, obwohl beantwortbar",
        "en": "✗ no answer, though answerable",
    },
    "res_abstained": {"de": "✓ keine Antwort (nicht beantwortbar)", "en": "✓ no answer (unanswerable)"},
    "res_answered": {
        "de": "✗ beantwortet, obwohl nicht beantwortbar",
        "en": "✗ answered, though unanswerable",
    },
    # the evaluation's metrics (qa.eval.summary.METRICS), as the page names them
    "m_first_citation": {"de": "erstes Zitat enthält die Antwort", "en": "first citation holds the answer"},
    "m_citation_recall": {"de": "ein Zitat enthält sie", "en": "any citation holds it"},
    "m_citation_precision": {"de": "Anteil richtiger Zitate", "en": "share of citations that do"},
    "m_char_precision": {
        "de": "Anteil zitierter Zeichen im richtigen Satz",
        "en": "share of cited characters in the gold sentence",
    },
    "m_hit@1": {"de": "Suche: richtiger Satz auf Platz 1", "en": "search: gold sentence ranked first"},
    "m_hit@5": {"de": "Suche: unter den ersten 5", "en": "search: in the first 5"},
    "m_hit@20": {"de": "Suche: unter den ersten 20", "en": "search: in the first 20"},
    "m_mrr": {"de": "Suche: mittlerer Kehrwert des Rangs (MRR)", "en": "search: mean reciprocal rank (MRR)"},
    "m_em": {"de": "Antwort genau gleich (EM)", "en": "answer exactly equal (EM)"},
    "m_f1": {"de": "Wortüberlappung mit der Antwort (F1)", "en": "word overlap with the answer (F1)"},
    "m_contains_gold": {"de": "Antwort enthält die richtige", "en": "answer contains the right one"},
    "m_answered_citation": {
        "de": "wenn beantwortet: ein Zitat richtig",
        "en": "when answered: a citation right",
    },
    "m_grounded": {
        "de": "Antwortsätze von ihren Zitaten gestützt",
        "en": "answer sentences their citations support",
    },
    "m_verified": {"de": "Modellsätze geprüft gezeigt", "en": "model sentences shown verified"},
    "m_by_model": {"de": "Modellsätze mit eigenen Zitaten", "en": "model sentences with its own markers"},
    "m_aligned": {"de": "Modellsätze mit newsqas Zitaten", "en": "model sentences with newsqa's markers"},
    "m_wrongful_abstention": {
        "de": "keine Antwort, obwohl beantwortbar",
        "en": "no answer, though answerable",
    },
    "m_abstain_rate": {
        "de": "keine Antwort auf nicht beantwortbare",
        "en": "no answer to unanswerable questions",
    },
    "m_total_ms_p50": {"de": "Zeit je Frage, Median (ms)", "en": "time per question, median (ms)"},
    "m_total_ms_p95": {
        "de": "Zeit je Frage, 95. Perzentil (ms)",
        "en": "time per question, 95th percentile (ms)",
    },
}

STRINGS: dict[str, dict[str, str]] = {**PHRASES, **PAGE}

ID_COLUMN = "ID"
"""The id column keeps one name in both languages: row selection reads it."""

# Gradio's own labels on this page, English and German (as its German translation has them).
GRADIO_LABELS = [
    ("Drop File Here", "Datei hier ablegen"),
    ("- or -", "- oder -"),
    ("Click to Upload", "Hochladen"),
    ("Clear", "Chat leeren"),
    ("Copy message", "Nachricht kopieren"),
    ("Copied message", "Nachricht kopiert"),
    ("Retry", "Wiederholen"),
    ("Undo", "Rückgängig"),
    ("Search...", "Suchen …"),
    ("More tabs", "Weitere Reiter"),
]


def _plain(text: str) -> str:
    return text.removeprefix("## ").replace("**", "").strip()


def relabels(language: str) -> dict[str, str]:
    """Label text in the other language -> the same label in ``language``: what the page script
    rewrites when Gradio's frontend runs in the browser's language and the reader chose the other
    (the switch), so no label stays behind. Strings with fields are built by the server instead."""
    other = "en" if language == "de" else "de"
    pairs = [(_plain(v[other]), _plain(v[language])) for v in STRINGS.values() if "{" not in v[other]]
    pairs += [(en, de) if language == "de" else (de, en) for en, de in GRADIO_LABELS]
    return {a: b for a, b in pairs if a != b}


# Names the page script sets: the prefixes of a message's accessible name (Gradio's is its raw
# HTML), Gradio's English-only names, and every label of the other language (``relabels``).
ARIA: dict[str, dict[str, str]] = {
    "de": {
        **relabels("de"),
        "answer": "Antwort",
        "question": "Frage",
        "chatbot conversation": "Gesprächsverlauf",
        "common.complete": "fertig",  # a key Gradio's German translation lacks
    },
    "en": {
        **relabels("en"),
        "answer": "Answer",
        "question": "Question",
        "chatbot conversation": "Conversation",
        "common.complete": "complete",
    },
}


def t(key: str, language: str, **fields: object) -> str:
    """The page string ``key`` in ``language``, ``fields`` filled in (the phrases' rule for unknown codes)."""
    if key in PHRASES:
        return phrase(key, language, **fields)
    text = PAGE[key][language if language in LANGUAGES else "de"]
    return text.format(**fields) if fields else text


def page_language(code: str | None) -> str:
    """``de`` for German browser codes (``de``, ``de-AT``), else ``en``: the page speaks one of two."""
    return "de" if (code or "").lower().startswith("de") else "en"


def request_language(request: gr.Request | None) -> str:
    """The page's language for a callback: the ``newsqa-lang`` cookie the page script sets (the
    reader's choice), else the browser's ``Accept-Language``; English for a client sending neither
    (an API script), so the API's messages stay stable."""
    headers = getattr(request, "headers", None) or {}
    cookies = dict(
        part.strip().split("=", 1) for part in str(headers.get("cookie", "")).split(";") if "=" in part
    )
    chosen = cookies.get("newsqa-lang") or str(headers.get("accept-language", "")).split(",")[0]
    return page_language(chosen) if chosen else "en"


def i18n() -> gr.I18n:
    """The static labels for Gradio's frontend, keyed like ``STRINGS``."""
    import gradio as gr

    return gr.I18n(**{lang: {k: v[lang] for k, v in STRINGS.items()} for lang in LANGUAGES})


def table_headers(language: str) -> list[str]:
    keys = ("col_title", "col_source", "col_date", "col_sentences", "col_added")
    return [t(k, language) for k in keys] + [ID_COLUMN]


__all__ = ["ID_COLUMN", "STRINGS", "count", "i18n", "page_language", "request_language", "t", "table_headers"]
