"""Stories told by several articles: is the newest report quoted first, the older one marked?

``python bench/stories.py`` ingests each case of ``bench/data/stories.jsonl`` (two dated articles)
into its own small store, asks its question with the extractive answerer and counts:

- ``changed`` cases (a number changed between the reports): the newest report cited first, and
  every cited older report of the story marked as an earlier report;
- ``unchanged`` cases (same numbers, or two different stories): no citation marked.

The set is written for this measurement (not training data; nothing is tuned on it). Writes
``bench/results/stories.md``; the figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import build_article
from qa.api import NewsQA
from qa.embeddings.factory import make_embeddings
from qa.settings import Settings

HERE = Path(__file__).resolve().parent


def main() -> int:
    cases = [json.loads(line) for line in (HERE / "data" / "stories.jsonl").read_text().splitlines() if line]
    settings = Settings(_env_file=None, answerer="extractive")  # type: ignore[call-arg]
    embeddings = make_embeddings(settings)
    rows = []
    score = {"changed": [0, 0, 0, 0], "unchanged": [0, 0, 0, 0]}  # cases, newest first, marks right, plain
    for case in cases:
        with tempfile.TemporaryDirectory() as tmp:
            qa = NewsQA(settings, embeddings=embeddings, data_dir=Path(tmp))
            articles = [
                build_article(
                    a["title"], a["text"], case["id"], date=a["date"], source_key=f"{case['id']}#{i}"
                )
                for i, a in enumerate(case["articles"])
            ]
            qa.add_articles(articles)
            answer = qa.ask(case["question"])
            plain = qa.answerer.select(qa.retriever.retrieve(case["question"]).passages, case["question"])
        newest = max(case["articles"], key=lambda a: a["date"])["title"]
        first_newest = bool(answer.citations) and answer.citations[0].title == newest
        plain_newest = bool(plain) and plain[0].title == newest
        older_cited = [c for c in answer.citations if c.title != newest and c.day]
        if case["kind"] == "changed":
            marks_right = bool(older_cited) and all(c.earlier_report for c in older_cited)
        else:
            marks_right = not any(c.earlier_report for c in answer.citations)
        tally = score[case["kind"]]
        tally[0] += 1
        tally[1] += first_newest
        tally[2] += marks_right
        tally[3] += plain_newest
        cited = "; ".join(
            f"[{c.marker}] {c.day}{' (earlier)' if c.earlier_report else ''}" for c in answer.citations
        )
        rows.append(
            f"| {case['id']} | {case['kind']} | {first_newest} | {plain_newest} | {marks_right} "
            f"| {cited or 'abstained'} |"
        )
    lines = [
        "| case | kind | newest first | newest first, ranker order | marks right | citations |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        *(
            f"{kind}: {t[0]} cases, newest cited first {t[1]}/{t[0]} (ranker order {t[3]}/{t[0]}), "
            f"marks right {t[2]}/{t[0]}"
            for kind, t in score.items()
        ),
    ]
    out = HERE / "results" / "stories.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
