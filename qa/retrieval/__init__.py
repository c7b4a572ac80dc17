"""Finding and ranking source sentences: the candidate generator (``candidates``), the ranker's
features and model (``features``, ``ranker``), abstention, follow-ups, the retriever (``hybrid``)
and its LangChain face (``langchain``)."""
