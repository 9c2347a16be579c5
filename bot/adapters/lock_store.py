"""A Redis lock store on ``WEGWIJS_REDIS_URL``, for several Rasa servers side by side.

One Rasa server keeps its conversation locks in memory. With two or more servers behind one
address (issue 9's scale-out), the messages of one conversation may reach different servers
at the same time; the Redis lock store makes them wait for each other, so a conversation's
turns stay whole and in order. ``make run`` enables it when ``WEGWIJS_REDIS_URL`` is set; the
URL (with any password) stays in the environment, never in a Rasa file.

Rasa's own ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and
writes it back in separate steps. Two servers taking a ticket at the same moment then both
get the same number and process their messages at once (the tracker store keeps only one of
them), and a server finishing may delete the lock just after another took a ticket on it.
Here every change is one Redis transaction (``WATCH``/``MULTI``): a change based on a lock
that another server changed meanwhile is thrown away and made again on the new lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.settings import Settings

KEY_PREFIX = "wegwijs"


class RedisUrlLockStore(RedisLockStore):
    """Rasa's ticket locks in Redis, configured from one URL, changed atomically."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        url = urlparse(Settings.from_env().redis_url or "redis://127.0.0.1:6379/0")
        super().__init__(
            host=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=int(url.path.lstrip("/") or 0),
            password=url.password,
            use_ssl=url.scheme == "rediss",
            key_prefix=KEY_PREFIX,
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Take the next ticket of the conversation's lock, creating the lock if needed."""

        def take(lock: TicketLock) -> int:
            return lock.issue_ticket(lock_lifetime)

        try:
            ticket = self._change(conversation_id, take, create=True)
        except Exception as error:  # Rasa's callers expect a LockError, as from its stores
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        if ticket is None:  # cannot happen: with create=True the change always runs
            raise LockError(f"No ticket issued for conversation '{conversation_id}'.")
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets of the conversation's lock."""
        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back (the lock is deleted in the same step if no one waits)."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; ``finish_serving`` already deletes an unused lock."""
        self.finish_serving(conversation_id, ticket_number)

    def _change(
        self, conversation_id: str, change: Callable[[TicketLock], int | None], create: bool = False
    ) -> int | None:
        """Apply ``change`` to the stored lock in one transaction, retried on a conflict.

        The lock is saved after the change while someone still holds or waits for a ticket,
        and deleted when no one does. Without a stored lock nothing happens unless ``create``.
        """
        key = self.key_prefix + conversation_id
        outcome: list[int | None] = []

        def transaction(pipe) -> None:  # type: ignore[no-untyped-def]
            outcome.clear()
            stored = pipe.get(key)
            if stored is None and not create:
                return
            lock = (
                TicketLock.from_dict(json.loads(stored))
                if stored
                else self.create_lock(conversation_id)
            )
            outcome.append(change(lock))
            pipe.multi()
            if lock.is_someone_waiting():
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return outcome[0] if outcome else None
