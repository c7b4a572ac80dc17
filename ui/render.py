"""Pure functions turning answers and articles into the page's HTML and Markdown.

Everything here is string in, string out, so the escaping can be tested without a browser. Article
text is untrusted (uploaded files, pasted text, scraped pages): every piece of it goes through
``html.escape`` before it reaches a component that renders HTML (``gr.HTML`` does not sanitise).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from qa.answering.markers import MARKER
from qa.text.phrases import PHRASES, scope_line
from ui.strings import count, t

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ingest.types import Article
    from qa.store import StoredArticle
    from qa.types import Answer, Passage
    from ui.paging import TableView

_TAGS = re.compile(r"<[^>]+>")
_ASKED_OF = re.compile(r'\s*<span class="asked-of">.*?</span>', re.S)
_WEB_URL = re.compile(r"https?://[^\s\"'<>]+$", re.I)
# An abstention that already names the sources (in either language) needs no label in front.
_SOURCES_WORD = re.compile(r"\b(" + "|".join(map(re.escape, PHRASES["sources"].values())) + r")\b", re.I)


def esc(text: str) -> str:
    """HTML-escape untrusted text (quotes too, since it may land in attributes)."""
    return html.escape(text or "", quote=True)


_MARKDOWN_ANYWHERE = re.compile(r"[\\`*_{}\[\]()#!|~$=@]")
"""Characters that start Markdown anywhere in a line: emphasis, code, links and images, headings,
tables, strike-through, LaTeX, setext underlines, e-mail autolinks (and the escape character)."""
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)", re.M)
"""Lists, rules and setext underlines, which start a line."""
_AUTOLINK = re.compile(r":(?=//)|(?<=www)\.", re.I)
"""What makes ``http://…`` and ``www.…`` links by themselves (GitHub-flavoured autolinks)."""
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def inert(text: str) -> str:
    """Untrusted text for a component that renders Markdown (the chat, the panel heading): shown as
    written, with no Markdown taking effect.

    Each character that could start Markdown gets a backslash (a CommonMark escape) and the rest is
    HTML-escaped, so ``![x](http://…)`` shows as those characters instead of loading an image, and
    ``[a](…)``, ``http://…``, ``www.…`` and ``<img>`` stay text. Commas, full stops and hyphens in
    the middle of a line are left alone, so API clients read the text nearly as it was.
    """
    text = _MARKDOWN_ANYWHERE.sub(lambda m: "\\" + m[0], text or "")
    text = _MARKDOWN_LINE_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], text)
    return esc(_AUTOLINK.sub(lambda m: "\\" + m[0], text))


def plain(markdown: str) -> str:
    """The text :func:`inert` shows, from the Markdown it wrote (tags are the caller's to strip)."""
    return html.unescape(_MARKDOWN_ESCAPE.sub(r"\1", markdown))


def citation_key(turn: int, marker: int) -> str:
    """The key of a citation: which answer of the session (``turn``) and which marker."""
    return f"{turn}-{marker}"


def passage_key(turn: int, index: int) -> str:
    """The key of an uncited (closest) passage of an answer, e.g. when it abstained."""
    return f"{turn}-p{index}"


def parse_key(key: str) -> tuple[int, str, int] | None:
    """``"3-2"`` → ``(3, "c", 2)``; ``"3-p0"`` → ``(3, "p", 0)``; anything else → ``None``."""
    m = re.fullmatch(r"(\d{1,6})-(p?)(\d{1,6})", (key or "").strip())  # no int() of 5,000 digits
    if not m:
        return None
    return int(m[1]), ("p" if m[2] else "c"), int(m[3])


def abstain_label(language: str) -> str:
    return t("not_in_sources_label", language)


def streaming_text(text: str) -> str:
    """The partial answer while it streams: inert text, markers still plain."""
    return inert(text)


def answer_markdown(answer: Answer, turn: int, language: str = "de") -> str:
    """The final answer: inert text whose ``[n]`` markers link to their source (``#cite-T-n``),
    the only links an answer has.

    A click on a marker is caught by the page script (``ui.app.PAGE_JS``), which opens the cited
    sentence in the article view; without the script the link is still harmless. The answer keeps
    its question's language; the link titles are the page's (``language``).
    """
    known = {str(c.marker) for c in answer.citations}
    pieces, pos = [], 0
    for m in MARKER.finditer(answer.text):
        if m[2] not in known:
            continue  # not one marker of a citation: shown as text
        label = t("show_source", language, n=m[2])
        pieces += [inert(answer.text[pos : m.start()]), m[1]]
        pieces.append(
            f'<a class="cite" href="#cite-{citation_key(turn, int(m[2]))}" title="{label}">[{m[2]}]</a>'
        )
        pos = m.end()
    body = "".join(pieces) + inert(answer.text[pos:])
    if answer.abstained and not _SOURCES_WORD.search(answer.text):
        body = f"**{abstain_label(answer.language)}.** {body}"
    return body + notice_line(answer)


