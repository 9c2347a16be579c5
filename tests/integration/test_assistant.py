"""The running assistant over HTTP: languages, stickiness, fallbacks, bad input, the API."""

from __future__ import annotations

import pytest

from tests.integration.replies import reply_answer, reply_language


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("gdzie moge dostac numer bsn", "pl"),
        ("de unde iau numarul bsn", "ro"),
        ("как да си извадя BSN номер", "bg"),
        ("kak da si izvadya bsn nomer", "bg"),
        ("waar kan ik een bsn nummer krijgen", "nl"),
        ("how do i get a bsn number", "en"),
    ],
)
def test_a_bsn_question_is_answered_in_the_users_language(assistant, content, message, language):
    messages = assistant.say(assistant.new_user(), message)
    assert len(messages) == 1
    assert reply_language(content, messages[0]["text"]) == language
    assert reply_answer(content, language, messages[0]["text"]) == "bsn"
    assert messages[0]["buttons"], "follow-up buttons"


def test_the_language_sticks_through_short_messages(assistant, content):
    user = assistant.new_user()
    first = assistant.say(user, "dzien dobry, pracuje w holandii od miesiaca i nie mam bsn")
    assert reply_language(content, first[0]["text"]) == "pl"
    for short in ["ok", "BSN", "👍", "digid?"]:
        reply = assistant.say(user, short)
        assert reply_language(content, reply[0]["text"]) == "pl", short


def test_switching_language_with_a_button_and_in_words(assistant, content):
    user = assistant.new_user()
    assistant.say(user, "buna ziua, am nevoie de ajutor cu asigurarea medicala")
    switched = assistant.say(user, '/change_language{"language":"nl"}')
    assert reply_answer(content, "nl", switched[0]["text"]) == "language_set"
    assert reply_language(content, assistant.say(user, "ok")[0]["text"]) == "nl"
    asked = assistant.say(user, "po polsku prosze")
    assert reply_answer(content, "pl", asked[0]["text"]) == "language_set"


def test_browser_language_is_the_first_guess(assistant, content):
    reply = assistant.say(assistant.new_user(), "/greet", hint="bg-BG")
    assert reply_answer(content, "bg", reply[0]["text"]) == "greet"


def test_not_understood_twice_offers_the_desk(assistant, content):
    user = assistant.new_user()
    assistant.say(user, '/change_language{"language":"ro"}')
    first = assistant.say(user, "zzqx vvkt ppqz")
    assert reply_answer(content, "ro", first[0]["text"]) == "fallback"
    payloads = [b["payload"] for b in first[0]["buttons"]]
    assert payloads[-1] == "/request_human"
    second = assistant.say(user, "qqzx zzkv")
    assert reply_answer(content, "ro", second[0]["text"]) == "fallback_desk"
    assert content.desk.url in second[0]["text"]


def test_buttons_send_payloads_that_work(assistant, content):
    user = assistant.new_user()
    first = assistant.say(user, "how do i get a bsn number")
    digid = next(b for b in first[0]["buttons"] if b["payload"] == "/digid")
    reply = assistant.say(user, digid["payload"])
    assert reply_answer(content, "en", reply[0]["text"]) == "digid"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "bad_json"),
        (b"\xff\xfe\x00binary", 400, "bad_json"),
        ({"sender": "USER", "message": ""}, 400, "empty_message"),
        ({"sender": "USER", "message": "   "}, 400, "empty_message"),
        ({"sender": "USER", "message": "a" * 20_001}, 413, "message_too_long"),
        ({"sender": "../../etc", "message": "hi"}, 400, "bad_sender"),
        ({"message": "hi"}, 400, "bad_sender"),
        ([1, 2, 3], 400, "bad_request"),
        (b"[" * 30_000 + b"]" * 30_000, 400, "bad_json"),  # nested deeper than any parser
    ],
)
def test_bad_input_gets_a_clear_error(assistant, body, status, error):
    user = assistant.new_user()
    if isinstance(body, dict) and body.get("sender") == "USER":
        body = {**body, "sender": user}
    headers = {"X-Webchat-Key": assistant.keys[user]}
    code, reply, _ = assistant.post("/webhooks/webchat/webhook", body, headers)
    assert code == status
    assert reply["error"] == error and reply["message"]


def test_control_characters_and_long_words_still_get_an_answer(assistant):
    messages = assistant.say(assistant.new_user(), "\x01\x02 zdrav\u200bei " + "x" * 1900)
    assert len(messages) == 1 and messages[0]["text"]


def test_web_chat_page_is_served_without_external_resources(assistant):
    status, html, headers = assistant.get("/webhooks/webchat/")
    assert status == 200 and "<form" in html
    assert "http://" not in html and "https://" not in html
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, script, _ = assistant.get("/webhooks/webchat/webchat.js")
    assert status == 200 and "fetch(" in script
    assert assistant.get("/webhooks/webchat/../../credentials.yml")[0] == 404


def test_the_http_api_answers_with_its_token(assistant):
    token = assistant.settings.auth_token
    status, parsed, _ = assistant.post(
        f"/model/parse?token={token}", {"text": "nie mam zorgverzekering"}
    )
    assert status == 200
    assert parsed["language"]["code"] == "pl"
    assert parsed["intent"]["name"]


def test_messages_arriving_at_once_are_answered_one_after_the_other(assistant, content):
    """Rasa's lock store serialises a conversation: none dropped, no turns interleaved."""
    import threading

    user = assistant.new_user()
    assistant.say(user, "gdzie moge dostac numer bsn")
    texts = ["jak zalozyc digid", "ile kosztuje ubezpieczenie zdrowotne", "jak zmienic adres"]
    replies: dict[str, list] = {}
    barrier = threading.Barrier(len(texts))

    def send(text: str) -> None:
        barrier.wait()
        replies[text] = assistant.say(user, text)

    threads = [threading.Thread(target=send, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(replies[t] for t in texts)
    _, tracker, _ = assistant.api(f"/conversations/{user}/tracker")
    turns = [e["event"] for e in tracker["events"] if e["event"] in {"user", "bot"}]
    assert turns.count("user") == 4
    assert "user,user" not in ",".join(turns)  # every message got its answer before the next


def test_a_very_long_message_is_read_in_part_and_the_user_told_so(assistant, content):
    question = "Dzień dobry, gdzie mogę dostać numer BSN? Pracuję w Holandii od miesiąca. "
    messages = assistant.say(assistant.new_user(), question * 260)  # 20,000 characters
    assert messages[0]["text"] == content.catalogs["pl"].ui["long_message"]
    assert reply_answer(content, "pl", messages[1]["text"]) == "bsn"
