"""Parts of the Telegram channel: splitting, buttons, flood guard, settings, sending."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from telegram import Bot

from bot.channels.telegram import (
    MAX_TEXT,
    FloodGuard,
    TelegramOutput,
    keyboard,
    split_text,
)
from bot.privacy.logs import pseudonym
from bot.settings import SettingsError, TelegramSettings
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "123456789:TEST-fake-token-for-tests-only"


def test_short_text_is_one_part():
    assert split_text("Hello\n\nWorld") == ["Hello\n\nWorld"]


def test_long_text_is_split_at_paragraphs_below_the_limit():
    paragraphs = [f"Paragraph {i}. " + "word " * 150 for i in range(8)]  # ~780 chars each
    text = "\n\n".join(paragraphs)
    parts = split_text(text, limit=2000)
    assert all(len(p) <= 2000 for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)  # every cut at a paragraph
    assert " ".join(parts).split() == text.split()  # nothing lost


def test_text_without_breaks_is_cut_hard():
    parts = split_text("x" * 10_000)
    assert [len(p) for p in parts] == [MAX_TEXT, MAX_TEXT, 10_000 - 2 * MAX_TEXT]


def test_buttons_become_one_row_each_and_oversized_payloads_are_left_out():
    markup = keyboard(
        [
            {"title": "DigiD", "payload": "/digid"},
            {"title": "Too long", "payload": "/" + "x" * 64},
            {"title": "Polski", "payload": '/change_language{"language":"pl"}'},
        ]
    )
    assert markup is not None
    rows = markup.inline_keyboard
    assert [r[0].callback_data for r in rows] == ["/digid", '/change_language{"language":"pl"}']
    assert keyboard([]) is None


def test_more_and_the_rating_share_one_row_above_the_topics():
    markup = keyboard(
        [
            {"title": "Więcej", "payload": "/show_more"},
            {"title": "👍", "payload": '/affirm{"feedback":"unemployment_benefit"}'},
            {"title": "👎", "payload": '/deny{"feedback":"unemployment_benefit"}'},
            {"title": "Zwolnienie", "payload": "/dismissal"},
        ]
    )
    assert markup is not None
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [["Więcej", "👍", "👎"], ["Zwolnienie"]]


def test_flood_guard_warns_once_then_drops_until_the_window_passes():
    now = [0.0]
    guard = FloodGuard(limit=3, window=10, clock=lambda: now[0])
    assert [guard.check(1) for _ in range(5)] == ["ok", "ok", "ok", "warn", "drop"]
    assert guard.check(2) == "ok"  # other users are not affected
    now[0] = 11.0
    assert guard.check(1) == "ok"


def test_pseudonyms_are_stable_and_do_not_contain_the_id():
    assert pseudonym("tg-810000001") == pseudonym("tg-810000001")
    assert pseudonym("tg-810000001") != pseudonym("tg-810000002")
    assert "810000001" not in pseudonym("tg-810000001")


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"TELEGRAM_BOT_TOKEN": "changeme"}, "does not look like a bot token"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "http://x.example/hook"},
            "https",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://x.example/hook"},
            "TELEGRAM_WEBHOOK_SECRET must be set",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_URL": "https://x.example/hook",
                "TELEGRAM_WEBHOOK_SECRET": "secret",
            },
            "TELEGRAM_WEBHOOK_SECRET must be set",
        ),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_FLOOD_LIMIT": "0"}, "more than 0"),
    ],
)
def test_unsafe_telegram_settings_are_refused_with_a_clear_message(env, error):
    with pytest.raises(SettingsError, match=error):
        TelegramSettings.from_env(env)


def test_telegram_is_off_without_a_token_and_polls_by_default():
    assert TelegramSettings.from_env({}) is None
    settings = TelegramSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings is not None
    assert settings.mode == "polling"
    assert settings.api_url == "https://api.telegram.org/bot"


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramApi]:
    api = FakeTelegramApi().start()
    yield api
    api.stop()


async def test_a_5000_character_answer_arrives_in_two_messages(fake_api):
    text = "\n\n".join(f"{i}. " + "słowo " * 90 for i in range(9))  # ~5,000 characters
    assert 4800 < len(text) < 5200
    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        await TelegramOutput(bot).send_text_with_buttons(
            "tg-42", text, [{"title": "DigiD", "payload": "/digid"}]
        )
    sent = [c.params for c in fake_api.called("sendMessage")]
    assert len(sent) == 2
    assert all(len(s["text"]) <= MAX_TEXT for s in sent)
    assert sent[1]["text"].split(".")[0].isdigit()  # the cut is at a paragraph
    assert "reply_markup" not in sent[0]  # buttons under the last part only
    assert sent[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/digid"