def notice_line(answer: Answer) -> str:
    """The answer's notice under it (an empty store and how to fill it, the person the matching
    article never mentions, why the LLM's answer was replaced); "" without one."""
    return f'\n\n<span class="notice">{inert(answer.notice)}</span>' if answer.notice else ""


def asked_of(answer: Answer, language: str, titles: Mapping[str, str] | None = None) -> str:
    """The line under an answer saying what it was asked of (``qa.text.phrases.scope_line``, a chosen
    article named by its title), in the page's ``language``; "" for all articles."""
    line = scope_line(language, answer.selection, answer.time_expression, titles)
    return f'\n\n<span class="asked-of">{inert(line)}</span>' if line else ""


def article_choices(articles: Sequence[StoredArticle]) -> list[tuple[str, str]]:
    """``(label, id)`` for the article picker: the title, and the publication day when known, by title."""
    ordered = sorted(articles, key=lambda a: (a.title.casefold(), a.date))
    return [(f"{a.title} · {a.date[:10]}" if a.date else a.title, a.id) for a in ordered]


def source_picks(names: Sequence[str]) -> list[tuple[str, str]]:
    """``(label, source)`` for the source picker: a file shows as its name, the value stays whole."""
    return [(short_source(n), n) for n in names]


def pager_line(view: TableView, language: str) -> str:
    """The line between the page buttons: which page of how many, and of which articles."""
    if view.query.strip() and not view.matching:
        return t("no_match", language, query=inert(view.query.strip()))
    articles = count(view.total, "article", language)
    if view.matching != view.total:
        return t(
            "page_found",
            language,
            page=view.page,
            pages=view.pages,
            matching=view.matching,
            articles=articles,
        )
    return t("page_n", language, page=view.page, pages=view.pages, articles=articles)


def short_source(source: str) -> str:
    """A file path shows as its file name (the full path stays in the article view's tooltip)."""
    if "://" in source or "/" not in source:
        return source
    return source.rstrip("/").rsplit("/", 1)[-1]


