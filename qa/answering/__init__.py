"""Answering: the answerer contract (``base``), the offline ``extractive`` answerer, the ``llm``
answerer and its prompt, citation markers (``markers``) and the grounding check (``support``);
``factory.make_answerer`` picks one from the settings."""
