"""An answer with its citations as Markdown or JSON, for the CLI (``--format``) and the page.

Markdown is for people: the question, the answer, then each cited sentence quoted with its article
title, URL and publication day when known, sentence number (1-based, as the page shows it) and
character offsets (which slice the article text exactly). JSON is the ``Answer`` itself (0-based
``sentence_index``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from qa.text.phrases import phrase

if TYPE_CHECKING:
    from qa.types import Answer, Passage


def _where(p: Passage, urls: Mapping[str, str], language: str) -> str:
    url = urls.get(p.article_id) or (p.source if "://" in p.source else "")
    parts = [f"*{p.title}*", f"<{url}>" if url else "", p.day]
    parts.append(phrase("sentence_chars", language, n=p.sentence_index + 1, start=p.start, end=p.end))
    return ", ".join(x for x in parts if x)


def answer_markdown(answer: Answer, language: str, urls: Mapping[str, str] | None = None) -> str:
    """``answer`` as Markdown; ``urls`` maps article ids to their URLs; the headings are in ``language``."""
    urls = urls or {}
    lines = [f"## {answer.question.strip()}", "", answer.text.strip(), ""]
    if answer.citations:
        lines += [f"### {phrase('sources', language)}", ""]
        for c in answer.citations:
            lines += [
                f"**[{c.marker}]** {_where(c, urls, language)}",
                "",
                f"> {' '.join(c.text.split())}",
                "",
            ]
    elif answer.passages:
        lines += [f"### {phrase('closest', language)}", ""]
        for p in answer.passages:
            lines += [f"- {_where(p, urls, language)}", "", f"> {' '.join(p.text.split())}", ""]
    lines.append(f"_{phrase('one_based', language)}_")
    return "\n".join(lines) + "\n"


def answer_json(answer: Answer) -> str:
    return answer.model_dump_json(indent=2)
