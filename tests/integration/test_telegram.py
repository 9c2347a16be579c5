"""The Telegram channel, through the real Rasa server and model, against a fake Bot API.

One assistant runs in webhook mode (the tests post updates as Telegram would), one in polling
mode (the fake serves the updates to ``getUpdates``), both with ``TELEGRAM_API_URL`` pointing
at the fake on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot import storage
from bot.desk.staff import StaffStore
from bot.settings import TelegramSettings
from bot.tools.processes import stop
from tests.fakes.telegram_api import FakeTelegramApi, button_update, message_update
from tests.integration.conftest import Assistant, start
from tests.integration.replies import reply_answer

TOKEN = "123456789:TEST-fake-token-for-tests-only"
SECRET = secrets.token_hex(16)
WEBHOOK = "/webhooks/telegram/webhook"
FLOOD_LIMIT = 4
_chats = itertools.count(810_000_001)


def new_chat() -> int:
    """A chat id no other test uses (private chats have the user's id)."""
    return next(_chats)


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeTelegramApi]:
    api = FakeTelegramApi().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def webhook_assistant(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, fake_api: FakeTelegramApi
) -> Iterator[Assistant]:
    telegram = TelegramSettings(
        token=TOKEN,
        api_url=fake_api.base_url,
        webhook_url="https://wegwijs.example.test/webhooks/telegram/webhook",
        webhook_secret=SECRET,
        flood_limit=FLOOD_LIMIT,
        flood_window=60,
    )
    running = start(trained_model, tmp_path_factory.mktemp("telegram-webhook"), telegram)
    yield running
    stop(running.processes)


def deliver(assistant: Assistant, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    status, _, _ = assistant.post(WEBHOOK, update, headers)
    return status


def replies_to(api: FakeTelegramApi, chat: int) -> list[dict[str, Any]]:
    return [c.params for c in api.called("sendMessage") if int(c.params["chat_id"]) == chat]


def test_the_webhook_is_registered_with_its_secret(webhook_assistant, fake_api):
    [call] = fake_api.wait_for("setWebhook")
    assert call.params["url"] == "https://wegwijs.example.test/webhooks/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert call.key == TOKEN


def test_a_polish_question_gets_a_polish_answer_with_inline_buttons(
    webhook_assistant, fake_api, content
):
    chat = new_chat()
    assert deliver(webhook_assistant, message_update(chat, "gdzie moge dostac numer bsn")) == 200
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "pl", reply["text"]) == "bsn"
    assert "parse_mode" not in reply  # plain text: no formatting can break
    rows = reply["reply_markup"]["inline_keyboard"]
    payloads = [row[0]["callback_data"] for row in rows]
    assert "/digid" in payloads
    titles = [row[0]["text"] for row in rows]
    assert content.catalogs["pl"].ui["topics"]["digid"] in titles


def test_a_button_press_is_answered_and_handled_as_its_payload(
    webhook_assistant, fake_api, content
):
    chat = new_chat()
    update = button_update(chat, "/digid")
    assert deliver(webhook_assistant, update) == 200
    query_id = update["callback_query"]["id"]
    assert fake_api.called("answerCallbackQuery", callback_query_id=query_id)
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "pl", reply["text"]) == "digid"


def test_more_and_the_rating_share_a_row_and_a_rating_is_thanked(
    webhook_assistant, fake_api, content
):
    chat = new_chat()
    assert (
        deliver(webhook_assistant, message_update(chat, "co to jest digid i jak go dostac")) == 200
    )
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "pl", reply["text"]) == "digid"
    first_row = reply["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in first_row][-2:] == ["👍", "👎"]
    payloads = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert all(len(p.encode()) <= 64 for p in payloads)
    assert deliver(webhook_assistant, button_update(chat, '/affirm{"feedback":"digid"}')) == 200
    thanks = replies_to(fake_api, chat)[-1]
    assert reply_answer(content, "pl", thanks["text"]) == "feedback_thanks"


def test_a_button_press_counts_even_when_telegram_refuses_to_acknowledge_it(
    webhook_assistant, fake_api, content
):
    chat = new_chat()
    fake_api.answer_400("answerCallbackQuery")
    assert deliver(webhook_assistant, button_update(chat, "/bsn")) == 200
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "pl", reply["text"]) == "bsn"


@pytest.mark.parametrize("secret", [None, "wrong-secret-0123456789", ""])
def test_a_request_without_the_right_secret_is_refused_and_not_handled(
    webhook_assistant, fake_api, secret
):
    chat = new_chat()
    assert deliver(webhook_assistant, message_update(chat, "hej"), secret=secret) == 403
    assert replies_to(fake_api, chat) == []


def test_a_redelivered_update_is_handled_once(webhook_assistant, fake_api):
    chat = new_chat()
    update = message_update(chat, "jak zalozyc digid")
    assert deliver(webhook_assistant, update) == 200
    assert deliver(webhook_assistant, update) == 200
    assert len(replies_to(fake_api, chat)) == 1


