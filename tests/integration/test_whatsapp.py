"""The WhatsApp channel, through the real Rasa server and model, against a fake Graph API.

The tests post webhooks signed as Meta signs them; replies arrive at the fake on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot import storage
from bot.desk.staff import StaffStore
from bot.settings import WhatsAppSettings
from bot.tools.processes import stop
from tests.fakes.whatsapp_api import (
    FakeGraphApi,
    button_reply,
    list_reply,
    signed,
    text,
    webhook,
)
from tests.integration.conftest import Assistant, start
from tests.integration.replies import reply_answer

APP_SECRET = "test-app-secret-0123456789abcdef"
VERIFY_TOKEN = "test-verify-token-0123456789"
ACCESS_TOKEN = "EAAtest0123456789"
PHONE_NUMBER_ID = "106540352242922"
TEMPLATE = "wegwijs_follow_up"
WEBHOOK = "/webhooks/whatsapp/webhook"
_numbers = itertools.count(48_600_100_001)


def new_number() -> str:
    """A WhatsApp id (phone number) no other test uses."""
    return str(next(_numbers))


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphApi]:
    api = FakeGraphApi().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def assistant(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, graph: FakeGraphApi
) -> Iterator[Assistant]:
    whatsapp = WhatsAppSettings(
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        api_url=graph.base_url,
        template=TEMPLATE,
    )
    running = start(trained_model, tmp_path_factory.mktemp("whatsapp"), whatsapp=whatsapp)
    yield running
    stop(running.processes)


def post(
    assistant: Assistant, body: dict[str, Any] | bytes, secret: str | None = APP_SECRET
) -> int:
    raw, headers = signed(body, secret or "")
    if secret is None:
        headers = {}
    status, _, _ = assistant.post(WEBHOOK, raw, headers)
    return status


def wait_for_replies(graph: FakeGraphApi, wa_id: str, count: int = 1) -> list[dict[str, Any]]:
    graph.wait_for("messages", count=count, to=wa_id)
    return graph.sent_to(wa_id)


def body_text(message: dict[str, Any]) -> str:
    if message["type"] == "text":
        return str(message["text"]["body"])
    return str(message["interactive"]["body"]["text"])


def test_verification_echoes_the_challenge_only_with_our_token(assistant):
    query = f"hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
    status, body, _ = assistant.get(f"{WEBHOOK}?{query}")
    assert (status, body) == (200, 1158201444)
    wrong = "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"
    assert assistant.get(f"{WEBHOOK}?{wrong}")[0] == 403
    assert assistant.get(WEBHOOK)[0] == 403


def test_a_romanian_question_gets_a_romanian_answer_with_reply_buttons(assistant, graph, content):
    wa_id = new_number()
    assert (
        post(assistant, webhook(wa_id, text("ce poti sa faci pentru mine, ce intrebari pot pune")))
        == 200
    )
    [reply] = wait_for_replies(graph, wa_id)
    assert reply["type"] == "interactive"
    assert reply["interactive"]["type"] == "button"
    assert reply_answer(content, "ro", body_text(reply)) == "help"
    ids = [b["reply"]["id"] for b in reply["interactive"]["action"]["buttons"]]
    assert ids == ["/registration_brp", "/health_insurance", "/wage_problem"]
    assert graph.tokens[-1] == f"Bearer {ACCESS_TOKEN}"


def test_more_than_three_choices_become_a_list_and_a_list_reply_is_routed(
    assistant, graph, content
):
    wa_id = new_number()
    assert post(assistant, webhook(wa_id, text("buna ziua, am nevoie de ajutor"))) == 200
    [greeting] = wait_for_replies(graph, wa_id)
    assert greeting["interactive"]["type"] == "list"  # topics and languages: 8 choices
    action = greeting["interactive"]["action"]
    assert action["button"] == content.catalogs["ro"].ui["options"]
    rows = action["sections"][0]["rows"]
    assert len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
    assert post(assistant, webhook(wa_id, list_reply("/digid"))) == 200
    replies = wait_for_replies(graph, wa_id, count=3)  # the answer, then "did this help?"
    assert reply_answer(content, "ro", body_text(replies[1])) == "digid"


def test_did_this_help_follows_an_answer_as_two_reply_buttons_of_its_own(assistant, graph, content):
    wa_id = new_number()
    assert post(assistant, webhook(wa_id, text("cum fac rost de numarul bsn"))) == 200
    answer, question = wait_for_replies(graph, wa_id, count=2)
    assert reply_answer(content, "ro", body_text(answer)) == "bsn"
    kept = answer["interactive"]["action"]  # "More" and the topics: still reply buttons
    assert answer["interactive"]["type"] == "button" and len(kept["buttons"]) <= 3
    assert not any("feedback" in b["reply"]["id"] for b in kept["buttons"])
    assert body_text(question) == content.catalogs["ro"].ui["did_it_help"]
    buttons = question["interactive"]["action"]["buttons"]
    assert [(b["reply"]["title"], b["reply"]["id"]) for b in buttons] == [
        ("👍", '/affirm{"feedback":"bsn"}'),
        ("👎", '/deny{"feedback":"bsn"}'),
    ]
    assert post(assistant, webhook(wa_id, button_reply('/deny{"feedback":"bsn"}'))) == 200
    sorry = wait_for_replies(graph, wa_id, count=3)[-1]
    assert reply_answer(content, "ro", body_text(sorry)) == "feedback_sorry"
    assert [b["reply"]["id"] for b in sorry["interactive"]["action"]["buttons"]] == [
        "/request_human"
    ]


@pytest.mark.parametrize("secret", [None, "forged-secret"])
def test_unsigned_or_forged_requests_are_refused_and_not_handled(assistant, graph, secret):
    wa_id = new_number()
    assert post(assistant, webhook(wa_id, text("buna ziua")), secret=secret) == 403
    time.sleep(1.5)
    assert graph.sent_to(wa_id) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'{"entry": 5}',
        b'{"entry": [{"changes": [{"value": {"messages": [{"id": "x"}]}}]}]}',
        b"[" * 30_000 + b"]" * 30_000,  # nested deeper than any parser's recursion
    ],
)
def test_malformed_bodies_get_400_without_a_crash(assistant, body):
    assert post(assistant, body) == 400
    assert assistant.get("/webhooks/whatsapp/")[0] == 200


def test_media_gets_the_text_only_reply_in_the_conversations_language(assistant, graph, content):
    wa_id = new_number()
    assert post(assistant, webhook(wa_id, text("de unde iau numarul bsn"))) == 200
    wait_for_replies(graph, wa_id, count=2)  # the answer, "did this help?"
    image = {"type": "image", "image": {"id": "1234", "mime_type": "image/jpeg"}}
    assert post(assistant, webhook(wa_id, image)) == 200
    replies = wait_for_replies(graph, wa_id, count=3)
    assert reply_answer(content, "ro", body_text(replies[-1])) == "media_message"


def test_a_retried_message_is_handled_once_and_marked_read(assistant, graph):
    wa_id = new_number()
    body = webhook(wa_id, text("cum imi fac digid"))
    message_id = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert post(assistant, body) == 200
    assert post(assistant, body) == 200
    wait_for_replies(graph, wa_id, count=2)  # the answer and "did this help?", once
    time.sleep(1.5)
    assert len(graph.sent_to(wa_id)) == 2
    assert len(graph.called("messages", status="read", message_id=message_id)) == 1


def test_outside_the_24_hour_window_only_the_template_is_sent(assistant, graph):
    wa_id = new_number()
    late = webhook(wa_id, text("de unde iau numarul bsn"))
    late["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(
        int(time.time()) - 25 * 3600
    )
    assert post(assistant, late) == 200
    [sent] = wait_for_replies(graph, wa_id)
    assert sent["type"] == "template"
    assert sent["template"] == {"name": TEMPLATE, "language": {"code": "ro"}}
    assert "24-hour window closed" in assistant.logs()


def test_a_graph_api_error_is_surfaced_in_the_log_and_numbers_are_not(assistant, graph):
    wa_id = new_number()
    graph.answer_error(131047, message="Re-engagement message")
    assert post(assistant, webhook(wa_id, text("cum imi fac digid"))) == 200
    deadline = time.monotonic() + 30
    while "error code 131047" not in assistant.logs() and time.monotonic() < deadline:
        time.sleep(0.2)
    failed = {
        "id": "wamid.x",
        "status": "failed",
        "recipient_id": wa_id,
        "errors": [{"code": 131026}],
    }
    assert post(assistant, webhook(wa_id, statuses=[failed])) == 200
    logs = assistant.logs()
    assert "error code 131047" in logs
    assert "error code 131026" in logs
    assert wa_id not in logs


def test_a_staff_reply_goes_out_on_whatsapp_and_outside_24_hours_is_shown_failed(
    assistant, graph, content
):
    wa_id = new_number()
    steps = [
        text("chce porozmawiac z czlowiekiem"),
        button_reply("/affirm"),
        text("Agencja zabrała mi dowód osobisty"),
        button_reply("chat"),
    ]
    for count, step in enumerate(steps, start=1):
        assert post(assistant, webhook(wa_id, step)) == 200
        replies = wait_for_replies(graph, wa_id, count=count)
    assert reply_answer(content, "pl", body_text(replies[-1])) in {
        "case_opened",
        "case_opened_closed",
    }
    token = StaffStore(storage.engine(assistant.settings.database_url)).add(f"staff{wa_id}")
    auth = {"Authorization": f"Bearer {token}"}
    _, queue, _ = assistant.get_with("/webhooks/desk/api/cases", auth)
    [case] = [c for c in queue["cases"] if c["conversation_id"] == f"wa-{wa_id}"]
    path = f"/webhooks/desk/api/cases/{case['id']}/messages"

    status, sent, _ = assistant.post(path, {"text": "Tu Anna z punktu informacyjnego."}, auth)
    assert (status, sent["delivery"]) == (201, "sent")
    assert body_text(graph.sent_to(wa_id)[-1]) == "Tu Anna z punktu informacyjnego."

    window = sa.table("whatsapp_last_inbound", sa.column("conversation_id"), sa.column("at"))
    with storage.engine(assistant.settings.database_url).begin() as db:  # 25 hours later
        db.execute(sa.update(window).values(at=window.c.at - 25 * 3600))
    _, view, _ = assistant.get_with(f"/webhooks/desk/api/cases/{case['id']}", auth)
    assert view["reply_window"] == {"open": False, "template": True}  # the console warns
    status, failed, _ = assistant.post(path, {"text": "Czy jeszcze potrzebujesz pomocy?"}, auth)
    assert (status, failed["delivery"]) == (502, "failed")
    assert "24-hour" in failed["error"] and "template" in failed["error"]
    assert graph.sent_to(wa_id)[-1]["type"] == "template"
    _, case_view, _ = assistant.get_with(f"/webhooks/desk/api/cases/{case['id']}", auth)
    [shown] = [
        t for t in case_view["transcript"] if t["text"] == "Czy jeszcze potrzebujesz pomocy?"
    ]
    assert shown["delivery"] == "failed"
