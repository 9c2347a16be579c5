"""The database engines keep personal data out of error messages, and SQLite overwrites what
is deleted — our engine and the one Rasa's tracker store makes."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from bot import storage
from bot.adapters.tracker_store import ErasableTrackerStore
from bot.desk.store import AUDIT, CASES, CaseStore, NewCase

PHONE = "+48600123987"
SECRET_TEXT = "Mój szef zabrał mi paszport i grozi mi, numer sprawy ZQXJ-4471-WEGWIJS"


@pytest.fixture
def secure_delete_off_by_default(monkeypatch):
    """A SQLite built without secure delete by default (Debian's has it on, others not)."""
    real = sqlite3.dbapi2.connect

    def connect(*args, **kwargs):
        connection = real(*args, **kwargs)
        connection.execute("PRAGMA secure_delete = OFF")
        return connection

    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect)


def test_an_integrity_error_does_not_show_the_values(database_url):
    engine = storage.engine(database_url)
    case = CaseStore(engine).open_case(NewCase("web-someone", "webchat", "pl", "request", "x"))
    duplicate = {
        "id": case.id,  # already there
        "conversation_id": "web-someone-else",
        "channel": "webchat",
        "language": "pl",
        "reason": "request",
        "status": "waiting",
        "created_at": 0.0,
        "contact": "phone",
        "phone": PHONE,
        "description": SECRET_TEXT,
    }
    with pytest.raises(sa.exc.IntegrityError) as error, engine.begin() as db:
        db.execute(sa.insert(CASES).values(**duplicate))
    assert PHONE not in str(error.value) and "paszport" not in str(error.value)
    assert "hidden" in str(error.value)


def test_a_statement_error_does_not_show_the_values(database_url):
    engine = storage.engine(database_url)
    CaseStore(engine)
    with pytest.raises(sa.exc.StatementError) as error, engine.begin() as db:
        db.execute(
            sa.insert(AUDIT).values(at=0.0, staff=object(), action="note", detail=SECRET_TEXT)
        )
    assert "paszport" not in str(error.value)


def test_sqlite_connections_overwrite_deleted_data(tmp_path, secure_delete_off_by_default):
    path = tmp_path / "wegwijs.db"
    engine = storage.engine(f"sqlite:///{path}")
    with engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    store = CaseStore(engine)
    store.open_case(NewCase("web-keep", "webchat", "pl", "request", "Inna sprawa"))
    gone = store.open_case(NewCase("web-gone", "webchat", "pl", "request", SECRET_TEXT))
    assert SECRET_TEXT.encode() in path.read_bytes()
    with engine.begin() as db:
        db.execute(sa.delete(CASES).where(CASES.c.id == gone.id))
    storage.dispose(f"sqlite:///{path}")
    assert SECRET_TEXT.encode() not in path.read_bytes()
    assert b"Inna sprawa" in path.read_bytes()


def test_the_tracker_stores_engine_is_as_careful(
    tmp_path, monkeypatch, secure_delete_off_by_default
):
    url = f"sqlite:///{tmp_path / 'wegwijs.db'}"
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", url)
    store = ErasableTrackerStore()
    assert store.engine.hide_parameters
    with store.engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    with pytest.raises(sa.exc.IntegrityError) as error, store.engine.begin() as db:
        row = {"id": 1, "sender_id": PHONE, "type_name": "user", "timestamp": 0.0}
        db.execute(sa.insert(storage.EVENTS).values(**row))
        db.execute(sa.insert(storage.EVENTS).values(**row))
    assert PHONE not in str(error.value)
    store.engine.dispose()
