"""newsqa: question answering over news articles, citing the exact source sentences.

>>> from qa import ask
>>> answer = ask("Was wies der Generalstab in Kiew zurück?")
>>> answer.citations[0].text
'Der Generalstab in Kiew wies allerdings zurück, dass die Soldaten eingekesselt seien.'
"""

from qa.api import IngestResult, NewsQA, QuestionError, ask
from qa.settings import Settings
from qa.types import Answer, Citation, Passage, Timings

__all__ = [
    "Answer",
    "Citation",
    "IngestResult",
    "NewsQA",
    "Passage",
    "QuestionError",
    "Settings",
    "Timings",
    "ask",
]
