"""Rasa's SQL tracker store on our database, which deletes a conversation when its user asks.

Set in ``endpoints.yml`` as the ``tracker_store``'s ``type``. It reads the database URL from
the settings (``WEGWIJS_DATABASE_URL``, default SQLite in the data folder), so no password is
ever written into a Rasa file.

What it needs from the domain: the slot ``erase_conversation`` (bool, custom mapping), which
the answer action sets when the user has confirmed "delete my data". The reply saying so is
sent before the tracker is saved; instead of saving, this store then deletes every row of the
conversation (``bot.privacy.erasure``), so nothing of it is left — not even its id.

Rasa's SQL tracker store talks to the database on the server's event loop: while one
conversation's events are read or written (an SQLite commit waits for the disk), no other
conversation moves. Here reading and saving run in a worker thread (issue 18); Rasa's own code
does the work. Rasa's lock store still lets one turn of a conversation run at a time.

Three more savings per message (issue 18; ``make bench``, 2026-12-03):

- Before saving, Rasa counts the conversation's stored events to know which are new (a query
  per message, 0.85 ms of CPU). A tracker read or saved here carries how many of its events
  are in the database (``STORED``); only those after them are written. A tracker that does
  not know it (made elsewhere) is saved Rasa's way.
- Rasa's coroutines await nothing without an event broker; each ran on a new event loop in its
  worker thread (``asyncio.run``), now to its end directly (``_complete``).
- SQLAlchemy 1.4 opens and closes an SQLite connection for every session (``NullPool``), each
  with our ``secure_delete`` setting; here SQLite connections are pooled like PostgreSQL's.

Rasa makes its own engine; :func:`bot.storage.harden` gives it our safeguards: errors never
show the statement's values (a message text or a phone number), and SQLite overwrites deleted
rows (``PRAGMA secure_delete``), so an erased conversation does not linger in the file.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot import storage
from bot.privacy.erasure import ERASE_SLOT, erase_conversation
from bot.privacy.logs import pseudonym
from bot.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

# On a tracker this store read or saved: how many of its events, from the first, are stored.
STORED = "wegwijs_events_stored"


def erase_requested(tracker: DialogueStateTracker) -> bool:
    """True when the conversation's latest turn asked for it to be deleted."""
    return any(
        isinstance(event, SlotSet) and event.key == ERASE_SLOT and event.value is True
        for event in tracker.events
    )


class ErasableTrackerStore(SQLTrackerStore):
    """SQL tracker store on ``WEGWIJS_DATABASE_URL`` that erases conversations on request."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        url = Settings.from_env().database_url
        kwargs.pop("host", None)  # the URL comes from the settings, never from endpoints.yml
        super().__init__(
            domain=domain,
            dialect=url.split(":", 1)[0].split("+", 1)[0],
            host=url,
            event_broker=event_broker,
            **kwargs,
        )
        rasas: sa.engine.Engine = self.engine  # type: ignore[has-type]
        if rasas.dialect.name == "sqlite":  # a pool, as for PostgreSQL (see above)
            rasas.dispose()
            self.engine = sa.create_engine(
                rasas.url,
                poolclass=sa.pool.QueuePool,
                connect_args={"check_same_thread": False},  # one thread at a time, by the pool
            )
            self.sessionmaker.configure(bind=self.engine)
        storage.harden(self.engine)  # the sessionmaker is bound to this same engine

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the turn's new events, or delete the conversation when its user asked."""
        if erase_requested(tracker):
            rows = await asyncio.to_thread(erase_conversation, self.engine, tracker.sender_id)
            conversation = pseudonym(tracker.sender_id)
            logger.info("Conversation %s deleted on request (%d rows)", conversation, rows)
            return
        await self._off_the_loop(SQLTrackerStore.save(self, tracker))
        setattr(tracker, STORED, len(tracker.events))

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's reading of a conversation's events, in a worker thread."""
        tracker = await self._off_the_loop(
            SQLTrackerStore._retrieve(self, sender_id, fetch_events_from_all_sessions)
        )
        if tracker is not None:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        """The tracker's events not in the database yet (Rasa counts the stored ones)."""
        stored = getattr(tracker, STORED, None)
        if stored is None or stored > len(tracker.events):
            return iter(SQLTrackerStore._additional_events(self, session, tracker))
        return itertools.islice(tracker.events, stored, None)

    async def _off_the_loop(self, work: Coroutine[Any, Any, T]) -> T:
        """Run Rasa's database work (it awaits nothing else) in a worker thread.

        With an event broker (none is configured), Rasa's saving also sends the new events to
        it from the server's own loop, so then it stays there.
        """
        if self.event_broker is not None:
            return await work
        return await asyncio.to_thread(_complete, work)


def _complete(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that awaits nothing (Rasa's database work) to its end, in this thread."""
    try:
        work.send(None)
    except StopIteration as done:
        return done.value
    work.close()
    raise RuntimeError("The tracker store's work awaited something: it needs an event loop")
