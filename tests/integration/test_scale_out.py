"""Two Rasa servers, one PostgreSQL and one Redis: the messages of the same conversations
reach both at the same time, and every conversation stays whole and in order.

Runs when TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL are set; .ci/run sets both when
the servers answer on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

import pytest

from bot.tools.processes import stop
from tests.databases import fresh_database
from tests.integration.conftest import start

REDIS = os.environ.get("TEST_REDIS_URL")
KEY = secrets.token_hex(32)
pytestmark = pytest.mark.skipif(
    not (REDIS and os.environ.get("TEST_DATABASE_URL")),
    reason="TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)",
)
QUESTIONS = [
    ("gdzie moge dostac numer bsn", "jak zalozyc digid"),
    ("de unde iau numarul bsn", "cum imi fac digid"),
    ("kak da si izvadya bsn nomer", "kak da si napravya digid"),
    ("waar kan ik een bsn krijgen", "hoe vraag ik digid aan"),
    ("how do i get a bsn number", "how do i get digid"),
    ("ile wynosi eigen risico", "jak zmienic adres"),
]


def test_two_servers_keep_every_conversation_whole_and_in_order(
    trained_model: Path, tmp_path: Path
):
    with fresh_database("postgresql", tmp_path) as url:
        servers = []
        try:
            for name in ("a", "b"):
                (tmp_path / name).mkdir()
                servers.append(
                    start(
                        trained_model,
                        tmp_path / name,
                        database_url=url,
                        redis_url=REDIS,
                        webchat_key=KEY,  # one address, one key: a chat may reach either server
                    )
                )
            users = [servers[0].new_user() for _ in QUESTIONS]
            servers[1].keys.update(servers[0].keys)
            replies: dict[tuple[str, int], int] = {}
            barrier = threading.Barrier(len(users) * 2)

            def send(user: str, index: int, text: str) -> None:
                barrier.wait()  # all at once: both messages of a user reach both servers
                replies[(user, index)] = len(servers[index % 2].say(user, text))

            for round_ in range(2):  # two rounds of two simultaneous messages per user
                threads = [
                    threading.Thread(target=send, args=(user, 2 * round_ + i, pair[i]))
                    for user, pair in zip(users, QUESTIONS, strict=True)
                    for i in (0, 1)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                barrier.reset()

            assert all(count >= 1 for count in replies.values())  # every message answered
            for user in users:
                _, tracker, _ = servers[0].api(f"/conversations/{user}/tracker")
                turns = [e["event"] for e in tracker["events"] if e["event"] in {"user", "bot"}]
                assert turns.count("user") == 4, user  # none lost
                assert "user,user" not in ",".join(turns), user  # no turn cut into another
        finally:
            for server in servers:
                stop(server.processes)
