"""What a question produces: citations pointing at exact source sentences, and the answer.

Plain pydantic models so an ``Answer`` is typed in Python and round-trips through JSON for the CLI,
the web chat and evaluation reports alike.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from qa.scope.selection import Selection


class Passage(BaseModel):
    """A retrieved source sentence with its place in the article and its retrieval score."""

    article_id: str
    title: str
    source: str
    sentence_index: int
    text: str
    start: int
    end: int
    score: float = Field(description="Ranker score in [0, 1]: how likely this sentence answers the question.")
    date: str = Field("", description="The article's publication date, ISO 8601; empty when unknown.")
    url: str = Field("", description="The article's URL, when known.")

    @property
    def sentence_id(self) -> str:
        return f"{self.article_id}:{self.sentence_index}"

    @property
    def day(self) -> str:
        """The publication day, ``YYYY-MM-DD`` (empty when unknown): what a citation shows beside it."""
        return self.date[:10]


class Citation(Passage):
    """A passage the answer cites, under its inline marker (``[1]`` is marker 1)."""

    marker: int
    earlier_report: bool = Field(
        False, description="An older article's account of a story a newer cited article tells otherwise."
    )


class Timings(BaseModel):
    """Wall-clock seconds spent per stage, so slow stages show up in reports."""

    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class Verification(BaseModel):
    """How an LLM answer's sentences were checked: what the model wrote against what is shown."""

    sentences: int = Field(0, description="Answer sentences with content words the model wrote.")
    verified: int = Field(0, description="Of these, shown with citations that back them.")
    by_model: int = Field(0, description="Verified with the model's own markers.")
    aligned: int = Field(0, description="Verified with citations newsqa attached (the model's did not hold).")
    markers_written: int = Field(0, description="Valid source numbers the model wrote, once per sentence.")
    markers_shown: int = Field(0, description="Markers in the answer as shown.")


class Answer(BaseModel):
    """The result of one question: text with ``[n]`` markers, the citations behind them, and evidence.

    ``abstained`` is true when the sources do not answer the question; the text then says so and
    ``citations`` is empty, while ``passages`` still shows the closest sentences found.
    ``unsupported`` lists the model's answer sentences (LLM path) that no source supports: they are
    left out of ``text``. ``verification`` counts what was checked (None for the extractive answerer).
    """

    question: str
    text: str
    abstained: bool
    language: str = Field(description="ISO 639-1 code of the question's (and answer's) language.")
    answerer: str
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    dropped_markers: int = Field(0, description="Citation markers that pointed at no given source.")
    standalone_question: str = ""
    notice: str = Field("", description="A note for the reader, e.g. why the LLM answer was replaced.")
    selection: Selection | None = Field(
        None,
        description="What the question was asked of when not all articles: the selection given, "
        "narrowed by a time the question names.",
    )
    time_expression: str = Field(
        "", description='The words of the question that set the date window ("gestern").'
    )
    verification: Verification | None = None
    timings: Timings = Field(default_factory=Timings)
