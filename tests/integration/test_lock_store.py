"""The Redis lock store lets one message of a conversation through at a time, whichever of
several servers takes it. Runs when TEST_REDIS_URL is set (.ci/run sets it)."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid

import pytest

from bot.adapters.lock_store import RedisUrlLockStore

REDIS = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL is not set (CI sets it)")

SERVERS = 4
MESSAGES_PER_SERVER = 5
WAIT_AT_MOST = 20  # seconds; a lost ticket would hold the others until it expires (60 s)


@pytest.fixture
def stores(monkeypatch: pytest.MonkeyPatch) -> list[RedisUrlLockStore]:
    monkeypatch.setenv("WEGWIJS_REDIS_URL", REDIS or "")
    return [RedisUrlLockStore() for _ in range(SERVERS)]  # one connection each, as on servers


def test_messages_of_one_conversation_on_several_servers_are_handled_one_at_a_time(
    stores: list[RedisUrlLockStore],
):
    conversation = "web-" + uuid.uuid4().hex
    inside: list[int] = []
    most_at_once = 0
    handled = 0
    errors: list[BaseException] = []
    guard = threading.Lock()
    start = threading.Barrier(SERVERS)

    async def handle(store: RedisUrlLockStore) -> None:
        nonlocal most_at_once, handled
        async with store.lock(conversation, wait_time_in_seconds=0.005):
            with guard:
                inside.append(1)
                most_at_once = max(most_at_once, len(inside))
            await asyncio.sleep(0.01)  # the time a turn takes
            with guard:
                inside.pop()
                handled += 1

    def server(store: RedisUrlLockStore) -> None:
        async def messages() -> None:
            start.wait()
            results = await asyncio.gather(
                *(
                    asyncio.wait_for(handle(store), WAIT_AT_MOST)
                    for _ in range(MESSAGES_PER_SERVER)
                ),
                return_exceptions=True,
            )
            errors.extend(r for r in results if isinstance(r, BaseException))

        asyncio.run(messages())

    threads = [threading.Thread(target=server, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []  # no message refused or stuck behind a lost ticket
    assert handled == SERVERS * MESSAGES_PER_SERVER
    assert most_at_once == 1
    assert stores[0].get_lock(conversation) is None  # nothing left behind in Redis
