"""QA sets to evaluate on: SQuAD v1.1/v2 JSON or JSONL, parsed into one neutral shape.

SQuAD: each article's paragraphs joined with "\\n\\n" become one article, and answer offsets are
shifted into the joined text, so the gold sentence is known by offset after segmentation. JSONL
records carry ``question`` and ``answers`` (strings, or ``{"text", "answer_start"}`` objects; an
empty list means unanswerable), and optionally ``evidence``, ``article`` (a title or id) and
``context`` (the article's text, so a JSONL set can carry its own articles), ``id``, ``language``.

Splits: a SQuAD file's dev split is the first half of its articles in file order, test the rest
(for XQuAD-de this is exactly SOURCES.md's dev = 0..23, test = 24..47). A JSONL set has the splits
its lines name (``split``: ``dev`` or ``test``), and none when they name none: then it is one set
(split ``all``), never halved. Bad files raise ``DatasetError`` naming the line or the field,
because a silently skipped question would change every metric.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DatasetError(ValueError):
    """A QA set that cannot be read; the message names the file and the line or field."""


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")
"""A question's ``language``: an ISO 639 code with an optional region or script (``de``, ``en-GB``);
it heads a column of the summary tables, so nothing else gets in."""


@dataclass(frozen=True, slots=True)
class EvalArticle:
    """An article a QA set carries (its context), ingested into a fresh store for the run."""

    key: str
    title: str
    text: str
    split: str


@dataclass(frozen=True, slots=True)
class Example:
    """One question with its gold: answers, answer offsets into its article, evidence strings."""

    id: str
    question: str
    answers: tuple[str, ...]
    starts: tuple[int, ...] = ()
    evidence: tuple[str, ...] = ()
    article: str | None = None  # EvalArticle.key when the set carries contexts, else a title or id
    split: str = "all"
    language: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.evidence)


@dataclass(slots=True)
class EvalSet:
    """Questions plus the articles they were written against (empty: ask an existing store)."""

    name: str
    examples: list[Example]
    articles: list[EvalArticle] = field(default_factory=list)


def load_dataset(path: str | Path) -> EvalSet:
    """Read a SQuAD JSON file or a JSONL file (by content, not by extension)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read the QA set: {exc}") from exc
    if not raw.strip():
        raise DatasetError(f"{path}: the file is empty")
    if path.suffix.lower() == ".jsonl" or not raw.lstrip().startswith("{") or _is_jsonl(raw):
        return _jsonl(path, raw)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    return _squad(path, data)


def _is_jsonl(raw: str) -> bool:
    first = raw.lstrip().split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict) and "question" in json.loads(first)
    except json.JSONDecodeError:
        return False


def _need(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, str) and kind is str and not value.strip()):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise DatasetError(f"{where}: expected a non-empty {names}, got {value!r:.60}")
    return value


def _squad(path: Path, data: Any) -> EvalSet:
    where = f"{path}: field"
    articles_raw = _need(_need(data, dict, f"{where} (top level)").get("data"), list, f"{where} 'data'")
    half = (len(articles_raw) + 1) // 2
    articles, examples = [], []
    for ai, art in enumerate(articles_raw):
        at = f"{where} data[{ai}]"
        _need(art, dict, at)
        split = "dev" if ai < half else "test"
        title = str(art.get("title") or f"article {ai}").replace("_", " ")
        parts, offset = [], 0
        for pi, para in enumerate(_need(art.get("paragraphs"), list, f"{at}.paragraphs")):
            pt = f"{at}.paragraphs[{pi}]"
            context = _need(_need(para, dict, pt).get("context"), str, f"{pt}.context")
            for qi, qa in enumerate(_need(para.get("qas"), list, f"{pt}.qas")):
                examples.append(_squad_question(qa, f"{pt}.qas[{qi}]", context, offset, str(ai), split))
            parts.append(context)
            offset += len(context) + 2
        articles.append(EvalArticle(str(ai), title, "\n\n".join(parts), split))
    return EvalSet(path.name, examples, articles)