@pytest.mark.parametrize(
    ("extra", "answer"),
    [
        ({"voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3}}, "voice_message"),
        (
            {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 9, "height": 9}]},
            "media_message",
        ),
        ({"location": {"latitude": 51.58, "longitude": 4.77}}, "media_message"),
        (
            {
                "sticker": {
                    "file_id": "s1",
                    "file_unique_id": "u3",
                    "type": "regular",
                    "width": 9,
                    "height": 9,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "media_message",
        ),
    ],
)
def test_messages_without_text_get_a_polite_reply_in_the_users_language(
    webhook_assistant, fake_api, content, extra, answer
):
    chat = new_chat()
    update = message_update(chat, None, language_code="ro", extra=extra)
    assert deliver(webhook_assistant, update) == 200
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "ro", reply["text"]) == answer


def test_group_chats_and_edited_messages_are_ignored(webhook_assistant, fake_api):
    group = -new_chat()
    assert deliver(webhook_assistant, message_update(group, "hej", chat_type="group")) == 200
    chat = new_chat()
    edited = message_update(chat, "gdzie moge dostac bsn", kind="edited_message")
    assert deliver(webhook_assistant, edited) == 200
    assert replies_to(fake_api, group) == []
    assert replies_to(fake_api, chat) == []


def test_start_greets_in_the_users_language_and_offers_the_languages(
    webhook_assistant, fake_api, content
):
    chat = new_chat()
    assert deliver(webhook_assistant, message_update(chat, "/start", language_code="bg")) == 200
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "bg", reply["text"]) == "greet"
    payloads = [row[0]["callback_data"] for row in reply["reply_markup"]["inline_keyboard"]]
    assert '/change_language{"language":"pl"}' in payloads
    notice = reply["text"].splitlines()[-1]  # one line of privacy, with the link to the rest
    assert notice.startswith(content.catalogs["bg"].ui["privacy_notice"].split("{")[0])
    assert notice.endswith("/webhooks/webchat/privacy/bg")
    status, page, _ = webhook_assistant.get(urlsplit(notice.split()[-1]).path)
    assert status == 200 and "Български" in page

    deliver(webhook_assistant, message_update(chat, "kak da si izvadya bsn", language_code="bg"))
    assert "/privacy/" not in replies_to(fake_api, chat)[-1]["text"]  # once is enough
    deliver(webhook_assistant, message_update(chat, "/start", language_code="bg"))
    assert replies_to(fake_api, chat)[-1]["text"].endswith("/webhooks/webchat/privacy/bg")


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/language", "change_language"),
        ("/help", "help"),
        ("/human", "handoff_consent"),
        ("/forget", "forget"),
        ("/unknown_command", "help"),
    ],
)
def test_commands(webhook_assistant, fake_api, content, command, answer):
    chat = new_chat()
    assert deliver(webhook_assistant, message_update(chat, command, language_code="nl")) == 200
    [reply] = replies_to(fake_api, chat)
    assert reply_answer(content, "nl", reply["text"]) == answer


def test_forget_deletes_the_chat_after_the_user_confirms(webhook_assistant, fake_api, content):
    chat = new_chat()
    deliver(webhook_assistant, message_update(chat, "gdzie dostane bsn"))
    assert webhook_assistant.rows_about(f"tg-{chat}") > 0
    deliver(webhook_assistant, message_update(chat, "/forget"))
    question = replies_to(fake_api, chat)[-1]
    assert reply_answer(content, "pl", question["text"]) == "forget"
    buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == ["/affirm", "/deny"]
    deliver(webhook_assistant, button_update(chat, "/affirm"))
    assert reply_answer(content, "pl", replies_to(fake_api, chat)[-1]["text"]) == "forget_done"
    assert webhook_assistant.rows_about(f"tg-{chat}") == 0


def test_a_staff_reply_reaches_the_user_on_telegram(webhook_assistant, fake_api, content):
    chat = new_chat()
    deliver(webhook_assistant, message_update(chat, "/human"))
    deliver(webhook_assistant, button_update(chat, "/affirm"))  # "Yes, pass it on"
    deliver(webhook_assistant, message_update(chat, "Agencja nie płaci od miesiąca"))
    deliver(webhook_assistant, button_update(chat, "chat"))  # "Here in this chat"
    opened = replies_to(fake_api, chat)[-1]["text"]
    assert reply_answer(content, "pl", opened) in {"case_opened", "case_opened_closed"}
    token = StaffStore(storage.engine(webhook_assistant.settings.database_url)).add(f"staff{chat}")
    auth = {"Authorization": f"Bearer {token}"}
    _, queue, _ = webhook_assistant.get_with("/webhooks/desk/api/cases", auth)
    [case] = [c for c in queue["cases"] if c["conversation_id"] == f"tg-{chat}"]
    assert case["channel"] == "telegram"
    path = f"/webhooks/desk/api/cases/{case['id']}"
    status, sent, _ = webhook_assistant.post(
        f"{path}/messages", {"text": "Tu Anna, dzwonię jutro."}, auth
    )
    assert (status, sent["delivery"]) == (201, "sent")
    assert replies_to(fake_api, chat)[-1]["text"] == "Tu Anna, dzwonię jutro."
    fake_api.answer_400("sendMessage")  # Telegram refuses the next one: shown as failed
    status, failed, _ = webhook_assistant.post(f"{path}/messages", {"text": "Halo?"}, auth)
    assert (status, failed["delivery"]) == (502, "failed")
    webhook_assistant.post(f"{path}/close", {"outcome": "answered"}, auth)
    assert reply_answer(content, "pl", replies_to(fake_api, chat)[-1]["text"]) == "case_closed"