def short(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sources_markdown(answer: Answer, language: str = "de") -> str:
    """The body of the collapsible "Sources" box under an answer: cited sentences with their article,
    in the page's ``language`` (the quoted sentences as they stand)."""
    if answer.citations:
        lines = [
            f"{c.marker}\\. „{inert(short(c.text, 240))}“ — *{inert(c.title)}* "
            f"({inert(short_source(c.source))}{', ' + inert(c.day) if c.day else ''}, "
            f"{t('sentence_n', language, n=c.sentence_index + 1)})"
            for c in answer.citations
        ]
        return "\n".join(lines) + f"\n\n<small>{t('one_based', language)}</small>"
    if not answer.passages:
        return t("no_matching", language)
    lines = [f"- „{inert(short(p.text, 240))}“ — *{inert(p.title)}*" for p in answer.passages[:3]]
    return t("closest", language) + ":\n" + "\n".join(lines)


def sources_title(answer: Answer, language: str = "de") -> str:
    if answer.abstained or not answer.citations:
        return t("sources_closest", language, label=abstain_label(language))
    return t("sources_n", language, n=len(answer.citations))


def source_choices(answer: Answer, turn: int) -> list[tuple[str, str]]:
    """``(label, key)`` pairs for the sources panel; labels are plain text (Gradio renders them as text)."""
    if answer.citations:
        return [
            (f"[{c.marker}] {short(c.text, 150)} — {c.title}", citation_key(turn, c.marker))
            for c in answer.citations
        ]
    return [
        (f"{short(p.text, 150)} — {p.title}", passage_key(turn, i)) for i, p in enumerate(answer.passages)
    ]


def panel_heading(answer: Answer | None, latest: bool = True, language: str = "de") -> str:
    """Markdown above the sources panel: what the list shows (the last answer's, or an earlier one's)."""
    if answer is None:
        return t("panel_empty", language)
    if answer.abstained or not answer.citations:
        return f'<span class="abstained">{abstain_label(language)}</span> {t("closest_short", language)}:'
    if not latest:
        return t("panel_earlier", language, question=inert(short(answer.question, 80)))
    return t("panel_latest", language)


def article_html(
    article: Article,
    cited: dict[int, int] | None = None,
    retrieved: Iterable[int] = (),
    focus: int | None = None,
    language: str = "de",
) -> str:
    """The whole article, escaped, with cited sentences in ``<mark class="cited">`` (marker as
    superscript) and other retrieved sentences in ``<mark class="retrieved">``.

    ``focus`` is the sentence to scroll to; its mark gets the ``focus`` class. Ids are
    ``sent-<index>``: one article is shown at a time, so they are unique on the page.
    """
    cited = cited or {}
    retrieved = set(retrieved) - set(cited)
    out: list[str] = []
    pos = 0
    text = article.text
    for s in sorted(article.sentences, key=lambda s: s.start):
        if s.start < pos:  # overlapping spans cannot be marked twice; keep the text intact
            continue
        out.append(esc(text[pos : s.start]))
        body = esc(text[s.start : s.end])
        classes = []
        if s.index in cited:
            classes.append("cited")
        elif s.index in retrieved:
            classes.append("retrieved")
        if classes and s.index == focus:
            classes.append("focus")
        if classes:
            sup = f'<sup class="marker">[{cited[s.index]}]</sup>' if s.index in cited else ""
            out.append(
                f'<mark class="{" ".join(classes)}" id="sent-{s.index}" data-sentence="{s.index}">'
                f"{body}{sup}</mark>"
            )
        else:
            out.append(f'<span id="sent-{s.index}">{body}</span>')
        pos = s.end
    out.append(esc(text[pos:]))
    own_url = article.url if _WEB_URL.match(article.url or "") else ""
    meta = " · ".join(
        esc(x) for x in (short_source(article.source), article.date, article.url) if x and x != own_url
    )
    if own_url:  # the one link an article view has: its own address, marked as leaving the page
        meta += (
            f' · <a class="article-url" href="{esc(own_url)}" target="_blank" '
            f'rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">'
            f"{t('original_link', language, url=esc(own_url))}</a>"
        )
    return (
        '<div class="article-view">'
        f'<h3 class="article-title">{esc(article.title)}</h3>'
        f'<div class="article-meta" title="{esc(article.source)}">'
        f"{meta} · {count(len(article.sentences), 'sentence', language)}</div>"
        f'<div class="article-text">{"".join(out)}</div>'
        "</div>"
    )


def placeholder_html(message: str) -> str:
    return f'<div class="article-view empty">{esc(message)}</div>'


def focus_for(answer: Answer, kind: str, number: int) -> tuple[Passage | None, dict[int, int], set[int]]:
    """For a selected citation (``kind == "c"``) or passage (``"p"``): the chosen passage, and the
    cited markers and retrieved sentence indices of the same article."""
    chosen: Passage | None = None
    if kind == "c":
        chosen = next((c for c in answer.citations if c.marker == number), None)
    elif 0 <= number < len(answer.passages):
        chosen = answer.passages[number]
    if chosen is None:
        return None, {}, set()
    cited = {c.sentence_index: c.marker for c in answer.citations if c.article_id == chosen.article_id}
    retrieved = {p.sentence_index for p in answer.passages if p.article_id == chosen.article_id}
    if kind == "p":
        retrieved.add(chosen.sentence_index)
    return chosen, cited, retrieved


def plain_history(history: Sequence) -> list[dict[str, str]]:
    """The chat history as ``{"role", "content"}`` dicts of plain text, for ``qa.stream``.

    Drops the "Sources" boxes (messages with a title) and the marker links, so follow-up handling
    sees the questions and answers as the user read them.
    """
    out: list[dict[str, str]] = []
    for turn in history or ():
        if not isinstance(turn, dict):
            continue
        meta = turn.get("metadata") or {}
        content = turn.get("content")
        if isinstance(content, list):  # Gradio 6 may give content as a list of parts
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str) or (isinstance(meta, dict) and meta.get("title")):
            continue
        content = _ASKED_OF.sub("", content)  # what the page says of the answer, not the answer
        out.append({"role": turn.get("role", "user"), "content": plain(_TAGS.sub("", content))})
    return out


def info_line(
    answerer: str, embeddings: str, articles: int, llm_model: str = "", language: str = "de"
) -> str:
    """The honest settings line at the top of the page."""
    who = f"{answerer} ({llm_model})" if answerer == "llm" and llm_model else answerer
    kind = t("kind_extractive" if answerer == "extractive" else "kind_llm", language)
    return t(
        "info",
        language,
        who=esc(who),
        kind=kind,
        embeddings=esc(embeddings),
        articles=count(articles, "article", language),
    )


def article_rows(articles: Sequence[StoredArticle]) -> list[list[object]]:
    """Rows for the articles table (title, source, publication date, sentences, added, id), newest first."""
    rows = sorted(articles, key=lambda a: a.added_at, reverse=True)
    return [
        [a.title, short_source(a.source), a.date[:10], a.n_sentences, a.added_at[:16].replace("T", " "), a.id]
        for a in rows
    ]
