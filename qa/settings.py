"""All configuration in one place: ``NEWSQA_*`` environment variables, a ``.env`` file, or defaults.

The defaults run fully offline (embedded Chroma, multilingual-e5-small embeddings, the extractive
answerer). Pointing newsqa at OpenAI or any OpenAI-compatible server is configuration only: set
``OPENAI_API_KEY`` and/or ``OPENAI_BASE_URL`` (or the ``NEWSQA_`` equivalents).
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "newsqa"


def _version() -> str:
    """The installed package's version (pyproject.toml is its one home)."""
    try:
        return version("newsqa")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "dev"


_VERSION = _version()


class Settings(BaseSettings):
    """newsqa's settings; every field is ``NEWSQA_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the store lives.")
    chroma_url: str = Field("", description="A Chroma server (`chroma run`), e.g. http://127.0.0.1:8000.")
    collection_prefix: str = "newsqa"

    embeddings: Literal["multilingual-e5-small", "use-multilingual", "openai"] = "multilingual-e5-small"
    embedding_model: str = "text-embedding-3-small"
    embedding_threads: int = Field(
        2,
        ge=1,
        description="Cores the local model may use: BLAS threads, and model processes for a large ingest.",
    )

    answerer: Literal["auto", "extractive", "llm", "local"] = "auto"
    llm_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("NEWSQA_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str = Field(
        "", validation_alias=AliasChoices("NEWSQA_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_temperature: float = 0.0
    llm_timeout: float = 60.0
    llm_max_retries: int = 2
    llm_fallback: bool = Field(
        True, description="When the LLM fails, answer extractively with a notice instead of an error."
    )
    llm_max_sources: int = Field(12, description="Retrieved sentences the LLM is given, numbered.")
    llm_deadline: float = Field(
        180.0, gt=0, description="Seconds one LLM answer may take in all; then it ends with a notice."
    )
    llm_max_tokens: int = Field(400, ge=16, description="Most tokens the model may write per answer.")
    llm_structured: bool = Field(
        True,
        description="Ask for a JSON answer (sentences with source numbers); text if the server refuses.",
    )
    llm_source_ratio: float = Field(
        0.0, ge=0, le=1, description="Give the LLM only sources scoring at least this share of the best one."
    )

    local_model: str = Field(
        "", description="A GGUF file for `answerer=local`; empty: the packaged Qwen2.5-Coder-1.5B model."
    )
    local_threads: int = Field(2, ge=1, description="CPU threads of the local model's server.")
    local_context: int = Field(4096, ge=512, description="Context window (tokens) of the local model.")
    local_sources: int = Field(
        6, ge=1, description="Sentences the local model is given (each costs prompt time on a CPU)."
    )
    local_source_ratio: float = Field(
        0.3,
        ge=0,
        le=1,
        description="The local model's `llm_source_ratio`: fewer sources when one stands out.",
    )

    top_k: int = Field(5, description="Source sentences returned with each answer.")
    max_citations: int = Field(3, description="Most sentences the extractive answer quotes.")
    abstain_below: float | None = Field(
        None,
        description=(
            "Extractive: abstain when the abstention model's probability that the sources answer the "
            "question is lower, in both languages. Unset: the thresholds trained with the model, one "
            "for German and one for English questions (qa/retrieval/weights/<model>/abstention.json)."
        ),
    )
    max_file_bytes: int = Field(20_000_000, description="Larger files are rejected at ingest.")
    max_question_chars: int = 2000
    embed_batch_sentences: int = Field(
        0, description="Sentences embedded and committed per batch at ingest (0: the store's default)."
    )

    language: str = Field(
        "", description="'de' or 'en': the CLI's language. Empty: the locale's (LC_ALL, LC_MESSAGES, LANG)."
    )
    fetch_user_agent: str = Field(
        f"newsqa/{_VERSION} (news question answering; fetches only the pages and feeds its user names)",
        description="The User-Agent of every request for a page or feed.",
    )
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds one page or feed may take, in all.")
    fetch_max_bytes: int = Field(10_000_000, gt=0, description="Larger pages and feeds are refused.")
    fetch_concurrency: int = Field(4, ge=1, description="Pages fetched at once (a feed's items).")
    fetch_max_redirects: int = Field(5, ge=0, description="Redirects followed before a URL is given up.")
    fetch_allow_private: bool = Field(
        False, description="Fetch from loopback, private and link-local addresses too (an intranet, tests)."
    )

    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = Field("", description="'user:password' pairs, comma separated, to require a login.")

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def active_answerer(self) -> Literal["extractive", "llm", "local"]:
        """``auto`` picks the LLM when a key or base URL is configured, else the offline default."""
        if self.answerer == "auto":
            return "llm" if self.llm_configured else "extractive"
        return self.answerer
