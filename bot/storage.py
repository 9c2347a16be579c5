"""The database: one SQLAlchemy engine per URL and process (SQLite by default, PostgreSQL).

Rasa's SQL tracker store keeps the conversations in the table ``events``; our own tables live
beside it in the same database, so that deleting or purging a conversation is one transaction
per table in one place (``bot/privacy/``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

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
                _engines[url] = sa.create_engine(
                    url, future=True, connect_args={"check_same_thread": False, "timeout": 30}
                )
            else:
                _engines[url] = sa.create_engine(url, pool_pre_ping=True, future=True)
        return _engines[url]


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
