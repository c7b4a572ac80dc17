"""``evaluate``: ask a QA set's questions, score every system, and return an ``EvalReport``.

A set that carries its articles is ingested into a fresh temporary store, so a run never touches
the user's store and every run starts from the same state; ``store=True`` asks the configured
store instead, and ``qa=`` a ``NewsQA`` already open on one (the web page's). With distractors
the same systems are scored a second time after the distractor articles join the store, so one
report shows what they cost.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.eval.datasets import DatasetError, EvalSet, Example, load_dataset
from qa.eval.metrics import Gold, Prediction, score
from qa.eval.report import EvalReport
from qa.eval.systems import BM25System, LangChainSystem, NewsQASystem
from qa.text.language import detect_language

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ingest import Article
    from qa.api import NewsQA
    from qa.settings import Settings


def select(
    evalset: EvalSet,
    split: str = "all",
    limit: int | None = None,
    seed: int = 0,
    other_unanswerable: bool = False,
) -> list[Example]:
    """The questions to ask: one split, a seeded sample of ``limit`` (kept in file order), and
    optionally the other split's questions as unanswerable ones (their articles are left out)."""
    if split not in ("dev", "test", "all"):
        raise ValueError(f"unknown split {split!r}: use dev, test or all")
    if split != "all" and all(e.split == "all" for e in evalset.examples):
        raise DatasetError(
            f"{evalset.name}: the set has no dev/test splits (a 'split' field on each line); ask it whole"
        )
    chosen = _sample([e for e in evalset.examples if split in ("all", e.split)], limit, seed)
    if other_unanswerable:
        if split == "all" or not evalset.articles:
            raise ValueError("--unanswerable-from-other-split needs --split dev|test and a set with contexts")
        others = [e for e in evalset.examples if e.split != split]
        chosen += [
            replace(e, answers=(), starts=(), evidence=(), article=None, split=split)
            for e in _sample(others, limit, seed + 1)
        ]
    if not chosen:
        raise DatasetError(f"{evalset.name}: no questions in split {split!r}")
    return chosen


def _sample(pool: list[Example], limit: int | None, seed: int) -> list[Example]:
    if limit is None or limit >= len(pool):
        return pool
    return [pool[i] for i in sorted(random.Random(seed).sample(range(len(pool)), limit))]


def evaluate(
    data: str | Path | EvalSet,
    *,
    split: str = "all",
    limit: int | None = None,
    seed: int = 0,
    answerer: str = "extractive",
    baseline: bool = False,
    distractors: str | Path | None = None,
    store: bool = False,
    unanswerable_from_other_split: bool = False,
    settings: Settings | None = None,
    embeddings: Embeddings | None = None,
    progress: bool | Callable[[int, int], None] = True,
    qa: NewsQA | None = None,
) -> EvalReport:
    """Score newsqa (and with ``baseline`` the LangChain and BM25 baselines) on a QA set.

    ``qa``: ask this open ``NewsQA`` (its store and answerer; implies ``store``), so a server asks
    the store it serves without opening it twice. ``progress``: a tqdm bar on stderr, or a callback
    ``(done, total)`` after each question (the web page's progress bar)."""
    from qa.api import NewsQA
    from qa.settings import Settings

    evalset = data if isinstance(data, EvalSet) else load_dataset(data)
    store = store or qa is not None
    if not store and not evalset.articles:
        raise DatasetError(
            f"{evalset.name}: the set carries no article texts; ask it against the store (--store)"
        )
    if store and distractors:
        raise ValueError("--distractors would add articles to your store; use it without --store")
    examples = select(evalset, split, limit, seed, unanswerable_from_other_split)
    base = qa.settings if qa is not None else settings or Settings()
    answerer = base.answerer if qa is not None else answerer
    if answerer == "llm" and not base.llm_configured:
        raise ValueError("--answerer llm needs a chat model: set OPENAI_API_KEY or OPENAI_BASE_URL")
    with tempfile.TemporaryDirectory(prefix="newsqa-eval-") as tmp:
        if qa is None:
            updates: dict[str, Any] = {"answerer": answerer}
            if not store:
                updates["data_dir"] = Path(tmp)
            qa = NewsQA(base.model_copy(update=updates), embeddings=embeddings)
        meta: dict[str, Any] = {"dataset": evalset.name, "questions": len(examples)}
        only = split if unanswerable_from_other_split else None
        articles, ids = ingest_articles(qa, evalset, store, meta, only)
        golds = [gold_for(e, ids, articles) for e in examples]
        systems: list[Any] = [NewsQASystem(qa)]
        if baseline:
            chain = LangChainSystem(qa.embeddings)
            stored = [qa.article(a.id) for a in qa.articles()] if store else []
            chain.add(list(articles.values()) if not store else [a for a in stored if a is not None])
            systems += [chain, BM25System(qa)]
            meta["langchain_chunks"] = chain.chunks
        # the gold article's title: the set's own, else the stored one it named (by title or id)
        titles = {a.key: a.title for a in evalset.articles} if not store else {}
        titles |= {a.id: a.title for a in qa.articles()} if store else {}
        records = _run(systems, examples, golds, titles, "none", progress)
        if distractors:
            from ingest.articles import content_hash
            from qa.eval.distractors import load_distractors

            # a distractor that is one of the set's own articles (the same text) is not a distractor
            own = {content_hash("", a.text) for a in articles.values()}
            extra = [a for a in load_distractors(distractors) if content_hash("", a.text) not in own]
            started = time.perf_counter()
            qa.add_articles(extra)
            for system in systems:
                if isinstance(system, LangChainSystem):
                    system.add(extra)
            meta["distractors"] = {"file": Path(distractors).name, "articles": len(extra)}
            meta["distractor_ingest_s"] = round(time.perf_counter() - started, 2)
            records += _run(systems, examples, golds, titles, "distractors", progress)
    config = {
        "split": split, "limit": limit, "seed": seed, "answerer": answerer, "baseline": baseline,
        "store": store, "unanswerable_from_other_split": unanswerable_from_other_split,
    }  # fmt: skip
    return EvalReport(records=records, config=config, meta=meta)


