"""The hybrid retriever as a LangChain ``BaseRetriever``: one ``Document`` per source sentence."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.retrieval.hybrid import HybridRetriever


class NewsRetriever(BaseRetriever):
    """Metadata carries the article id, title, source, sentence index, character offsets and score,
    so anything built on LangChain can cite exactly what newsqa cites."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.hybrid.retrieve(query).passages[: self.k]
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"})) for p in passages]
