"""Follow-up questions without a model: borrow the topic of the previous question when needed.

"Und was sagte Medwedew dazu?" leans on the question before it ("dazu"); "Und wann war das?" names
nothing at all. A question that names its own subject and refers back to nothing ("Wem dankte
Selenskyj?", "Und was sagte Selenskyj?") is asked as it stands. For a follow-up, the previous
question is context: the retriever looks for candidates with both questions and ranks them by the
follow-up itself unless it names no subject and is too thin to rank by. The LLM answerer rewrites
follow-ups properly; this is the offline path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.history import previous_questions
from qa.text.names import name_words

_REFERS_BACK = re.compile(
    r"\b(dazu|darauf|darüber|davon|damit|dies|das|er|sie|ihm|ihr|ihn|ihnen|dort|he|she|it|they|them|that|"
    r"this|there)\b|^(what|how) about\b",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"\b\w{4,}\b")


def looks_like_follow_up(question: str) -> bool:
    """It refers back to something ("dazu", "er", "that"), or names nothing and says little."""
    return bool(_REFERS_BACK.search(question)) or (is_thin(question) and not name_words(question))


def is_thin(question: str) -> bool:
    """Too few content words to rank by on its own ("Und wann war das?"), unless it names its subject."""
    return len(_CONTENT.findall(question)) < 3 and not name_words(question)


def follow_up_context(question: str, history: Sequence) -> str:
    """The previous question when ``question`` reads like a follow-up to it, else ``""``."""
    earlier = previous_questions(history)
    return earlier[-1] if earlier and looks_like_follow_up(question) else ""
