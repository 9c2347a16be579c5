"""Parts of the WhatsApp channel: signatures, webhook parsing, buttons, the 24-hour window."""

from __future__ import annotations

import json

import pytest

from bot import storage
from bot.channels.whatsapp import (
    MalformedWebhook,
    ServiceWindow,
    interactive,
    parse_webhook,
    signature_ok,
)
from bot.settings import SettingsError, WhatsAppSettings
from tests.fakes.whatsapp_api import list_reply, signed, text, webhook

SECRET = "app-secret-for-tests"
FULL = {
    "WHATSAPP_ACCESS_TOKEN": "EAAtest0123456789",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_APP_SECRET": "app-secret-0123456789",
    "WHATSAPP_VERIFY_TOKEN": "verify-0123456789",
}


def test_the_signature_is_checked_over_the_raw_body():
    raw, headers = signed({"a": 1}, SECRET)
    assert signature_ok(raw, headers["X-Hub-Signature-256"], SECRET)
    assert not signature_ok(raw + b" ", headers["X-Hub-Signature-256"], SECRET)
    assert not signature_ok(raw, headers["X-Hub-Signature-256"], "other-secret")
    assert not signature_ok(raw, "", SECRET)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (text("  buna ziua  "), "buna ziua"),
        (list_reply("/digid"), "/digid"),
        (
            {
                "type": "interactive",
                "interactive": {"button_reply": {"id": "/bsn", "title": "BSN"}},
            },
            "/bsn",
        ),
        ({"type": "audio", "audio": {"id": "1", "voice": True}}, "/voice_message"),
        ({"type": "location", "location": {"latitude": 51.5, "longitude": 4.9}}, "/media_message"),
        ({"type": "reaction", "reaction": {"message_id": "x", "emoji": "👍"}}, "/media_message"),
        ({"type": "something_new"}, "/media_message"),
    ],
)
def test_incoming_messages_become_text_or_intents(message, expected):
    [inbound], statuses = parse_webhook(webhook("48600100001", message))
    assert inbound.text == expected
    assert inbound.wa_id == "48600100001"
    assert statuses == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"entry": 5},
        {"entry": [{"changes": [{"value": {"messages": [{"id": "x"}]}}]}]},
        {
            "entry": [
                {
                    "changes": [
                        {"value": {"messages": [{"from": "48", "id": "x", "timestamp": "soon"}]}}
                    ]
                }
            ]
        },
        {
            "entry": [
                {
                    "changes": [
                        {
                            "value": {
                                "messages": [
                                    {"from": "48", "id": "x", "type": "text", "text": "hi"}
                                ]
                            }
                        }
                    ]
                }
            ]
        },
    ],
)
def test_unexpected_shapes_are_refused(body):
    with pytest.raises(MalformedWebhook):
        parse_webhook(json.loads(json.dumps(body)))


def test_status_updates_are_returned_apart():
    failed = {"id": "wamid.x", "status": "failed", "errors": [{"code": 131026}]}
    messages, statuses = parse_webhook(webhook("48600100001", statuses=[failed]))
    assert messages == [] and statuses == [failed]


def test_up_to_three_short_buttons_are_reply_buttons():
    buttons = [{"title": "BSN", "payload": "/bsn"}, {"title": "DigiD", "payload": "/digid"}]
    message = interactive("Text", buttons, "Options")["interactive"]
    assert message["type"] == "button"
    assert [b["reply"]["id"] for b in message["action"]["buttons"]] == ["/bsn", "/digid"]


def test_without_a_usable_button_the_text_is_sent_plain():
    buttons = [{"title": "Too long", "payload": "/" + "x" * 300}, {"title": "", "payload": "/a"}]
    assert interactive("Text", buttons, "Options") == {
        "type": "text",
        "text": {"body": "Text", "preview_url": False},
    }


def test_more_buttons_or_long_titles_become_a_list_within_whatsapps_limits():
    buttons = [{"title": f"A rather long topic title {i}", "payload": f"/t{i}"} for i in range(12)]
    message = interactive("Text", buttons, "A list label longer than twenty")["interactive"]
    assert message["type"] == "list"
    rows = message["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
    assert rows[0]["description"] == "A rather long topic title 0"
    assert len(message["action"]["button"]) <= 20


def test_the_window_is_open_for_24_hours_after_the_users_last_message(database_url):
    now = [1_000_000.0]
    window = ServiceWindow(storage.engine(database_url), clock=lambda: now[0])
    assert not window.is_open("wa-1")  # never wrote
    window.user_wrote("wa-1", now[0])
    now[0] += 23 * 3600
    assert window.is_open("wa-1")
    now[0] += 2 * 3600
    assert not window.is_open("wa-1")
    window.user_wrote("wa-1", now[0] - 30 * 3600)  # a late redelivery does not move it back
    assert not window.is_open("wa-1")
    assert not ServiceWindow(storage.engine(database_url), clock=lambda: now[0]).is_open("wa-1")


def test_whatsapp_is_off_without_settings_and_refuses_half_of_them():
    assert WhatsAppSettings.from_env({}) is None
    settings = WhatsAppSettings.from_env(FULL)
    assert settings is not None and settings.api_url.startswith("https://graph.facebook.com/v")
    with pytest.raises(SettingsError, match="WHATSAPP_APP_SECRET"):
        WhatsAppSettings.from_env({**FULL, "WHATSAPP_APP_SECRET": ""})
    with pytest.raises(SettingsError, match="WHATSAPP_VERIFY_TOKEN"):
        WhatsAppSettings.from_env({**FULL, "WHATSAPP_VERIFY_TOKEN": "changeme"})


def test_template_language_codes_can_be_configured_per_language():
    settings = WhatsAppSettings.from_env({**FULL, "WHATSAPP_TEMPLATE_LANGUAGES": "en=en_US"})
    assert settings is not None
    assert settings.template_language("en") == "en_US"
    assert settings.template_language("ro") == "ro"
    assert settings.template_language("xx") == "en_US"
    with pytest.raises(SettingsError, match="WHATSAPP_TEMPLATE_LANGUAGES"):
        WhatsAppSettings.from_env({**FULL, "WHATSAPP_TEMPLATE_LANGUAGES": "english"})
