"""When the action server is down or hangs, users are told to try again in their language, not
left waiting; the failure is in the logs."""

from __future__ import annotations

import os
import signal
import socket
import time

from bot.tools.processes import stop
from tests.integration.conftest import start
from tests.integration.replies import reply_answer


def test_without_the_action_server_the_user_is_told_to_try_again(trained_model, tmp_path, content):
    assistant = start(trained_model, tmp_path)
    try:
        user = assistant.new_user()
        [first] = assistant.say(user, "de unde iau numarul bsn")
        assert reply_answer(content, "ro", first["text"]) == "bsn"
        actions = assistant.processes["actions"]
        os.killpg(actions.pid, signal.SIGTERM)
        actions.wait(timeout=30)

        [reply] = assistant.say(user, "si cum fac digid?")
        assert reply["text"] == content.catalogs["ro"].ui["unavailable"]
        logs = assistant.logs()
        assert "action_answer" in logs and "notice sent" in logs
    finally:
        stop(assistant.processes)


def test_a_hanging_action_server_gets_the_same_notice_after_the_deadline(
    trained_model, tmp_path, content, monkeypatch
):
    # Above a cold first turn on a slow host (over 3 s on 2026-12-03's CI host: that turn got
    # the notice, so the conversation had no language yet), far below Rasa's 5 minutes.
    monkeypatch.setenv("WEGWIJS_REPLY_DEADLINE", "10")
    assistant = start(trained_model, tmp_path)
    hole = socket.socket()
    try:
        user = assistant.new_user()
        [first] = assistant.say(user, "waar kan ik een bsn nummer krijgen")
        assert first["text"] != content.catalogs["nl"].ui["unavailable"], "the first turn is slow"
        actions = assistant.processes["actions"]
        os.killpg(actions.pid, signal.SIGTERM)
        actions.wait(timeout=30)
        # in its place, a server that takes the connection and never answers
        hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hole.bind(("127.0.0.1", assistant.settings.actions_port))
        hole.listen(16)

        started = time.monotonic()
        [reply] = assistant.say(user, "en hoe krijg ik digid?")
        assert reply["text"] == content.catalogs["nl"].ui["unavailable"]
        assert time.monotonic() - started < 30  # told after the deadline, not Rasa's 5 minutes
        assert "took longer than 10 s" in assistant.logs()
    finally:
        hole.close()
        stop(assistant.processes)
