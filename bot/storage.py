"""The database: one SQLAlchemy engine per URL and process (SQLite by default, PostgreSQL).

Rasa's SQL tracker store keeps the conversations in the table ``events``; our own tables live
beside it in the same database, so that deleting or purging a conversation is one transaction
per table in one place (``bot/privacy/``).

Every engine — ours and the tracker store's (:func:`harden`) — is made so that personal data
does not leak by the way:

- ``hide_parameters``: an error (and SQL echo) never shows the statement's values, so a failed
  INSERT does not write a phone number or a message into the logs. (PostgreSQL itself may
  still name a conflicting key in its own error text, e.g. ``Key (id)=(7) already exists``.)
- SQLite: ``PRAGMA secure_delete = ON`` on every connection, so deleted rows are overwritten
  with zeros instead of lingering in the file's free pages (some builds of SQLite have it on
  by default, others not).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

_lock = threading.Lock()
_engines: dict[str, sa.engine.Engine] = {}

# Rasa's table of conversation events (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), as
# far as we read or delete it; declared here so that commands need not import Rasa.
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
)


def engine(url: str) -> sa.engine.Engine:
    """The process's engine for ``url``, created on first use (SQLite's folder too)."""
    with _lock:
        if url not in _engines:
            parsed = sa.engine.make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                made = sa.create_engine(
                    url,
                    future=True,
                    hide_parameters=True,
                    connect_args={"check_same_thread": False, "timeout": 30},
                )
            else:
                made = sa.create_engine(url, pool_pre_ping=True, future=True, hide_parameters=True)
            _engines[url] = harden(made)
        return _engines[url]


def harden(made: sa.engine.Engine) -> sa.engine.Engine:
    """Make an engine made elsewhere (Rasa's tracker store) as careful as ours; returns it.

    Hides statement values in errors and, for SQLite, turns ``secure_delete`` on for every new
    connection; connections already in its pool are closed, so every later one has it.
    """
    made.hide_parameters = True
    if made.dialect.name == "sqlite" and not sa.event.contains(made, "connect", _secure_delete):
        sa.event.listen(made, "connect", _secure_delete)
        made.dispose()
    return made


def _secure_delete(connection: Any, record: Any) -> None:
    """Overwrite deleted content (SQLite; the "connect" event of an engine)."""
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def create_tables(metadata: sa.MetaData, engine: sa.engine.Engine, attempts: int = 5) -> None:
    """Create the tables that are missing; safe when several processes start at once.

    PostgreSQL refuses the second of two simultaneous ``CREATE TABLE`` (a unique violation in
    its catalog); the loser waits a moment and finds the tables there.
    """
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            return
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def dispose(url: str) -> None:
    """Close the engine of ``url`` (tests that drop their database)."""
    with _lock:
        found = _engines.pop(url, None)
    if found is not None:
        found.dispose()


def has_table(db: sa.engine.Connection, name: str) -> bool:
    """True when the table exists (Rasa creates ``events`` when its server first starts)."""
    return bool(sa.inspect(db).has_table(name))
