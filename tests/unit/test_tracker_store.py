"""The tracker store writes each event once, turn after turn, without counting what is stored.

Against SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import storage
from bot.adapters.tracker_store import ErasableTrackerStore, _complete
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(database_url, domain, monkeypatch) -> Iterator[ErasableTrackerStore]:
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", database_url)
    made = ErasableTrackerStore(domain=domain)
    yield made
    made.engine.dispose()


@pytest.fixture
def statements(store) -> list[str]:
    """The SQL statements the store's engine runs (no values: those are hidden)."""
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def turn(tracker: DialogueStateTracker, text: str, at: float) -> None:
    tracker.update(UserUttered(text, {"name": "bsn", "confidence": 0.9}, timestamp=at))
    tracker.update(ActionExecuted("action_answer", timestamp=at))
    tracker.update(BotUttered(f"answer to {text}", timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))


def stored_rows(url: str, sender: str) -> int:
    with storage.engine(url).connect() as db:
        query = sa.select(sa.func.count()).select_from(storage.EVENTS)
        return int(db.execute(query.where(storage.EVENTS.c.sender_id == sender)).scalar_one())


async def test_each_event_is_written_once_turn_after_turn(store, domain, database_url):
    sender, now = "tg-4242", time.time()
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
    await store.save(tracker)
    for number in range(4):
        tracker = await store.retrieve(sender)
        assert tracker is not None
        turn(tracker, f"vraag {number}", now + number)
        await store.save(tracker)

    again = await store.retrieve(sender)
    assert again is not None and len(again.events) == 1 + 4 * 4
    assert stored_rows(database_url, sender) == 1 + 4 * 4
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        f"vraag {n}" for n in range(4)
    ]


async def test_a_turn_is_saved_without_counting_the_stored_events(store, statements):
    sender = "tg-4343"
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    turn(tracker, "waar krijg ik een bsn", time.time())
    statements.clear()

    await store.save(tracker)

    assert not [s for s in statements if "count(" in s.lower()], statements
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) >= 1


async def test_a_tracker_made_elsewhere_is_saved_rasas_way(store, domain, database_url, statements):
    """Without knowing what is stored, the store counts it, and still writes nothing twice."""
    sender, now = "tg-4444", time.time()
    first = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
    turn(first, "hallo", now)
    await store.save(first)
    elsewhere = DialogueStateTracker.from_events(sender, list(first.events), slots=domain.slots)
    turn(elsewhere, "en digid?", now + 1)
    statements.clear()

    await store.save(elsewhere)

    assert [s for s in statements if "count(" in s.lower()]
    assert stored_rows(database_url, sender) == 1 + 2 * 4


async def test_a_new_session_and_a_pause_are_stored_once(store, database_url):
    """A session that expires mid-conversation: its new events follow the old ones."""
    sender, now = "tg-4545", time.time()
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
    turn(tracker, "ik wil een mens", now)
    tracker.update(ConversationPaused(timestamp=now))
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    tracker.update(ActionExecuted("action_session_start", timestamp=now + 3600))
    tracker.update(SessionStarted(timestamp=now + 3600))
    tracker.update(ConversationPaused(timestamp=now + 3600))
    turn(tracker, "hallo?", now + 3601)
    await store.save(tracker)

    full = await store.retrieve_full_tracker(sender)
    assert full is not None and len(full.events) == stored_rows(database_url, sender)
    assert len(full.events) == 1 + 4 + 1 + 3 + 4
    latest = await store.retrieve(sender)
    assert latest is not None and latest.is_paused()


def test_sqlite_connections_are_pooled_and_keep_secure_delete(store, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    with store.engine.connect() as db:
        first = db.connection.dbapi_connection
        assert db.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    with store.engine.connect() as db:
        assert db.connection.dbapi_connection is first


def test_work_that_awaits_something_is_refused_not_half_done():
    async def waits() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="needs an event loop"):
        _complete(waits())
