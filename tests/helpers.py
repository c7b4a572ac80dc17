"""Paths, constants and small builders the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.eval.metrics import Unit

if TYPE_CHECKING:
    from qa.api import NewsQA
    from qa.store import ArticleStore

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "Trump-bittet-Putin-um-Schonung-ukrainischer-Soldaten-in-Kursk.txt"
GENERALSTAB = "Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien."
# What the seed says of Selenskyj: a sentence naming him, or his own words ("sagte der Staatschef").
SELENSKYJ_SAID = ("Selenskyj", "Die Situation ist sehr schwer.", "Ich kann nur unseren Kämpfern")
ARTIFACTS = ROOT / "test-artifacts"

# A user's own question set over the seed article (no splits, no articles): answerable in German
# and English, and one the seed cannot answer.
OWN_QUESTIONS = [
    {"question": "Was wies der Generalstab in Kiew zurück?",
     "answers": ["dass die Soldaten eingekesselt seien"], "evidence": [GENERALSTAB]},
    {"question": "What did the general staff in Kyiv deny?", "answers": [], "evidence": [GENERALSTAB]},
    {"question": "Wer gewann die Fußball-WM 1954?", "answers": []},
]  # fmt: skip
# A question whose gold the seed does not hold: newsqa's answer to it is wrong, whatever it cites.
WRONG_GOLD = {"question": "Was sagte Selenskyj?", "answers": ["Die Stadtwerke Bonn erhöhen die Preise"]}
# Two units of one article for hand-made evaluation records (no model): the right one and not.
RIGHT = Unit("a", 0, 22, "Der Fluss heißt Spree.")
WRONG = Unit("a", 23, 49, "Berlin ist die Hauptstadt.")


def eval_record(
    split: str, language: str, answerable: bool, cited: Unit | None, condition: str = "none"
) -> dict:
    """One question's record as the runner writes it, over the two units above; abstains when
    nothing is cited."""
    from qa.eval.metrics import Gold, Prediction, score

    gold = Gold(("Spree",) if answerable else ())
    pred = Prediction(cited.text if cited else "", cited is None, [cited] if cited else [], [RIGHT, WRONG])
    return {
        "id": f"{split}-{language}-{answerable}",
        "question": "Wie heißt der Fluss?",
        "language": language,
        "split": split,
        "system": "newsqa",
        "condition": condition,
        "abstained": pred.abstained,
        "citations": [{"article_id": u.article_id, "start": u.start, "end": u.end, "text": u.text}
                      for u in pred.citations],
        "metrics": score(pred, gold),
        "timings": {"retrieve": 0.02, "answer": 0.001, "total": 0.021},
    }  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """``rows`` as a JSONL file, one object per line."""
    import json

    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def build_qa(data_dir: Path, embeddings: Any, **overrides: Any) -> NewsQA:
    """A NewsQA on ``data_dir`` sharing the session's loaded embedding model."""
    from qa.api import NewsQA
    from qa.settings import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data_dir,
        answerer=overrides.pop("answerer", "extractive"),
        fetch_allow_private=overrides.pop("fetch_allow_private", True),  # the news server is on 127.0.0.1
    )
    return NewsQA(settings, embeddings=embeddings, **overrides)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vectored_sentence_ids(store: ArticleStore) -> list[str]:
    """The ids of the stored sentences whose vector Chroma holds (in their chunks' records)."""
    from ingest.types import sentence_id

    ids = [sentence_id(a.id, i) for a in store.list_articles() for i in range(a.n_sentences)]
    return list(store.sentence_rows(ids, vectors=True))


def llm_qa(data_dir: Path, embeddings: Any, url: str, **overrides: Any) -> NewsQA:
    """A NewsQA whose answerer talks to ``url``: a 1 s timeout and no retries unless asked."""
    settings = {"llm_timeout": 1.0, "llm_max_retries": 0, **overrides}
    return build_qa(data_dir, embeddings, answerer="llm", openai_base_url=url, **settings)