def ingest_articles(
    qa: NewsQA, evalset: EvalSet, store: bool, meta: dict, only_split: str | None
) -> tuple[dict, dict]:
    """Add the set's articles (all of them: the whole set is the corpus; only one split's when the
    other split's questions serve as unanswerable ones).

    Returns key -> Article and key -> stored article id (for ``store``: id and title -> id).
    """
    from ingest import build_article

    if store:
        stored = qa.articles()
        meta["store_articles"] = len(stored)
        ids = {a.id: a.id for a in stored} | {a.title.casefold(): a.id for a in stored}
        return {}, ids
    keep = [a for a in evalset.articles if only_split in (None, a.split)]
    articles = {
        a.key: build_article(
            a.title, a.text, f"eval:{evalset.name}", source_key=f"eval:{evalset.name}#{a.key}"
        )
        for a in keep
    }
    report = qa.add_articles(list(articles.values()))
    ids = {key: report.duplicates.get(art.id) or art.id for key, art in articles.items()}
    meta.update(articles=len(articles), sentences=report.sentences, ingest_s=round(report.seconds, 2))
    return articles, ids


def gold_for(example: Example, ids: dict[str, str], articles: dict[str, Article]) -> Gold:
    """The gold for one question, with its article resolved to the id it has in the store."""
    key = example.article
    article_id = (ids.get(key) or ids.get(key.casefold())) if key is not None else None
    spans: tuple[tuple[int, int], ...] = ()
    article = articles.get(key) if key is not None else None
    if article is not None and example.starts:
        spans = tuple(
            (s.start, s.end) for s in article.sentences if any(s.start <= x < s.end for x in example.starts)
        )
    return Gold(example.answers, example.starts, example.evidence, article_id, spans)


def _run(systems: list, examples: Sequence[Example], golds: Sequence[Gold], titles: dict, condition: str,
         progress: bool | Callable[[int, int], None]) -> list[dict]:  # fmt: skip
    from tqdm import tqdm

    for system in systems:  # load models and warm caches, so the first question's latency is honest
        system.predict("Wer hat das gesagt?")
    records = []
    total = len(examples) * len(systems)
    bar = tqdm(total=total, desc=f"eval ({condition})", unit="q", disable=progress is not True)
    for example, gold in zip(examples, golds, strict=True):
        language = question_language(example)
        for system in systems:
            pred = system.predict(example.question)
            records.append(record(example, gold, pred, language, system.name, condition, titles))
            bar.update()
            if callable(progress):
                progress(len(records), total)
    bar.close()
    return records


def question_language(example: Example) -> str:
    """The language a question is scored under: the set's own label, else detected."""
    return example.language or detect_language(example.question)


def record(example: Example, gold: Gold, pred: Prediction, language: str, system: str, condition: str,
            titles: dict) -> dict:  # fmt: skip
    """One question's line in the report: what was asked, the gold, the answer, metrics, timings."""
    return {
        "id": example.id,
        "question": example.question,
        "language": language,
        "split": example.split,
        "article": example.article,
        "article_title": titles.get(example.article or "")
        or titles.get(gold.article_id or "", example.article),
        "system": system,
        "condition": condition,
        "gold": {
            "answers": list(gold.answers),
            "starts": list(gold.starts),
            "evidence": list(gold.evidence),
            "article_id": gold.article_id,
        },
        "answer": pred.text,
        "abstained": pred.abstained,
        "citations": [
            {"article_id": u.article_id, "start": u.start, "end": u.end, "text": u.text}
            for u in pred.citations
        ],
        "metrics": score(pred, gold),
        "timings": {
            "retrieve": pred.retrieve_s,
            "answer": pred.answer_s,
            "total": pred.retrieve_s + pred.answer_s,
        },
        "verification": pred.verification,
        "fallback": pred.fallback,
    }
