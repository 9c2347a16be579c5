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
does the work, unchanged. Rasa's lock store still lets one turn of a conversation run at a time.

Rasa makes its own engine; :func:`bot.storage.harden` gives it our safeguards: errors never
show the statement's values (a message text or a phone number), and SQLite overwrites deleted
rows (``PRAGMA secure_delete``), so an erased conversation does not linger in the file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

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
        storage.harden(self.engine)  # the sessionmaker is bound to this same engine

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the turn's new events, or delete the conversation when its user asked."""
        if erase_requested(tracker):
            rows = await asyncio.to_thread(erase_conversation, self.engine, tracker.sender_id)
            conversation = pseudonym(tracker.sender_id)
            logger.info("Conversation %s deleted on request (%d rows)", conversation, rows)
            return
        await self._off_the_loop(SQLTrackerStore.save(self, tracker))

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's reading of a conversation's events, in a worker thread."""
        return await self._off_the_loop(
            SQLTrackerStore._retrieve(self, sender_id, fetch_events_from_all_sessions)
        )

    async def _off_the_loop(self, work: Coroutine[Any, Any, T]) -> T:
        """Run Rasa's database work (it awaits nothing else) on a loop of a worker thread.

        With an event broker (none is configured), Rasa's saving also sends the new events to
        it from the server's own loop, so then it stays there.
        """
        if self.event_broker is not None:
            return await work
        return await asyncio.to_thread(asyncio.run, work)
