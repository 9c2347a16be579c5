"""Shared fixtures. No test reaches the internet: connections leave only to loopback.

Markers are applied here, from what a test uses: ``model`` for every test that needs the
trained model (the ``trained_model`` fixture, directly or through another fixture such as
``assistant``), ``browser`` for every test that drives chromium. ``make unit`` runs
``pytest -m "not model and not browser" tests/unit``: it never trains.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.i18n.languages import SUPPORTED_LANGUAGES
from tests.databases import KINDS, fresh_database

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = SUPPORTED_LANGUAGES

# A test that uses one of these fixtures (directly or through other fixtures) gets the marker.
MARKED_BY_FIXTURE = {"trained_model": "model", "browser": "browser"}

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            allowed = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = False
        if not allowed:
            raise OSError(f"tests may not connect to {host}: only 127.0.0.1 is allowed")
    return _real_connect(self, address)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by the fixtures it needs: its fixture closure, autouse ones included."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marker in MARKED_BY_FIXTURE.items():
            if fixture in used:
                item.add_marker(marker)


@pytest.fixture(autouse=True, scope="session")
def no_internet() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def editors_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The editors' figures of actions run in a test go to the test's own SQLite file."""
    from bot import storage, wiring
    from bot.editors.store import EditorStore

    url = f"sqlite:///{tmp_path / 'editors.db'}"
    store = EditorStore(storage.engine(url))
    monkeypatch.setitem(wiring._made, "editors", store)
    yield store
    storage.dispose(url)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the content files (locales/, desk.yml, domain.yml) that a test may break."""
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copy(ROOT / "desk.yml", tmp_path / "desk.yml")
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


@pytest.fixture(params=KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite, and PostgreSQL when ``TEST_DATABASE_URL`` is set."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def content() -> Any:
    """The real content of locales/, loaded once."""
    from bot.content.loader import load_content
    from bot.desk.config import read_desk
    from bot.wiring import answer_ids_required

    result = load_content(ROOT, answer_ids_required(ROOT), read_desk=read_desk)
    assert result.content is not None, "\n".join(map(str, result.errors))
    return result.content


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training inputs: trained once, cached by content hash."""
    from bot.settings import Settings
    from bot.tools.training import ensure_model

    return ensure_model(Settings.from_env().models_dir)
