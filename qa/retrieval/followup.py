"""Follow-up questions without a model: borrow the topic of the previous question.

"Und was sagte Medwedew dazu?" names nothing the retriever can find on its own. When a question
reads like a follow-up (it starts with "und"/"and", leans on a pronoun, or has almost no content
words), the previous question is appended as context. The LLM answerer rewrites follow-ups properly;
this is the offline fallback: the retriever looks for candidates with both questions and ranks
them by the follow-up itself unless it is too thin to rank by.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.history import previous_questions

_FOLLOW_UP = re.compile(
    r"^(und|aber|auch|and|but|what about|how about)\b|\b(dazu|darauf|darüber|davon|damit|dies|das|er|sie|ihm|"
    r"ihr|ihn|ihnen|dort|he|she|it|they|them|that|this|there)\b",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"\b\w{4,}\b")


def looks_like_follow_up(question: str) -> bool:
    return bool(_FOLLOW_UP.search(question)) or is_thin(question)


def is_thin(question: str) -> bool:
    """Too few content words to retrieve by on its own ("Und wann war das?")."""
    return len(_CONTENT.findall(question)) < 3


def follow_up_context(question: str, history: Sequence) -> str:
    """The previous question when ``question`` reads like a follow-up to it, else ``""``."""
    earlier = previous_questions(history)
    return earlier[-1] if earlier and looks_like_follow_up(question) else ""
