"""Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the server that
``TEST_DATABASE_URL`` names (e.g. ``postgresql://postgres@127.0.0.1:5432/test``; CI sets it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

KINDS = ("sqlite", "postgresql")


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind``, dropped afterwards (skips without a server)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'wegwijs.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL tests run in CI)")
    name = f"wegwijs_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as db:
        db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from bot import storage

        storage.dispose(url)
        with admin.connect() as db:
            db.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
