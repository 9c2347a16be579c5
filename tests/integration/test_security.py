"""A conversation belongs to its user: nobody reads, writes into or stalls it from outside.

Each test is one way an outsider tried it on a running assistant (issue 14): other channels'
ids on the web chat, Rasa's REST channel, the HTTP API without its token, huge messages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.tools.processes import stop
from tests.integration.conftest import Assistant, start
from tests.integration.replies import reply_answer

FOREIGN = ["wa-31612345678", "tg-123456789", "31612345678", "web-" + "0" * 31]
API = [  # Rasa's HTTP API: transcripts, rewriting a conversation, the model
    ("GET", "/conversations/web-1/tracker"),
    ("POST", "/model/parse"),
    ("PUT", "/conversations/web-1/tracker/events"),
    ("DELETE", "/model"),
]


@pytest.mark.parametrize("sender", FOREIGN)
def test_the_web_chat_refuses_other_channels_conversations(assistant: Assistant, sender: str):
    key = {"X-Webchat-Key": "0" * 64}
    status, reply, _ = assistant.get_with(f"/webhooks/webchat/updates?sender={sender}&after=0", key)
    assert status == 400 and "messages" not in reply
    body = {"sender": sender, "message": "/forget"}
    status, reply, _ = assistant.post("/webhooks/webchat/webhook", body, key)
    assert status == 400 and reply["error"] == "bad_sender"
    assert assistant.rows_about(sender) == 0  # nothing was written into that conversation


def test_a_web_chat_is_read_and_written_only_with_its_key(assistant: Assistant, content):
    owner = assistant.new_user()
    assistant.say(owner, "gdzie moge dostac numer bsn")
    other = assistant.new_user()  # a real key, of another conversation
    for headers in ({}, {"X-Webchat-Key": assistant.keys[other]}):
        status, reply, _ = assistant.get_with(
            f"/webhooks/webchat/updates?sender={owner}&after=0", headers
        )
        assert status == 403 and "messages" not in reply
        body = {"sender": owner, "message": "/affirm"}
        status, reply, _ = assistant.post("/webhooks/webchat/webhook", body, headers)
        assert status == 403 and reply["error"] == "not_yours"
    _, tracker, _ = assistant.api(f"/conversations/{owner}/tracker")
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said == ["gdzie moge dostac numer bsn"]  # only what the owner wrote
    [reply] = assistant.say(owner, "jak zalozyc digid")  # the owner goes on as before
    assert reply_answer(content, "pl", reply["text"]) == "digid"


def test_rasas_rest_channel_is_off_by_default(assistant: Assistant):
    body = {"sender": "tg-123456789", "message": "/forget", "input_channel": "telegram"}
    status, _, _ = assistant.post("/webhooks/rest/webhook", body)
    assert status == 404
    assert assistant.rows_about("tg-123456789") == 0


@pytest.mark.parametrize(("method", "path"), API)
def test_with_a_token_set_the_api_refuses_requests_without_it(
    assistant: Assistant, method: str, path: str
):
    for query in ("", "?token=", "?token=wrong-token-of-the-same-length-x"):
        status = _request(assistant, method, path + query)
        assert status in {401, 403}, (path, query)  # also here, on 127.0.0.1


@pytest.fixture(scope="module")
def open_rest(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """An assistant with the REST channel on and no RASA_AUTH_TOKEN (so no HTTP API)."""
    running = start(
        trained_model, tmp_path_factory.mktemp("rest-on"), auth_token="", rest_channel=True
    )
    yield running
    stop(running.processes)


@pytest.mark.parametrize(("method", "path"), [*API, ("GET", "/status")])
def test_without_a_token_there_is_no_http_api(open_rest: Assistant, method: str, path: str):
    assert _request(open_rest, method, path) == 404
    assert _request(open_rest, method, path + "?token=anything") == 404


def test_an_enabled_rest_channel_serves_only_its_own_conversations(open_rest: Assistant, content):
    for sender in ("tg-123456789", "wa-31612345678", "web-" + "0" * 32):
        body = {"sender": sender, "message": "/forget", "input_channel": "telegram"}
        status, reply, _ = open_rest.post("/webhooks/rest/webhook", body)
        assert status == 400 and reply["error"] == "bad_sender"
        assert open_rest.rows_about(sender) == 0
    body = {"sender": "rest-my-tool", "message": "how do i get a bsn number"}
    status, reply, _ = open_rest.post(
        "/webhooks/rest/webhook", {**body, "input_channel": "telegram"}
    )
    assert status == 200 and reply_answer(content, "en", reply[0]["text"]) == "bsn"
    status, reply, _ = open_rest.post("/webhooks/rest/webhook", {**body, "message": "a" * 20_001})
    assert status == 413


def test_huge_messages_are_refused_and_do_not_stall_other_users(open_rest: Assistant, content):
    """A 200,000-character message on every route, while another user asks a question."""
    routes = [
        "/webhooks/webchat/webhook",
        "/webhooks/rest/webhook",
        "/webhooks/desk/api/login",
        "/webhooks/telegram/webhook",
        "/webhooks/whatsapp/webhook",
    ]
    huge = "owe " * 50_000
    refused: dict[str, int] = {}

    def send_huge() -> None:
        for route in routes:  # refused before it is read (the channels that are off: 404)
            refused[route] = open_rest.post(route, {"sender": "rest-x", "message": huge})[0]

    user = open_rest.new_user()
    open_rest.say(user, "hello")
    outsider = threading.Thread(target=send_huge)
    outsider.start()
    started = time.monotonic()
    [reply] = open_rest.say(user, "how do i get digid")
    waited = time.monotonic() - started
    outsider.join()
    assert set(refused.values()) <= {404, 413} and refused["/webhooks/rest/webhook"] == 413
    assert reply_answer(content, "en", reply["text"]) == "digid"
    assert waited < 2.0, f"a normal question waited {waited:.1f} s beside huge messages"


def test_a_long_message_is_read_in_part_while_others_are_answered(open_rest: Assistant, content):
    """20,000 characters pass the channel; 2,000 are read, and other users go on meanwhile."""
    user = open_rest.new_user()
    long_reply: list[object] = []
    body = {"sender": "rest-long", "message": "owe my agency money " * 1000}
    long_one = threading.Thread(
        target=lambda: long_reply.append(open_rest.post("/webhooks/rest/webhook", body))
    )
    long_one.start()
    [reply] = open_rest.say(user, "how do i get digid")
    long_one.join()
    assert reply_answer(content, "en", reply["text"]) == "digid"
    status, messages, _ = long_reply[0]  # type: ignore[misc]
    assert status == 200
    assert messages[0]["text"] == content.catalogs["en"].ui["long_message"]


def _request(assistant: Assistant, method: str, path: str) -> int:
    import urllib.error
    import urllib.request

    data = b"{}" if method in {"POST", "PUT"} else None
    request = urllib.request.Request(assistant.base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