def _squad_question(qa: Any, at: str, context: str, offset: int, article: str, split: str) -> Example:
    _need(qa, dict, at)
    question = _need(qa.get("question"), str, f"{at}.question")
    answers, starts = [], []
    if not qa.get("is_impossible", False):
        for i, ans in enumerate(_need(qa.get("answers"), list, f"{at}.answers")):
            text = _need(_need(ans, dict, f"{at}.answers[{i}]").get("text"), str, f"{at}.answers[{i}].text")
            start = _need(ans.get("answer_start"), int, f"{at}.answers[{i}].answer_start")
            answers.append(text)
            if context[start : start + len(text)] != text:  # a shifted offset: trust the text if unique
                start = context.find(text)
            if start >= 0:
                starts.append(offset + start)
    return Example(str(qa.get("id", at)), question, tuple(answers), tuple(starts), (), article, split)


def _jsonl(path: Path, raw: str) -> EvalSet:
    rows: list[tuple[int, dict]] = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((n, _need(json.loads(line), dict, f"{path}: line {n}")))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}: line {n}: malformed JSON ({exc.msg}, column {exc.colno})") from exc
    contexts: dict[str, str] = {}
    for n, row in rows:
        if "context" in row:
            key = str(row.get("article") or f"line {n}")
            text = _need(row["context"], str, f"{path}: line {n}: field 'context'")
            if contexts.setdefault(key, text) != text:
                raise DatasetError(f"{path}: line {n}: article {key!r} has two different contexts")
    named = [n for n, row in rows if "split" in row]
    if named and len(named) < len(rows):
        n = next(n for n, row in rows if "split" not in row)
        where = f"{path}: line {n}: field 'split'"
        raise DatasetError(f"{where}: missing (line {named[0]} names one: name it on all lines or none)")
    examples = [_jsonl_question(path, n, row, contexts) for n, row in rows]
    split_of: dict[str, str] = {}  # an article's split: its first question's
    for e in examples:
        split_of.setdefault(e.article or "", e.split)
    order = list(dict.fromkeys(str(r.get("article") or f"line {n}") for n, r in rows))
    articles = [EvalArticle(k, k, contexts[k], split_of.get(k, "all")) for k in order if k in contexts]
    return EvalSet(path.name, examples, articles)


def _jsonl_question(path: Path, n: int, row: dict, contexts: dict[str, str]) -> Example:
    at = f"{path}: line {n}: field"
    question = _need(row.get("question"), str, f"{at} 'question'")
    key = str(row.get("article") or f"line {n}")
    context = contexts.get(key, "")
    answers, starts = [], []
    for i, ans in enumerate(_need(row.get("answers"), list, f"{at} 'answers' (a list, [] if unanswerable)")):
        if isinstance(ans, dict):
            text = _need(ans.get("text"), str, f"{at} 'answers[{i}].text'")
            start = ans.get("answer_start")
            if start is not None:
                _need(start, int, f"{at} 'answers[{i}].answer_start'")
                if context[start : start + len(text)] != text:
                    raise DatasetError(f"{at} 'answers[{i}].answer_start': the context has no {text!r} there")
                starts.append(start)
        else:
            text = _need(ans, str, f"{at} 'answers[{i}]'")
        answers.append(text)
    evidence = row.get("evidence", [])
    evidence = [evidence] if isinstance(evidence, str) else _need(evidence, list, f"{at} 'evidence'")
    for i, ev in enumerate(evidence):
        _need(ev, str, f"{at} 'evidence[{i}]'")
    split = str(row.get("split") or "all")  # no split named: the set is one set
    if "split" in row and split not in ("dev", "test"):
        raise DatasetError(f"{at} 'split': expected 'dev' or 'test', got {split!r}")
    article = key if row.get("article") or context else None
    language = row.get("language")
    if language not in (None, "") and not (isinstance(language, str) and LANGUAGE_CODE.fullmatch(language)):
        expected = "expected a language code such as 'de' or 'en-GB'"
        raise DatasetError(f"{at} 'language': {expected}, got {language!r}")
    return Example(
        str(row.get("id", f"line {n}")), question, tuple(answers), tuple(starts), tuple(evidence),
        article, split, language or None,
    )  # fmt: skip
