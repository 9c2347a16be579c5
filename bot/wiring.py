"""The one place that builds the shared adapters, on first use (never at import time)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from bot import storage
from bot.content.store import ContentStore
from bot.desk.auth import Authenticator
from bot.desk.ports import Messenger
from bot.desk.signals import Signals, load_signals
from bot.desk.staff import StaffStore
from bot.desk.store import CaseStore
from bot.editors.store import EditorStore
from bot.settings import PROJECT_ROOT, Settings

T = TypeVar("T")
_lock = threading.RLock()  # re-entrant: making one adapter may need another (settings)
_made: dict[str, Any] = {}


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
    """Every intent needs an answer, except those handled without one.

    "More" shows the previous answer's detail; asking for a person starts the handoff form
    (``bot.intents.SYSTEM_INTENTS``).
    """
    from bot.intents import SYSTEM_INTENTS

    return domain_intents(project_root) - SYSTEM_INTENTS


def _once(key: str, make: Callable[[], T]) -> T:
    """The process's one ``key`` adapter, made by ``make`` on first use."""
    if key not in _made:
        with _lock:
            if key not in _made:
                _made[key] = make()
    return cast(T, _made[key])


def content_store() -> ContentStore:
    """The process's content store (``locales/``, ``desk.yml``, reloaded when files change)."""
    from bot.desk.config import read_desk

    return _once(
        "content",
        lambda: ContentStore(PROJECT_ROOT, answer_ids_required(), read_desk=read_desk),
    )


def settings() -> Settings:
    """The process's settings, read from the environment."""
    return _once("settings", Settings.from_env)


def case_store() -> CaseStore:
    """The desk's cases, in the settings' database."""
    return _once("cases", lambda: CaseStore(storage.engine(settings().database_url)))


def editor_store() -> EditorStore:
    """What the editors' view counts and keeps, in the settings' database."""
    return _once("editors", lambda: EditorStore(storage.engine(settings().database_url)))


def staff_store() -> StaffStore:
    """The desk's staff accounts, in the settings' database."""
    return _once("staff", lambda: StaffStore(storage.engine(settings().database_url)))


def authenticator() -> Authenticator:
    """Staff passwords and console sessions, in the settings' database."""
    return _once("auth", lambda: Authenticator(storage.engine(settings().database_url)))


def webchat_key() -> bytes:
    """The key that signs web chat conversation ids (``WEGWIJS_WEBCHAT_KEY``).

    Without the setting, a random key is made once and kept in the data folder
    (``webchat.key``, readable by this user only), so web chats survive a restart.
    """
    return _once("webchat_key", lambda: _key(settings(), "webchat.key"))


def _key(current: Settings, name: str) -> bytes:
    if current.webchat_key:
        return current.webchat_key.encode()
    path = current.data_dir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: of two servers starting at once, one writes and both read the same
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
    for _ in range(50):  # the other process may be writing it this very moment
        text = path.read_text(encoding="ascii").strip()
        if len(text) == 64:
            return text.encode()
        time.sleep(0.02)
    raise RuntimeError(f"{path} is not a key; delete it to make a new one")


def messengers() -> dict[str, Messenger]:
    """The channels' ``Messenger`` for the desk, by channel name.

    Each messenger channel adds its own when Rasa loads it (``blueprint``); the desk reads it.
    """
    return _once("messengers", dict)


def signals() -> Signals:
    """The phrases that show danger or an urgent situation, compiled once."""
    return _once("signals", load_signals)


def now() -> dt.datetime:
    """The current time (UTC); tests replace it to put the desk in or out of its hours."""
    return dt.datetime.now(dt.timezone.utc)
