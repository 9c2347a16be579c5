"""The 24-hour customer-service window: when each user last wrote (in the database).

The calls are blocking SQL: async code runs them in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa

from bot import storage

WINDOW_SECONDS = 24 * 3600

WINDOW_TABLE = sa.Table(
    "whatsapp_last_inbound",
    sa.MetaData(),
    sa.Column("conversation_id", sa.String(64), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)


class ServiceWindow:
    """When each conversation's user last wrote (in the database; survives restarts)."""

    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._table = WINDOW_TABLE
        storage.create_tables(self._table.metadata, self._engine)
        self.clock = clock

    def user_wrote(self, conversation_id: str, at: float) -> None:
        """Remember the time of the user's latest message (never moves back)."""
        with self._engine.begin() as db:
            last = self._last(db, conversation_id)
            if last is None:
                db.execute(sa.insert(self._table).values(conversation_id=conversation_id, at=at))
            elif at > last:
                db.execute(
                    sa.update(self._table)
                    .where(self._table.c.conversation_id == conversation_id)
                    .values(at=at)
                )

    def is_open(self, conversation_id: str) -> bool:
        """True while a free-form message may be sent (24 hours after the user's last one)."""
        with self._engine.connect() as db:
            last = self._last(db, conversation_id)
        return last is not None and self.clock() - last < WINDOW_SECONDS

    def _last(self, db: sa.engine.Connection, conversation_id: str) -> float | None:
        row = db.execute(
            sa.select(self._table.c.at).where(self._table.c.conversation_id == conversation_id)
        ).first()
        return None if row is None else float(row.at)
