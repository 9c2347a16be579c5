"""When the action server is down, users are told to try again in their language, not left
waiting; the failure is in the logs."""

from __future__ import annotations

import os
import signal
import uuid

from bot.run import stop
from tests.integration.conftest import start
from tests.integration.replies import reply_answer


def test_without_the_action_server_the_user_is_told_to_try_again(trained_model, tmp_path, content):
    assistant = start(trained_model, tmp_path)
    try:
        user = "web-" + uuid.uuid4().hex
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
