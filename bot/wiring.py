"""The one place that builds the shared adapters, on first use (never at import time)."""

from __future__ import annotations

import threading
from pathlib import Path

import yaml

from bot.content.store import ContentStore
from bot.settings import PROJECT_ROOT, Settings

_lock = threading.Lock()
_content_store: ContentStore | None = None
_settings: Settings | None = None


def domain_intents(project_root: Path = PROJECT_ROOT) -> set[str]:
    """The intents declared in ``domain.yml`` (or the files of ``domain/``)."""
    files = [project_root / "domain.yml"] if (project_root / "domain.yml").exists() else []
    files += sorted((project_root / "domain").glob("*.yml"))
    intents: set[str] = set()
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents", []):
            intents.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return intents


def answer_ids_required(project_root: Path = PROJECT_ROOT) -> set[str]:
    """Every intent needs an answer, except those handled without one."""
    return domain_intents(project_root) - {"show_more"}


def content_store() -> ContentStore:
    """The process's content store, created on first use."""
    global _content_store
    if _content_store is None:
        with _lock:
            if _content_store is None:
                _content_store = ContentStore(PROJECT_ROOT, answer_ids_required())
    return _content_store


def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        with _lock:
            if _settings is None:
                _settings = Settings.from_env()
    return _settings
