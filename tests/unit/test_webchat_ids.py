"""Web chat conversations belong to whoever holds their key; other channels' ids are refused."""

from __future__ import annotations

import pytest
from sanic.response import HTTPResponse

from bot.channels.rest import REST_ID
from bot.channels.webchat import WEB_ID, new_conversation, owns, parse_request

KEY = b"k" * 32


def test_a_new_conversation_has_a_random_web_id_and_a_key_that_proves_it():
    first, second = new_conversation(KEY), new_conversation(KEY)
    assert WEB_ID.fullmatch(first["sender"]) and first["sender"] != second["sender"]
    assert owns(KEY, first["sender"], first["key"])
    assert not owns(KEY, first["sender"], second["key"])  # another chat's key
    assert not owns(KEY, first["sender"], None) and not owns(KEY, first["sender"], "")
    assert not owns(b"another server key", first["sender"], first["key"])


@pytest.mark.parametrize(
    "sender",
    [
        "wa-31612345678",  # a WhatsApp user
        "tg-123456789",  # a Telegram user
        "31612345678",  # a bare phone number
        "rest-tool",  # the REST channel's
        "web-" + "0" * 31,
        "web-" + "A" * 32,  # the page and the server write lower-case hex
        "web-" + "0" * 32 + "\n",
    ],
)
def test_the_web_chat_refuses_ids_of_other_channels(sender: str):
    reply = parse_request({"sender": sender, "message": "hello"}, WEB_ID)
    assert isinstance(reply, HTTPResponse) and reply.status == 400


@pytest.mark.parametrize("sender", ["tg-123456789", "wa-31612345678", "web-" + "0" * 32, "rest-"])
def test_the_rest_channel_refuses_ids_of_other_channels(sender: str):
    reply = parse_request({"sender": sender, "message": "hello"}, REST_ID)
    assert isinstance(reply, HTTPResponse) and reply.status == 400


def test_a_channel_reads_only_the_language_hint_from_the_request():
    sender = "rest-my-tool"
    body = {
        "sender": sender,
        "message": "owe " * 5000,
        "input_channel": "telegram",
        "metadata": {"language_hint": "pl-PL", "command": "start", "trimmed": False},
    }
    parsed = parse_request(body, REST_ID)
    assert not isinstance(parsed, HTTPResponse)
    assert parsed[2] == {"language_hint": "pl-PL"}  # no command, no channel of the caller's


async def test_every_channel_hands_rasa_at_most_2000_characters_and_says_so():
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.channels.silence import take_turn

    handed: list[UserMessage] = []

    async def rasa(message: UserMessage) -> None:
        handed.append(message)
        await message.output_channel.send_text_message(message.sender_id, "an answer")

    output = CollectingOutputChannel()
    message = UserMessage("owe " * 5000, output, "rest-x", metadata={"language_hint": "en"})
    sent: list[str] = []

    async def notice(text: str) -> None:
        sent.append(text)

    await take_turn(None, rasa, message, lambda: bool(output.messages), notice)
    assert len(handed[0].text) <= 2000  # the NLU and the danger phrases read at most this
    assert handed[0].metadata == {"language_hint": "en", "trimmed": True}  # the answer says so
    assert sent == []  # a reply came: no "technical problem" notice