def test_a_flood_gets_one_notice_and_the_rest_is_dropped(webhook_assistant, fake_api, content):
    chat = new_chat()
    for _ in range(FLOOD_LIMIT + 3):
        assert deliver(webhook_assistant, message_update(chat, "czesc")) == 200
    replies = replies_to(fake_api, chat)
    assert len(replies) == FLOOD_LIMIT + 1
    assert replies[-1]["text"] == content.catalogs["pl"].ui["slow_down"]


def test_a_429_from_telegram_is_retried_after_the_wait(webhook_assistant, fake_api, content):
    chat = new_chat()
    fake_api.answer_429("sendMessage", retry_after=1)
    assert deliver(webhook_assistant, message_update(chat, "gdzie moge dostac numer bsn")) == 200
    attempts = [c for c in fake_api.called("sendMessage") if int(c.params["chat_id"]) == chat]
    assert [c.status for c in attempts] == [429, 200]
    assert reply_answer(content, "pl", attempts[-1].params["text"]) == "bsn"


def test_neither_message_texts_nor_telegram_ids_are_logged(webhook_assistant, fake_api):
    chat = new_chat()
    text = "nie dostalem wyplaty od agencji Zielonka od 5 tygodni"
    assert deliver(webhook_assistant, message_update(chat, text)) == 200
    assert deliver(webhook_assistant, button_update(chat, "/show_more")) == 200
    assert len(replies_to(fake_api, chat)) == 3  # unpaid for weeks: the answer, the offer, more
    logs = webhook_assistant.logs()
    assert "answer=wage_problem" in logs  # the servers do log (so the check can fail)
    assert str(chat) not in logs
    assert "Zielonka" not in logs


def test_malformed_bodies_are_refused_without_a_server_error(webhook_assistant):
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for body in (b"{not json", b"\xff\xfe\x00", b"[1, 2]"):
        status, _, _ = webhook_assistant.post(WEBHOOK, body, headers)
        assert status == 400
    status, _, _ = webhook_assistant.post(WEBHOOK, {"update_id": "x", "message": 5}, headers)
    assert status == 200  # unreadable update: acknowledged so Telegram does not resend it


# --- polling mode: what `TELEGRAM_BOT_TOKEN=… TELEGRAM_API_URL=… make run` does -------------


@pytest.fixture(scope="module")
def polling_assistant(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FakeTelegramApi, Assistant]]:
    api = FakeTelegramApi().start()
    telegram = TelegramSettings(token=TOKEN, api_url=api.base_url)
    # Everything a library can log (even at DEBUG) must keep the token out of the log.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LOG_LEVEL_LIBRARIES", "DEBUG")
        running = start(trained_model, tmp_path_factory.mktemp("telegram-polling"), telegram)
    yield api, running
    stop(running.processes)
    api.stop()


@pytest.fixture
def polling(polling_assistant: tuple[FakeTelegramApi, Assistant]) -> FakeTelegramApi:
    return polling_assistant[0]


def test_polling_mode_fetches_updates_and_answers(polling, content):
    assert polling.wait_for("deleteWebhook")
    chat = new_chat()
    polling.queue_update(message_update(chat, "de unde iau numarul bsn", language_code="ro"))
    [reply] = polling.wait_for("sendMessage", chat_id=str(chat))
    assert reply_answer(content, "ro", reply.params["text"]) == "bsn"
    assert polling.called("getUpdates")


def test_the_bot_token_never_reaches_the_logs(polling_assistant):
    """Polling puts the token in every Bot API URL; whoever reads the logs must not get it."""
    api, running = polling_assistant
    chat = new_chat()
    api.queue_update(message_update(chat, "how do i get a bsn number", language_code="en"))
    assert api.wait_for("sendMessage", chat_id=str(chat))
    assert api.called("getUpdates")
    logs = running.logs()
    assert "Telegram polling started" in logs and "getUpdates" in logs  # the log was read
    assert TOKEN not in logs
    assert TOKEN.split(":")[1] not in logs
